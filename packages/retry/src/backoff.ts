import { checkFunction, checkMs, invalid } from './validate.js';

/**
 * How a delay is randomised around its exponential value.
 *
 * - `'full'`: uniform in [0, exponential delay] (the best spread when many callers retry at once).
 * - `'equal'`: half the exponential delay plus a uniform draw from the other half.
 * - `'decorrelated'`: uniform in [base, 3 × previous delay], capped.
 * - `'none'`: the exponential delay itself.
 */
export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

/** The shape of the delays between attempts. Durations are milliseconds. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 100. */
  base?: number;
  /** Largest delay ever produced. Default 1000. */
  cap?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** How the delay is randomised. Default `'full'`. */
  jitter?: Jitter;
  /** Source of randomness in [0, 1), injectable for deterministic tests. Default `Math.random`. */
  random?: () => number;
}

const JITTERS: readonly Jitter[] = ['full', 'equal', 'decorrelated', 'none'];

/** The defaults of the Python fleece RetryHandler, in milliseconds. */
export const BACKOFF_DEFAULTS = { base: 100, cap: 1000, factor: 2, jitter: 'full' } as const;

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

/**
 * An endless sequence of delays in milliseconds, one per retry.
 *
 * With `jitter: 'none'`, base 100 and cap 1000 it yields 100, 200, 400, 800, 1000, 1000, …
 *
 * @throws TypeError naming the option when an option is invalid (checked here, not at first use).
 */
export function backoff(options: BackoffOptions = {}): IterableIterator<number> {
  validateBackoff(options);
  const base = options.base ?? BACKOFF_DEFAULTS.base;
  const cap = options.cap ?? BACKOFF_DEFAULTS.cap;
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  const jitter = options.jitter ?? BACKOFF_DEFAULTS.jitter;
  const random = options.random ?? Math.random;
  return delays(base, cap, factor, jitter, random);
}

function* delays(
  base: number,
  cap: number,
  factor: number,
  jitter: Jitter,
  random: () => number,
): IterableIterator<number> {
  let previous = base;
  for (let retry = 0; ; retry++) {
    // Once the exponential value reaches the cap it stays there; this also avoids Infinity.
    const exponential = Math.min(cap, base * factor ** retry);
    switch (jitter) {
      case 'none':
        yield exponential;
        break;
      case 'full':
        yield random() * exponential;
        break;
      case 'equal':
        yield exponential / 2 + (random() * exponential) / 2;
        break;
      case 'decorrelated':
        previous = Math.min(cap, base + random() * (previous * 3 - base));
        yield previous;
        break;
    }
  }
}
