import { RetryBudget, RetryPolicy, type RetryEvent } from '@fleece/retry';
import { checkCount, checkFunction, checkKeys, checkMs, invalid, isPlainObject } from './validate.js';

/**
 * urllib3's `Retry` options, camel-cased. Durations are **milliseconds** (urllib3's are seconds:
 * `backoff_factor=0.5` is `backoffFactor: 500`).
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 10 (urllib3's). */
  total?: number;
  /**
   * The n-th retry waits `backoffFactor × 2^(n−1)` ms, at most `backoffMax`. Default 100.
   * In ms: values between 0 and 10 are rejected, as they are almost surely seconds.
   */
  backoffFactor?: number;
  /** Longest backoff wait, ms. Default 120 000 (urllib3's 120 s). */
  backoffMax?: number;
  /** Response statuses to retry (for the methods in `allowedMethods`). Default none. */
  statusForcelist?: readonly number[];
  /**
   * Methods whose requests are retried after they reached the server (read errors, read
   * timeouts, statuses). Connection failures are retried for every method: the server never saw
   * the request. Default the idempotent ones: DELETE, GET, HEAD, OPTIONS, PUT, TRACE.
   */
  allowedMethods?: readonly string[];
  /** Wait as `Retry-After` says on 413, 429 and 503 (and retry those when it is present). Default true. */
  respectRetryAfter?: boolean;
  /** Longest `Retry-After` wait, ms; a longer ask waits this long. Default 120 000. */
  maxRetryAfter?: number;
  /** A shared @fleece/retry budget that rations retries across requests. Off by default. */
  budget?: RetryBudget;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (event: RetryEvent) => void;
  /** Clock in epoch ms, injectable for tests. Default `Date.now`. */
  clock?: () => number;
  /** How to wait, injectable for tests. Default a timer that an abort cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Retries: a total count, urllib3-style {@link RetryOptions}, or a @fleece/retry `RetryPolicy`. */
export type Retries = number | RetryOptions | RetryPolicy;

/** The defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS = Object.freeze({
  total: 10,
  backoffFactor: 100,
  backoffMax: 120_000,
  statusForcelist: Object.freeze([] as number[]),
  allowedMethods: Object.freeze(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'TRACE']),
  respectRetryAfter: true,
  maxRetryAfter: 120_000,
});

const KEYS: readonly (keyof RetryOptions)[] = [
  'total',
  'backoffFactor',
  'backoffMax',
  'statusForcelist',
  'allowedMethods',
  'respectRetryAfter',
  'maxRetryAfter',
  'budget',
  'onRetry',
  'clock',
  'sleep',
];

/** Everything a request needs to know about its retries, validated. */
export interface RetryPlan {
  /** Retries after the first attempt. */
  readonly total: number;
  readonly statusForcelist: ReadonlySet<number>;
  readonly allowedMethods: ReadonlySet<string>;
  readonly respectRetryAfter: boolean;
  readonly maxRetryAfter: number;
  /** ms before retry n (from 1); `undefined` leaves the wait to the policy's own backoff. */
  readonly delay: ((retry: number) => number) | undefined;
  /** The kernel's options: count, budget, callbacks, clock, sleep, deadline. */
  readonly policy: RetryPolicy;
}

/**
 * urllib3's backoff: the n-th retry (from 1) waits `factor × 2^(n−1)`, at most `max`.
 * (urllib3's code skips the first wait; the rule as documented, used here, does not.)
 */
export function backoffDelay(factor: number, max: number, retry: number): number {
  return Math.min(max, factor * 2 ** (retry - 1));
}

/** Validates `retries`; `undefined` stays `undefined` (the next layer decides). */
export function parseRetries(option: string, value: unknown): RetryPlan | undefined {
  if (value === undefined) return undefined;
  if (value instanceof RetryPolicy) {
    return Object.freeze({
      total: value.retries,
      statusForcelist: new Set<number>(),
      allowedMethods: new Set(RETRY_DEFAULTS.allowedMethods),
      respectRetryAfter: RETRY_DEFAULTS.respectRetryAfter,
      maxRetryAfter: RETRY_DEFAULTS.maxRetryAfter,
      delay: undefined,
      policy: value,
    });
  }
  if (typeof value === 'number') {
    checkCount(option, value);
    return fromOptions(option, { total: value });
  }
  if (!isPlainObject(value)) invalid(option, 'a count, urllib3-style retry options or a RetryPolicy', value);
  return fromOptions(option, value as RetryOptions);
}

function fromOptions(option: string, options: RetryOptions): RetryPlan {
  checkKeys(option, options, KEYS);
  checkCount(`${option}.total`, options.total);
  checkMs(`${option}.backoffFactor`, options.backoffFactor);
  if (options.backoffFactor !== undefined && options.backoffFactor > 0 && options.backoffFactor < 10) {
    invalid(
      `${option}.backoffFactor`,
      `milliseconds (0 or >= 10; urllib3's backoff_factor=${options.backoffFactor} s is backoffFactor: ${options.backoffFactor * 1000})`,
      options.backoffFactor,
    );
  }
  checkMs(`${option}.backoffMax`, options.backoffMax);
  checkMs(`${option}.maxRetryAfter`, options.maxRetryAfter);
  const statuses = options.statusForcelist ?? RETRY_DEFAULTS.statusForcelist;
  if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    invalid(`${option}.statusForcelist`, 'an array of HTTP status codes (100–599)', statuses);
  }
  const methods = options.allowedMethods ?? RETRY_DEFAULTS.allowedMethods;
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m))) {
    invalid(`${option}.allowedMethods`, 'an array of HTTP method names', methods);
  }
  if (options.respectRetryAfter !== undefined && typeof options.respectRetryAfter !== 'boolean') {
    invalid(`${option}.respectRetryAfter`, 'a boolean', options.respectRetryAfter);
  }
  if (options.budget !== undefined && !(options.budget instanceof RetryBudget)) {
    invalid(`${option}.budget`, 'a RetryBudget from @fleece/retry', options.budget);
  }
  checkFunction(`${option}.onRetry`, options.onRetry);
  checkFunction(`${option}.clock`, options.clock);
  checkFunction(`${option}.sleep`, options.sleep);
  const total = options.total ?? RETRY_DEFAULTS.total;
  const factor = options.backoffFactor ?? RETRY_DEFAULTS.backoffFactor;
  const max = options.backoffMax ?? RETRY_DEFAULTS.backoffMax;
  return Object.freeze({
    total,
    statusForcelist: new Set(statuses),
    allowedMethods: new Set(methods.map((m) => m.toUpperCase())),
    respectRetryAfter: options.respectRetryAfter ?? RETRY_DEFAULTS.respectRetryAfter,
    maxRetryAfter: options.maxRetryAfter ?? RETRY_DEFAULTS.maxRetryAfter,
    delay: (retry: number) => backoffDelay(factor, max, retry),
    policy: new RetryPolicy({
      retries: total,
      jitter: 'none',
      budget: options.budget,
      onRetry: options.onRetry,
      clock: options.clock,
      sleep: options.sleep,
    }),
  });
}

let none: RetryPlan | undefined;

/** No retries at all: the built-in default (made on first use, not at import). */
export function noRetries(): RetryPlan {
  none ??= parseRetries('retries', 0) as RetryPlan;
  return none;
}
