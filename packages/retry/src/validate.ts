import type { BackoffOptions, Jitter } from './backoff.js';

const JITTERS: readonly Jitter[] = ['full', 'equal', 'decorrelated', 'none'];

/** Throws a TypeError that names the option and the value it got. */
export function invalid(option: string, expected: string, got: unknown): never {
  throw new TypeError(`@fleece/retry: option "${option}" must be ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
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

/** Validates the backoff options, so a bad policy fails where it is built. */
export function validateBackoff(options: BackoffOptions): void {
  checkMs('base', options.base);
  checkMs('cap', options.cap);
  if (options.factor !== undefined) {
    const factor = options.factor;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
      invalid('factor', 'a finite number >= 1', factor);
    }
  }
  const base = options.base ?? 100;
  const cap = options.cap ?? 1000;
  if (cap < base) invalid('cap', `>= base (${base})`, cap);
  if (options.jitter !== undefined && !JITTERS.includes(options.jitter)) {
    invalid('jitter', `one of ${JITTERS.map((j) => `'${j}'`).join(', ')}`, options.jitter);
  }
  checkFunction('random', options.random);
}
