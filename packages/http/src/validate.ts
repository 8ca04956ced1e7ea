/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/http: option "${option}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `an object with keys ${JSON.stringify(Object.keys(value))}`;
  return String(value);
}

/** Checks a timeout: a finite number of milliseconds above zero. */
export function checkPositiveMs(option: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalid(option, 'a finite number of milliseconds > 0', value);
  }
}

/** Checks a wait: a finite number of milliseconds, zero or more. */
export function checkMs(option: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(option, 'a finite number of milliseconds >= 0', value);
  }
}

/** Checks a count: an integer, zero or more. */
export function checkCount(option: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalid(option, 'an integer >= 0', value);
  }
}

/** Checks an optional callback. */
export function checkFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') invalid(option, 'a function', value);
}

/** Checks that a plain options object has no keys outside `known`, so a typo fails loudly. */
export function checkKeys(option: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const hint = known.find((k) => k.toLowerCase() === key.replace(/_/g, '').toLowerCase());
      throw new TypeError(
        `@fleece/http: option "${option}" has an unknown key "${key}"` +
          (hint ? ` (did you mean "${hint}"?)` : `; known keys: ${known.join(', ')}`),
      );
    }
  }
}

/** True for a plain object (not an array, not null, not a class instance with its own prototype). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
