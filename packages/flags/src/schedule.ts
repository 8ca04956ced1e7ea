// The clock conditions of the feature-flag schema. Times are read in the condition's IANA time
// zone (UTC when it names none) through Intl, so no time-zone database ships with the package.

/** `{ START: 'HH:MM', END: 'HH:MM', TIMEZONE? }`; a range whose end is before its start spans midnight. */
export interface TimeRange {
  START: string;
  END: string;
  TIMEZONE?: string;
}

/** `{ START, END, TIMEZONE? }` with ISO date-times; without an offset they are read in TIMEZONE. */
export interface DateTimeRange {
  START: string;
  END: string;
  TIMEZONE?: string;
}

/** `{ DAYS: ['MONDAY', …], TIMEZONE? }`. */
export interface DaysOfWeek {
  DAYS: string[];
  TIMEZONE?: string;
}

export const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `now` in `timeZone`. */
export function wallClock(now: Date, timeZone = 'UTC'): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'long',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((part) => [part.type, part.value]));
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
    weekday: DAYS.indexOf(String(parts['weekday']).toUpperCase() as (typeof DAYS)[number]),
  };
}

/** `true` when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight of an `HH:MM` string, or `undefined` when it is not one. */
export function minutesOf(time: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function inTimeRange(range: TimeRange, now: Date): boolean {
  const clock = wallClock(now, range.TIMEZONE);
  const current = clock.hour * 60 + clock.minute;
  const start = minutesOf(range.START) as number;
  const end = minutesOf(range.END) as number;
  return end < start ? current >= start || current <= end : current >= start && current <= end;
}

export function inDateTimeRange(range: DateTimeRange, now: Date): boolean {
  const start = instantOf(range.START, range.TIMEZONE);
  const end = instantOf(range.END, range.TIMEZONE);
  return start <= now.getTime() && now.getTime() <= end;
}

export function onDaysOfWeek(days: DaysOfWeek, now: Date): boolean {
  return days.DAYS.includes(DAYS[wallClock(now, days.TIMEZONE).weekday]);
}

/**
 * Epoch ms of an ISO date-time. With an offset (`Z`, `+02:00`) it is absolute; without one it is a
 * wall-clock time in `timeZone`, found by correcting a UTC guess by the zone's offset at that time.
 */
export function instantOf(text: string, timeZone = 'UTC'): number {
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return Date.parse(text);
  const guess = Date.parse(`${text}Z`);
  if (Number.isNaN(guess)) return Number.NaN;
  const offset = (at: number) => {
    const clock = wallClock(new Date(at), timeZone);
    return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second) - Math.floor(at / 1000) * 1000;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}
