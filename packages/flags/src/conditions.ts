import { inDateTimeRange, inTimeRange, onDaysOfWeek } from './schedule.js';

/** Every action a condition may name, as Powertools' feature-flag schema spells them. */
export const ACTIONS = [
  'EQUALS',
  'NOT_EQUALS',
  'KEY_GREATER_THAN_VALUE',
  'KEY_GREATER_THAN_OR_EQUAL_VALUE',
  'KEY_LESS_THAN_VALUE',
  'KEY_LESS_THAN_OR_EQUAL_VALUE',
  'STARTSWITH',
  'ENDSWITH',
  'IN',
  'NOT_IN',
  'KEY_IN_VALUE',
  'KEY_NOT_IN_VALUE',
  'VALUE_IN_KEY',
  'VALUE_NOT_IN_KEY',
  'ALL_IN_VALUE',
  'ANY_IN_VALUE',
  'NONE_IN_VALUE',
  'MODULO_RANGE',
  'SCHEDULE_BETWEEN_TIME_RANGE',
  'SCHEDULE_BETWEEN_DATETIME_RANGE',
  'SCHEDULE_BETWEEN_DAYS_OF_WEEK',
] as const;

/** One of {@link ACTIONS}. */
export type Action = (typeof ACTIONS)[number];

/** The actions that compare the clock, not the context: their key names the clock reading. */
export const SCHEDULE_ACTIONS: ReadonlySet<Action> = new Set(['SCHEDULE_BETWEEN_TIME_RANGE', 'SCHEDULE_BETWEEN_DATETIME_RANGE', 'SCHEDULE_BETWEEN_DAYS_OF_WEEK']);

type Comparator = (contextValue: unknown, conditionValue: unknown, now: Date) => boolean;

// Values of different types never compare as ordered (no "10" > 9 coercion), as in Python.
const ordered = (test: (a: number | string, b: number | string) => boolean) => (a: unknown, b: unknown) =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string') ? test(a, b) : false;

const contains = (container: unknown, item: unknown): boolean =>
  Array.isArray(container) ? container.some((entry) => same(entry, item)) : typeof container === 'string' && typeof item === 'string' && container.includes(item);

/** How each action compares the context's value (left) with the condition's value (right). */
export const COMPARATORS: Readonly<Record<Action, Comparator>> = {
  EQUALS: (a, b) => same(a, b),
  NOT_EQUALS: (a, b) => !same(a, b),
  KEY_GREATER_THAN_VALUE: ordered((a, b) => a > b),
  KEY_GREATER_THAN_OR_EQUAL_VALUE: ordered((a, b) => a >= b),
  KEY_LESS_THAN_VALUE: ordered((a, b) => a < b),
  KEY_LESS_THAN_OR_EQUAL_VALUE: ordered((a, b) => a <= b),
  STARTSWITH: (a, b) => typeof a === 'string' && typeof b === 'string' && a.startsWith(b),
  ENDSWITH: (a, b) => typeof a === 'string' && typeof b === 'string' && a.endsWith(b),
  IN: (a, b) => contains(b, a),
  NOT_IN: (a, b) => !contains(b, a),
  KEY_IN_VALUE: (a, b) => contains(b, a),
  KEY_NOT_IN_VALUE: (a, b) => !contains(b, a),
  VALUE_IN_KEY: (a, b) => contains(a, b),
  VALUE_NOT_IN_KEY: (a, b) => !contains(a, b),
  ALL_IN_VALUE: (a, b) => Array.isArray(a) && a.every((item) => contains(b, item)),
  ANY_IN_VALUE: (a, b) => Array.isArray(a) && a.some((item) => contains(b, item)),
  NONE_IN_VALUE: (a, b) => Array.isArray(a) && !a.some((item) => contains(b, item)),
  MODULO_RANGE: (a, b) => {
    const { BASE, START, END } = b as { BASE: number; START: number; END: number };
    if (typeof a !== 'number' || !Number.isInteger(a)) return false;
    // Python's % is never negative for a positive base; JavaScript's is, so fold it back.
    const rest = ((a % BASE) + BASE) % BASE;
    return START <= rest && rest <= END;
  },
  SCHEDULE_BETWEEN_TIME_RANGE: (_a, b, now) => inTimeRange(b as never, now),
  SCHEDULE_BETWEEN_DATETIME_RANGE: (_a, b, now) => inDateTimeRange(b as never, now),
  SCHEDULE_BETWEEN_DAYS_OF_WEEK: (_a, b, now) => onDaysOfWeek(b as never, now),
};

/** JSON equality: scalars by value, arrays and objects by content. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
