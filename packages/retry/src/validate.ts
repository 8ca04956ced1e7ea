/**
 * Throws the one option error every fleece package throws:
 * `@fleece/<pkg>: option "x" must be …, got …`, a TypeError naming the option and the value.
 *
 * @param pkg - the package folder name (`'aws'`, `'log'`), without the scope.
 * @param expected - what the option must be, read after "must be" (`'a function'`).
 */
export function invalidOption(pkg: string, option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/${pkg}: option "${option}" must be ${expected}, got ${describeValue(got)}`);
}

/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  invalidOption('retry', option, expected, got);
}

/**
 * A value as option errors show it: strings quoted, functions and objects by kind, never their
 * contents (an option value can hold a secret).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'symbol') return 'a symbol';
  return String(value);
}

/** Checks a duration-like option: a finite number of milliseconds, zero or more. */
export function checkMs(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(option, 'a finite number of milliseconds >= 0', value);
  }
}

/** Checks a count: an integer, zero or more. */
export function checkCount(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalid(option, 'an integer >= 0', value);
  }
}

/** Checks an optional callback. */
export function checkFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') invalid(option, 'a function', value);
}
