import { RetryPolicy, type RetryPolicyOptions } from '@fleece/retry';
import type { IdempotencyPersistence } from './persistence.js';
import { selector, type Selector } from './selector.js';
import { checkBoolean, checkFunction, checkLogger, checkName, checkPositive, invalid } from './validate.js';

/** A structural logger: `console`, winston, or @fleece/log fit. Only warnings are ever written. */
export interface IdempotencyLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Options of {@link idempotent} and {@link idempotentFunction}. `A` is the wrapped function's parameter list. */
export interface IdempotencyOptions<A extends unknown[] = unknown[]> {
  /** Where records live, e.g. `new DynamoDBPersistence({ tableName })`. Required. */
  persistence: IdempotencyPersistence;
  /**
   * What makes two calls the same: a JMESPath expression over the event (the first argument),
   * with header names matched case-insensitively (`headers."idempotency-key"`), or a function of
   * the arguments. Default: the whole event (first argument).
   */
  key?: string | Selector<A>;
  /**
   * A JMESPath expression (or function) selecting the part of the event that must be the same on
   * a replay; a replay with a different value throws {@link IdempotencyValidationError}. Off by default.
   */
  payloadValidation?: string | Selector<A>;
  /** How long a record counts, in **seconds** (DynamoDB TTL is epoch seconds). Default 3600. */
  expiresAfterSeconds?: number;
  /**
   * Throw {@link IdempotencyKeyMissingError} when the key is missing. Default `false`: the call
   * runs without idempotency and a warning is logged.
   */
  throwOnNoKey?: boolean;
  /**
   * Keep completed records in memory (an LRU bounded by `maxSize` bytes, default 1 MiB), so a
   * replay on a warm container needs no request. `true` uses the defaults. Off by default.
   */
  localCache?: boolean | { maxSize?: number };
  /**
   * What a call does when another holds its key: `'throw'` (default) throws
   * {@link IdempotencyAlreadyInProgressError}; `'wait'` polls on the retry kernel's backoff until
   * the result is stored (and returns it) or the invocation's deadline comes (and throws).
   */
  onInProgress?: 'throw' | 'wait';
  /**
   * The polling of `'wait'`. Default `{ base: 100, cap: 1000, jitter: 'equal', retries: 120 }`. The
   * deadline always bounds it: the last wait is shortened so the last poll comes just before it.
   */
  waitPolicy?: RetryPolicy | RetryPolicyOptions;
  /**
   * The key prefix. Default: for a handler, the Lambda function name; for a function, the Lambda
   * function name (when running in Lambda) and the function's name, `my-fn.chargeCard`.
   */
  name?: string;
  /** Receives warnings (missing key without `throwOnNoKey`, a claim lost or not released). */
  logger?: IdempotencyLogger;
  /** Clock in epoch ms, injectable for tests. Default `Date.now`. */
  clock?: () => number;
}

/** The options once validated, with defaults applied. */
export interface ResolvedOptions<A extends unknown[]> {
  persistence: IdempotencyPersistence;
  key: Selector<A>;
  keyExpression: string;
  payload: Selector<A> | undefined;
  expiresAfterMs: number;
  throwOnNoKey: boolean;
  localCacheSize: number | undefined;
  wait: RetryPolicy | undefined;
  name: string | undefined;
  logger: IdempotencyLogger | undefined;
  clock: () => number;
}

/** Defaults of the in-progress polling, in ms. */
// Equal jitter keeps every wait at the cap between 500 and 1000 ms: at most 2 reads per waiter per
// second (full jitter drew waits near 0 as often as near the cap, so 49 waiters read in bursts).
export const WAIT_DEFAULTS: RetryPolicyOptions = { base: 100, cap: 1000, jitter: 'equal', retries: 120 };

/** Default local cache budget in bytes. */
export const LOCAL_CACHE_DEFAULT_SIZE = 1024 * 1024;

const PERSISTENCE_METHODS = ['claim', 'get', 'complete', 'release'] as const;

/** Validates `options` and applies the defaults. @throws TypeError naming the bad option. */
export function resolveOptions<A extends unknown[]>(options: IdempotencyOptions<A>): ResolvedOptions<A> {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const persistence = options.persistence as unknown as Record<string, unknown> | undefined;
  if (
    persistence === null ||
    typeof persistence !== 'object' ||
    !PERSISTENCE_METHODS.every((method) => typeof persistence[method] === 'function')
  ) {
    invalid('persistence', 'an IdempotencyPersistence such as new DynamoDBPersistence({ tableName })', persistence);
  }
  checkPositive('expiresAfterSeconds', options.expiresAfterSeconds, 'seconds');
  checkBoolean('throwOnNoKey', options.throwOnNoKey);
  checkName('name', options.name);
  checkLogger('logger', options.logger);
  checkFunction('clock', options.clock);
  const onInProgress = options.onInProgress ?? 'throw';
  if (onInProgress !== 'throw' && onInProgress !== 'wait') invalid('onInProgress', "'throw' or 'wait'", onInProgress);
  if (options.waitPolicy !== undefined && onInProgress !== 'wait') {
    invalid('waitPolicy', "used only with onInProgress: 'wait'", 'a policy');
  }
  return {
    persistence: options.persistence,
    key: options.key === undefined ? (...args: A) => args[0] : selector('key', options.key),
    keyExpression: typeof options.key === 'string' ? options.key : options.key === undefined ? '@' : 'function',
    payload: options.payloadValidation === undefined ? undefined : selector('payloadValidation', options.payloadValidation),
    expiresAfterMs: (options.expiresAfterSeconds ?? 3600) * 1000,
    throwOnNoKey: options.throwOnNoKey ?? false,
    localCacheSize: resolveLocalCache(options.localCache),
    wait: onInProgress === 'wait' ? new RetryPolicy({ ...WAIT_DEFAULTS, ...policyOptions(options.waitPolicy) }) : undefined,
    name: options.name?.trim(),
    logger: options.logger,
    clock: options.clock ?? Date.now,
  };
}

function policyOptions(policy: RetryPolicy | RetryPolicyOptions | undefined): RetryPolicyOptions {
  if (policy === undefined) return {};
  if (policy instanceof RetryPolicy) return policy.options;
  if (policy === null || typeof policy !== 'object') invalid('waitPolicy', 'a RetryPolicy or its options', policy);
  return policy;
}

function resolveLocalCache(localCache: IdempotencyOptions['localCache']): number | undefined {
  if (localCache === undefined || localCache === false) return undefined;
  if (localCache === true) return LOCAL_CACHE_DEFAULT_SIZE;
  if (localCache === null || typeof localCache !== 'object') invalid('localCache', 'a boolean or { maxSize }', localCache);
  const maxSize = localCache.maxSize;
  if (maxSize !== undefined && (typeof maxSize !== 'number' || !Number.isInteger(maxSize) || maxSize <= 0)) {
    invalid('localCache.maxSize', 'an integer number of bytes > 0', maxSize);
  }
  return maxSize ?? LOCAL_CACHE_DEFAULT_SIZE;
}
