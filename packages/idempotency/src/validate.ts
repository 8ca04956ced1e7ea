/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/idempotency: option "${option}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks an optional callback. */
export function checkFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') invalid(option, 'a function', value);
}

/** Checks an optional non-empty string. */
export function checkName(option: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    invalid(option, 'a non-empty string', value);
  }
}

/** Checks an optional boolean. */
export function checkBoolean(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') invalid(option, 'a boolean', value);
}

/** Checks an optional positive finite number. */
export function checkPositive(option: string, value: unknown, unit: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalid(option, `a finite number of ${unit} > 0`, value);
  }
}

/** Checks an optional structural logger: an object with debug, info, warn and error functions. */
export function checkLogger(option: string, value: unknown): void {
  if (value === undefined) return;
  const logger = value as Record<string, unknown> | null;
  if (
    logger === null ||
    typeof logger !== 'object' ||
    !['debug', 'info', 'warn', 'error'].every((level) => typeof logger[level] === 'function')
  ) {
    invalid(option, 'a logger with debug, info, warn and error functions', value);
  }
}
