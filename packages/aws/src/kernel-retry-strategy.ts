import { currentDeadline, remainingMs, RetryPolicy, sleep, type RetryPolicyOptions } from '@fleece/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { recordRefusal } from './deadline-error.js';
import { invalid } from './validate.js';

/** How throttling errors back off, next to the policy. Durations are milliseconds. */
export interface KernelRetryStrategyOptions {
  /**
   * Delay before the first retry after a throttling error, before jitter. Default five times the
   * policy's `base` (the SDK's own ratio: 100 ms ordinary, 500 ms throttled). The cap is the
   * larger of this and the policy's `cap`.
   */
  throttlingBase?: number;
}

/** The ratio of the throttling base to the ordinary base, as in the SDK's standard mode. */
export const THROTTLING_BASE_FACTOR = 5;

/** The retry token the strategy hands the SDK: one per call, renewed per retry. */
class KernelRetryToken implements RetryToken {
  /** The SDK adds this to `$metadata.totalRetryDelay`; the strategy waits itself, as the SDK's own do. */
  readonly $retryLog: { acquisitionDelay: number };

  constructor(
    readonly retries: number,
    readonly errors: readonly unknown[],
    readonly delays: Iterator<number> | undefined,
    readonly throttlingDelays: Iterator<number> | undefined,
    waited: number,
  ) {
    this.$retryLog = { acquisitionDelay: waited };
  }

  getRetryCount(): number {
    return this.retries;
  }

  getRetryDelay(): number {
    return 0;
  }
}

/**
 * An AWS SDK v3 retry strategy (`RetryStrategyV2`) on the `@fleece/retry` kernel: it retries
 * throttling and transient errors (timeouts, connection resets, 500/502/503/504) with the
 * policy's backoff, throttling from a longer base; it asks the policy's `retryOn` (which may
 * refuse or set the delay), pays each retry from the policy's `budget`, calls `onRetry`, and
 * never waits past the deadline (the policy's, else the current invocation's). The SDK's
 * `$metadata.attempts` and `totalRetryDelay` stay truthful.
 *
 * `client()` installs one on every client it makes; pass one as `retryStrategy` to any SDK client.
 *
 * @example
 * new S3Client({ retryStrategy: new KernelRetryStrategy({ retries: 4, base: 50 }) });
 */
export class KernelRetryStrategy implements RetryStrategyV2 {
  /** The policy for ordinary retries. */
  readonly policy: RetryPolicy;
  /** The same policy with the throttling base. */
  readonly throttlingPolicy: RetryPolicy;

  /** @throws TypeError naming the option when one is invalid. */
  constructor(policy: RetryPolicy | RetryPolicyOptions = {}, options: KernelRetryStrategyOptions = {}) {
    this.policy = RetryPolicy.from(policy);
    const throttlingBase = options.throttlingBase ?? this.policy.base * THROTTLING_BASE_FACTOR;
    if (typeof throttlingBase !== 'number' || !Number.isFinite(throttlingBase) || throttlingBase < 0) {
      invalid('throttlingBase', 'a finite number of milliseconds >= 0', throttlingBase);
    }
    this.throttlingPolicy = this.policy.with({ base: throttlingBase, cap: Math.max(this.policy.cap, throttlingBase) });
  }

  /** Milliseconds left before the policy's deadline, else the current invocation's (`Infinity` without). */
  remainingMs(): number {
    return remainingMs(this.policy.options.deadline ?? currentDeadline(), this.policy.options.clock ?? Date.now);
  }

  async acquireInitialRetryToken(_retryTokenScope: string): Promise<RetryToken> {
    // Delay sequences are made on the first failure: most calls never need them.
    return new KernelRetryToken(0, [], undefined, undefined, 0);
  }

  async refreshRetryTokenForRetry(tokenToRenew: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    if (!(tokenToRenew instanceof KernelRetryToken)) {
      invalid('tokenToRenew', 'a token from this strategy', tokenToRenew);
    }
    const { signal, budget, retryOn, onRetry } = this.policy.options;
    const error = errorInfo.error;
    const attempt = tokenToRenew.retries + 1;
    const errors = [...tokenToRenew.errors, error];
    const left = this.remainingMs();
    // The SDK rethrows the attempt's error and drops ours; the record lets fleece's middleware
    // explain a deadline cut and list every attempt's error.
    const refuse = (deadlineDelayMs?: number): never => {
      recordRefusal(error, { attempts: attempt, errors, remainingMs: left, deadlineDelayMs });
      throw new Error('@fleece/aws: retry refused');
    };
    if (signal?.aborted) refuse();
    if (errorInfo.errorType !== 'THROTTLING' && errorInfo.errorType !== 'TRANSIENT') refuse();
    const decision = retryOn ? retryOn(error, attempt) : true;
    if (decision === false) refuse();
    if (attempt > this.policy.retries) refuse();

    const throttled = errorInfo.errorType === 'THROTTLING';
    // Both sequences advance on every retry, so the n-th retry has the n-th delay of its kind.
    const delays = tokenToRenew.delays ?? this.policy.delays();
    const throttlingDelays = tokenToRenew.throttlingDelays ?? this.throttlingPolicy.delays();
    const ordinary = delays.next().value as number;
    const throttling = throttlingDelays.next().value as number;
    let delayMs = throttled ? throttling : ordinary;
    if (typeof decision === 'number' && Number.isFinite(decision) && decision >= 0) {
      delayMs = decision;
    } else if (errorInfo.retryAfterHint instanceof Date) {
      // The service asked for a pause: honour it, but never beyond the cap of this kind of retry.
      const clock = this.policy.options.clock ?? Date.now;
      const cap = (throttled ? this.throttlingPolicy : this.policy).cap;
      delayMs = Math.max(delayMs, Math.min(errorInfo.retryAfterHint.getTime() - clock(), cap));
    }

    if (delayMs >= left) refuse(delayMs);
    if (budget && !budget.tryAcquire()) refuse();
    onRetry?.({ error, attempt, delayMs });
    if (delayMs > 0) await (this.policy.options.sleep ?? sleep)(delayMs, signal);
    return new KernelRetryToken(attempt, errors, delays, throttlingDelays, delayMs);
  }

  recordSuccess(_token: RetryToken): void {
    this.policy.options.budget?.recordSuccess();
  }
}
