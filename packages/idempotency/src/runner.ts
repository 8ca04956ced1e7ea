import { randomUUID } from 'node:crypto';
import { backoff, remainingMs, retry, RetryError } from '@fleece/retry';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPersistenceError,
  IdempotencyResultTooLargeError,
  IdempotencyValidationError,
} from './errors.js';
import { hashValue, idempotencyKey } from './key.js';
import { LocalCache } from './local-cache.js';
import type { ResolvedOptions } from './options.js';
import type { IdempotencyRecord } from './persistence.js';
import { isMissing } from './selector.js';

/** What one call brings along besides its arguments. */
export interface CallScope {
  /** The key prefix for this call. */
  name: string;
  /** Milliseconds the invocation has left (`Infinity` when unknown). */
  remaining: () => number;
}

// A claim can fail and the record it lost to vanish before the read (its holder threw and
// released it, or it expired in between); the claim is then tried again, a few times at most.
const CLAIM_ATTEMPTS = 3;

/**
 * What a waiter keeps back from its deadline for its last poll (one GetItem) and its answer. The
 * last wait is shortened to end here: giving up because the next drawn delay would cross the
 * deadline threw away results stored in the invocation's last second.
 */
export const FINAL_POLL_RESERVE_MS = 100;

/** The claim, replay and completion logic shared by idempotent handlers and functions. */
export class IdempotencyRunner<A extends unknown[]> {
  readonly #options: ResolvedOptions<A>;
  readonly #cache: LocalCache | undefined;

  constructor(options: ResolvedOptions<A>) {
    this.#options = options;
    this.#cache = options.localCacheSize === undefined ? undefined : new LocalCache(options.localCacheSize);
  }

  /** Runs `invoke` once per key, or returns what the call that ran it stored. */
  async run<R>(args: A, scope: CallScope, invoke: () => Promise<R>): Promise<R> {
    const options = this.#options;
    const selected = options.key(...args);
    if (isMissing(selected)) {
      if (options.throwOnNoKey) throw new IdempotencyKeyMissingError(options.keyExpression);
      options.logger?.warn('idempotency key missing; running without idempotency', {
        expression: options.keyExpression,
      });
      return invoke();
    }
    const key = idempotencyKey(scope.name, selected);
    const payloadHash = options.payload ? hashValue(options.payload(...args)) : undefined;
    if (!options.wait) return this.#once(key, payloadHash, scope, invoke, false);

    let first: unknown;
    try {
      return await this.#once(key, payloadHash, scope, invoke, false);
    } catch (error) {
      if (!(error instanceof IdempotencyAlreadyInProgressError)) throw error;
      first = error;
    }
    const userDeadline = options.wait.options.deadline;
    const deadline = (): number => Math.min(sanitize(scope.remaining()), remainingMs(userDeadline));
    // The kernel's own delays are drawn here, so that each wait can be clamped to the deadline.
    const delays = backoff(options.wait.options);
    try {
      // Attempt 1 is the call above (so a passed deadline still got one try): rethrowing its error
      // makes the kernel wait one backoff delay before the first poll.
      return await retry(
        (attemptNo) => {
          if (attemptNo === 1) throw first;
          return this.#once(key, payloadHash, scope, invoke, true);
        },
        options.wait.with({
          retryOn: (error) => {
            if (!(error instanceof IdempotencyAlreadyInProgressError)) return false;
            const left = deadline() - FINAL_POLL_RESERVE_MS;
            if (left <= 0) return false;
            return Math.min(delays.next().value as number, left);
          },
          deadline,
        }),
      );
    } catch (error) {
      if (error instanceof RetryError) throw error.errors.at(-1) ?? first;
      throw error;
    }
  }

