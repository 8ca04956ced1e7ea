import { BACKOFF_DEFAULTS, backoff, validateBackoff, type BackoffOptions, type Jitter } from './backoff.js';
import { RetryBudget } from './budget.js';
import { checkDeadline, type Deadline } from './deadline.js';
import { checkCount, checkFunction, invalid } from './validate.js';

/** What `retryOn` answers: retry (`true`), give up (`false`), or retry after this many ms. */
export type RetryDecision = boolean | number;

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The error of the attempt that failed. */
  error: unknown;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the kernel will wait before the next attempt. */
  delayMs: number;
}

/** Everything a retry can be told. Durations are milliseconds. */
export interface RetryPolicyOptions extends BackoffOptions {
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /**
   * Decides whether an error is worth another attempt. Return a number to wait that many ms
   * instead of the backoff delay (how a `Retry-After` header gets in). Default: retry every error.
   */
  retryOn?: (error: unknown, attempt: number) => RetryDecision;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Stop rather than wait past this. Default: the current invocation's deadline
   * ({@link withDeadline}), so retries never outlive the Lambda invocation.
   */
  deadline?: Deadline;
  /** A shared token bucket that rations retries. Off by default. */
  budget?: RetryBudget;
  /** Aborts the retry loop promptly, also mid-sleep. */
  signal?: AbortSignal;
  /** Clock in epoch ms, injectable for tests. Default `Date.now`. */
  clock?: () => number;
  /** How to wait, injectable for tests. Default a `setTimeout` that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * An immutable, validated set of retry options: the one type every fleece package accepts for
 * its retries. Derive variants with {@link RetryPolicy.with}.
 *
 * @example
 * const policy = new RetryPolicy({ retries: 3, base: 50 });
 * const throttled = policy.with({ base: 500 });
 */
export class RetryPolicy {
  /** The options as given, frozen. */
  readonly options: Readonly<RetryPolicyOptions>;

  /** @throws TypeError naming the option when one is invalid. */
  constructor(options: RetryPolicyOptions = {}) {
    validatePolicy(options);
    this.options = Object.freeze({ ...options });
  }

  /** Accepts a policy or plain options, so APIs can take either. */
  static from(value: RetryPolicy | RetryPolicyOptions | undefined): RetryPolicy {
    return value instanceof RetryPolicy ? value : new RetryPolicy(value);
  }

  /** A new policy with these options replacing this one's. */
  with(overrides: RetryPolicyOptions): RetryPolicy {
    return new RetryPolicy({ ...this.options, ...overrides });
  }

  /** Retries after the first attempt. */
  get retries(): number {
    return this.options.retries ?? 5;
  }

  /** Delay before the first retry, before jitter. */
  get base(): number {
    return this.options.base ?? BACKOFF_DEFAULTS.base;
  }

  /** Largest delay. */
  get cap(): number {
    return this.options.cap ?? BACKOFF_DEFAULTS.cap;
  }

  /** Growth per retry. */
  get factor(): number {
    return this.options.factor ?? BACKOFF_DEFAULTS.factor;
  }

  /** How delays are randomised. */
  get jitter(): Jitter {
    return this.options.jitter ?? BACKOFF_DEFAULTS.jitter;
  }

  /** A fresh sequence of this policy's delays. */
  delays(): IterableIterator<number> {
    return backoff(this.options);
  }
}

function validatePolicy(options: RetryPolicyOptions): void {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  checkCount('retries', options.retries);
  validateBackoff(options);
  checkFunction('retryOn', options.retryOn);
  checkFunction('onRetry', options.onRetry);
  checkFunction('clock', options.clock);
  checkFunction('sleep', options.sleep);
  checkDeadline('deadline', options.deadline);
  if (options.budget !== undefined && !(options.budget instanceof RetryBudget)) {
    invalid('budget', 'a RetryBudget', options.budget);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    invalid('signal', 'an AbortSignal', options.signal);
  }
}
