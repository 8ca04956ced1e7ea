/**
 * The units CloudWatch accepts for a metric, exactly as the Embedded Metric Format spells them.
 * A unit outside this list makes CloudWatch reject the whole metric, so it is refused at the call.
 */
export const METRIC_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** One of {@link METRIC_UNITS}. */
export type MetricUnit = (typeof METRIC_UNITS)[number];

/**
 * How finely CloudWatch stores a metric: `60` (standard, one-minute points, the default) or `1`
 * (high resolution, one-second points, billed as such).
 */
export type MetricResolution = 1 | 60;

const UNITS: ReadonlySet<string> = new Set(METRIC_UNITS);

/** `true` when `unit` is a unit CloudWatch accepts. */
export function isMetricUnit(unit: unknown): unit is MetricUnit {
  return typeof unit === 'string' && UNITS.has(unit);
}
