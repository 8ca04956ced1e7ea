/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/aws: option "${option}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Checks a timeout: a finite number of milliseconds above zero. Zero is refused because the SDK
 * reads it as "no timeout", which is exactly what this package exists to prevent.
 */
export function checkTimeout(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalid(option, 'a finite number of milliseconds > 0', value);
  }
}
