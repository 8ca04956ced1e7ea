/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/testing: option "${option}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks an optional duration: a finite number of milliseconds, zero or more. */
export function checkMs(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(option, 'a finite number of milliseconds >= 0', value);
  }
}

/** Checks an optional TCP/UDP port: 0 (any free port) to 65535. */
export function checkPort(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    invalid(option, 'an integer port from 0 to 65535', value);
  }
}

/** Checks an optional non-empty string. */
export function checkString(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) invalid(option, 'a non-empty string', value);
}

/** Checks an optional plain object. */
export function checkObject(option: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(option, 'an object', value);
}