  /**
   * One attempt: the local cache, else a claim (and the handler), else the record that holds the
   * key. A poll (`'wait'`) reads first and claims only when the holder is gone: one request per
   * poll while the first call still runs.
   */
  async #once<R>(
    key: string,
    payloadHash: string | undefined,
    scope: CallScope,
    invoke: () => Promise<R>,
    poll: boolean,
  ): Promise<R> {
    const options = this.#options;
    const cached = this.#cache?.get(key, options.clock());
    if (cached) {
      this.#checkPayload(key, payloadHash, cached.payloadHash);
      return parse(cached.result) as R;
    }
    if (poll) {
      const record = await this.#read(key);
      const now = options.clock();
      if (record !== undefined && holds(record, now)) return this.#answer<R>(key, payloadHash, record, now);
    }
    for (let claims = 0; claims < CLAIM_ATTEMPTS; claims++) {
      const now = options.clock();
      const token = randomUUID();
      const expiresAt = now + options.expiresAfterMs;
      const remaining = sanitize(scope.remaining());
      // A claim lapses when its invocation must be dead. A remaining time of 0 lapses it now, not
      // never (Powertools took 0 for "unknown" and left such keys stuck in progress until expiry).
      const inProgressExpiresAt = Number.isFinite(remaining) ? Math.min(now + remaining, expiresAt) : expiresAt;
      let outcome;
      try {
        outcome = await options.persistence.claim({ key, token, expiresAt, inProgressExpiresAt, payloadHash, now });
      } catch (error) {
        throw new IdempotencyPersistenceError(`could not claim idempotency key ${key}`, { cause: error });
      }
      if (outcome.claimed) return this.#execute(key, token, payloadHash, invoke);

      const record = outcome.existing ?? (await this.#read(key));
      const later = options.clock();
      if (record !== undefined && holds(record, later)) return this.#answer<R>(key, payloadHash, record, later);
    }
    throw new IdempotencyAlreadyInProgressError(key, undefined);
  }

  async #read(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      return await this.#options.persistence.get(key);
    } catch (error) {
      throw new IdempotencyPersistenceError(`could not read idempotency key ${key}`, { cause: error });
    }
  }

  /** The stored result of a record that holds the key, or the in-progress error. */
  #answer<R>(key: string, payloadHash: string | undefined, record: IdempotencyRecord, now: number): R {
    this.#checkPayload(key, payloadHash, record.payloadHash);
    if (record.status === 'COMPLETED') {
      this.#cache?.set(key, { result: record.result, expiresAt: record.expiresAt, payloadHash: record.payloadHash });
      return parse(record.result) as R;
    }
    throw new IdempotencyAlreadyInProgressError(
      key,
      record.inProgressExpiresAt === undefined ? undefined : Math.max(0, record.inProgressExpiresAt - now),
    );
  }

  async #execute<R>(key: string, token: string, payloadHash: string | undefined, invoke: () => Promise<R>): Promise<R> {
    const options = this.#options;
    let result: R;
    try {
      result = await invoke();
    } catch (error) {
      await this.#release(key, token);
      throw error;
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(result);
    } catch (error) {
      await this.#release(key, token);
      throw new IdempotencyPersistenceError(`the result for idempotency key ${key} is not JSON-serialisable`, {
        cause: error,
      });
    }
    const expiresAt = options.clock() + options.expiresAfterMs;
    let stored: boolean;
    try {
      stored = await options.persistence.complete({ key, token, expiresAt, result: text, payloadHash });
    } catch (error) {
      // Without a stored result the claim only blocks retries: free the key.
      await this.#release(key, token);
      if (error instanceof IdempotencyResultTooLargeError) throw error;
      throw new IdempotencyPersistenceError(`could not store the result for idempotency key ${key}`, { cause: error });
    }
    if (stored) {
      this.#cache?.set(key, { result: text, expiresAt, payloadHash });
    } else {
      options.logger?.warn('idempotency claim lapsed before the result was stored; another call holds the key', { key });
    }
    return result;
  }

  async #release(key: string, token: string): Promise<void> {
    try {
      await this.#options.persistence.release(key, token);
    } catch (error) {
      // The original error matters more; the claim lapses on its own at its in-progress expiry.
      this.#options.logger?.warn('could not release idempotency claim; it lapses at its in-progress expiry', {
        key,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #checkPayload(key: string, expected: string | undefined, stored: string | undefined): void {
    // A record stored before validation was turned on has no hash to compare.
    if (expected !== undefined && stored !== undefined && expected !== stored) throw new IdempotencyValidationError(key);
  }
}

/** Whether a record still holds its key at `now` (the same test as the claim's condition). */
function holds(record: IdempotencyRecord, now: number): boolean {
  if (record.expiresAt < now) return false;
  if (record.status === 'INPROGRESS' && record.inProgressExpiresAt !== undefined && record.inProgressExpiresAt < now) {
    return false;
  }
  return true;
}

function sanitize(remaining: number): number {
  if (typeof remaining !== 'number' || Number.isNaN(remaining)) return Infinity;
  return Math.max(0, remaining);
}

function parse(text: string | undefined): unknown {
  return text === undefined ? undefined : JSON.parse(text);
}
