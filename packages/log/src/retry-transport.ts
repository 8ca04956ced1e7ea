import { currentDeadline, remainingMs, retry, RetryError, RetryPolicy, type Deadline, type RetryPolicyOptions } from '@fleece/retry';
import { Writable } from 'node:stream';
import { LEVELS } from './levels.js';
import { LEVEL, type LogInfo } from './root.js';

/** winston's `log(info, next)`: sends one entry. */
type LogMethod = (info: LogInfo, next: (error?: unknown) => void) => unknown;

/**
 * The winston transport a {@link RetryTransport} wraps: anything with winston's `log(info, next)`
 * (optional in winston-transport's types, required here and checked at construction).
 */
export interface WinstonTransport {
  /**
   * Sends one entry. Failure is seen when it throws, calls `next(error)`, returns a rejected
   * promise, or emits `error` before calling `next`.
   */
  log?: LogMethod;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
  level?: string;
  levels?: Record<string, number>;
  format?: LogFormat;
  silent?: boolean;
  close?(): void;
}

/** A logform format, as winston transports carry one. */
export interface LogFormat {
  /** The transformed entry, or a falsy value to drop it. */
  transform(info: LogInfo, options?: unknown): LogInfo | boolean;
  options?: object;
}

/** What winston's logger exposes to the transports piped from it. */
interface ParentLogger {
  level?: string;
  levels?: Record<string, number>;
}

/** Options of a {@link RetryTransport}: the retry kernel's, plus what to do when it gives up. */
export interface RetryTransportOptions extends RetryPolicyOptions {
  /**
   * When the retries run out: `true` (default) drops the entry silently, counted in
   * {@link RetryTransport.dropped}; `false` also emits `error` with the first failure.
   */
  ignoreErrors?: boolean;
  /** An attempt that neither succeeds nor fails within this many ms has failed. Default 10000. */
  attemptTimeoutMs?: number;
  /** Entries waiting for delivery at most; more are dropped (and counted). Default 1000. */
  maxQueue?: number;
  /** The wrapper's own winston level filter (the wrapped transport's still applies). Default: the parent logger's. */
  level?: string;
  /** The wrapper's own logform format, applied before the wrapped transport's. */
  format?: LogFormat;
  /** Drop everything, as winston's `silent`. */
  silent?: boolean;
  /** Accept winston's uncaught-exception entries. */
  handleExceptions?: boolean;
  /** Accept winston's unhandled-rejection entries. */
  handleRejections?: boolean;
}

/** Why an entry could not be handed to the wrapped transport, besides the transport's own errors. */
export type LogDeliveryReason = 'timeout' | 'queue-full' | 'rejected';

/** An attempt timed out, the queue was full, or the transport failed without saying why. */
export class LogDeliveryError extends Error {
  override readonly name = 'LogDeliveryError';
  /** What went wrong. */
  readonly reason: LogDeliveryReason;

  constructor(reason: LogDeliveryReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * A winston transport that retries another one: each entry the wrapped transport fails to take is
 * retried on the `@fleece/retry` kernel (by default 5 retries, base 100 ms, cap 1000 ms, full
 * jitter: the Python fleece RetryHandler's numbers in ms). Entries are delivered one at a time, in
 * order. When the retries run out, or the invocation deadline (`withDeadline`, which
 * `injectRequestIds` sets) would be crossed, the entry is dropped and counted.
 *
 * It never throws into the logging code and never leaves an unhandled rejection: `log()` returns
 * at once and the delivery runs behind it; {@link RetryTransport.flush} awaits it.
 *
 * It is a winston transport (an object-mode Writable with winston-transport's `log`, `level`,
 * `format`, `silent` and parent-level behaviour), so it goes in `winston.createLogger` as well as in
 * `setupRootLogger`. It is built on Node's own Writable rather than winston-transport's, so that
 * importing `@fleece/log` loads no winston code: a Lambda that never ships logs elsewhere does not
 * pay for readable-stream at cold start (see the README's figures).
 *
 * @example
 * setupRootLogger({ transports: [new RetryTransport(new WinstonCloudWatch({ logGroupName }))] });
 */
export class RetryTransport extends Writable {
  /** The wrapped transport. */
  readonly transport: WinstonTransport;
  /** The validated retry options. */
  readonly policy: RetryPolicy;
  /** Whether giving up is silent (`true`) or emits `error` (`false`). */
  readonly ignoreErrors: boolean;
  /** Attempt timeout, ms. */
  readonly attemptTimeoutMs: number;
  /** Queue bound, entries. */
  readonly maxQueue: number;
  /** winston's level numbers; replaced by the parent logger's when piped from one. */
  levels: Record<string, number> = { ...LEVELS };
  /** The wrapper's own level; without one, the parent logger's applies. */
  level: string | undefined;
  /** The wrapper's own logform format. */
  format: LogFormat | undefined;
  /** Drops everything when true. */
  silent: boolean | undefined;
  /** Accepts winston's uncaught-exception entries when true. */
  handleExceptions: boolean | undefined;
  /** Accepts winston's unhandled-rejection entries when true. */
  handleRejections: boolean | undefined;
  /** The winston logger this transport is piped from, if any. */
  parent: ParentLogger | null = null;
  #dropped = 0;
  #delivered = 0;
  #strayErrors = 0;
  #queued = 0;
  #tail: Promise<void> = Promise.resolve();
  /** Settles the attempt in flight; `error` events of the wrapped transport go there. */
  #current: ((error?: unknown) => void) | undefined;

  /** @throws TypeError naming the argument or option that is invalid. */
  constructor(transport: WinstonTransport, options: RetryTransportOptions = {}) {
    if (typeof (transport as WinstonTransport | null)?.log !== 'function') {
      throw new TypeError(`@fleece/log: transport must be a winston transport with a log(info, next) method, got ${String(transport)}`);
    }
    if (options === null || typeof options !== 'object') throw new TypeError(`@fleece/log: options must be an object, got ${String(options)}`);
    const { ignoreErrors = true, attemptTimeoutMs = 10_000, maxQueue = 1000, level, format, silent, handleExceptions, handleRejections, ...policy } = options;
    if (typeof ignoreErrors !== 'boolean') throw new TypeError(`@fleece/log: option "ignoreErrors" must be a boolean, got ${String(ignoreErrors)}`);
    if (typeof attemptTimeoutMs !== 'number' || Number.isNaN(attemptTimeoutMs) || attemptTimeoutMs <= 0) {
      throw new TypeError(`@fleece/log: option "attemptTimeoutMs" must be a number of milliseconds > 0 (Infinity for none), got ${String(attemptTimeoutMs)}`);
    }
    if (typeof maxQueue !== 'number' || !Number.isInteger(maxQueue) || maxQueue < 1) {
      throw new TypeError(`@fleece/log: option "maxQueue" must be an integer >= 1, got ${String(maxQueue)}`);
    }
    // Not checked against LEVELS: a winston logger may pipe in with its own (syslog) levels.
    if (level !== undefined && (typeof level !== 'string' || level === '')) {
      throw new TypeError(`@fleece/log: option "level" must be a level name, got ${String(level)}`);
    }
    if (format !== undefined && typeof (format as LogFormat | null)?.transform !== 'function') {
      throw new TypeError(`@fleece/log: option "format" must be a logform format (with transform), got ${String(format)}`);
    }
    const retryPolicy = new RetryPolicy(policy);
    super({ objectMode: true });
    this.level = level;
    this.format = format;
    this.silent = silent;
    this.handleExceptions = handleExceptions;
    this.handleRejections = handleRejections;
    // As winston-transport: take the levels of the winston logger that pipes into us, and close
    // when it lets go.
    this.once('pipe', (logger: ParentLogger) => {
      if (logger.levels !== undefined) this.levels = logger.levels;
      this.parent = logger;
    });
    this.once('unpipe', (logger: ParentLogger) => {
      if (logger === this.parent) {
        this.parent = null;
        this.close();
      }
    });
    this.transport = transport;
    this.policy = retryPolicy;
    this.ignoreErrors = ignoreErrors;
    this.attemptTimeoutMs = attemptTimeoutMs;
    this.maxQueue = maxQueue;
    // Always listening: an `error` with no listener would crash the process.
    transport.on?.('error', (error) => this.#onTransportError(error));
  }

  /** Entries given up on: retries exhausted, deadline reached, queue full, or a format that threw. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Entries the wrapped transport took. */
  get delivered(): number {
    return this.#delivered;
  }

  /**
   * `error` events of the wrapped transport while no delivery was in flight (a batching transport
   * failing an upload after it took the entry): they cannot be tied to an entry, so they are
   * counted here (and emitted when `ignoreErrors` is false), not retried.
   */
  get strayErrors(): number {
    return this.#strayErrors;
  }

  /** Entries waiting or in flight. */
  get pending(): number {
    return this.#queued;
  }

  /** @internal The Writable side, as winston-transport's: silence, level filter, format, then {@link RetryTransport.log}. */
  override _write(info: LogInfo, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.silent || (info['exception'] === true && !this.handleExceptions)) {
      callback(null);
      return;
    }
    const level = this.level ?? this.parent?.level;
    const threshold = level === undefined ? undefined : this.levels[level];
    const rank = this.levels[info[LEVEL] as string];
    // winston-transport's rule: with a level set, an entry passes only when its own level ranks at or above it.
    if (threshold !== undefined && !(rank !== undefined && rank <= threshold)) {
      callback(null);
      return;
    }
    let entry: LogInfo = info;
    if (this.format !== undefined) {
      try {
        const transformed = this.format.transform({ ...info }, this.format.options);
        if (!transformed) {
          callback(null);
          return;
        }
        entry = transformed as LogInfo;
      } catch (error) {
        this.#drop(error);
        callback(null);
        return;
      }
    }
    this.log(entry, () => callback(null));
  }

  /**
   * winston's entry point: queues the entry and calls `next` at once, so the logging code never
   * waits for (nor fails with) the wrapped transport.
   */
  log(info: LogInfo, next: () => void): void {
    // Captured now, in the caller's invocation: the delivery runs later, maybe after it ended.
    const deadline = this.policy.options.deadline ?? currentDeadline();
    if (this.#queued >= this.maxQueue) {
      this.#drop(new LogDeliveryError('queue-full', `log entry dropped: ${this.#queued} entries already waiting (maxQueue)`));
    } else {
      this.#queued++;
      const deliver = (): Promise<void> => this.#deliver(info, deadline);
      this.#tail = this.#tail.then(deliver, deliver);
    }
    next();
  }

  /** Resolves when every entry queued so far is delivered or dropped. Never rejects. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** @internal So `end()` emits `finish` only once the queue is flushed, as winston code waits for. */
  override _final(callback: (error?: Error | null) => void): void {
    void this.#tail.then(() => callback(null));
  }

  /** Closes the wrapped transport once the queue is flushed (winston calls this when removing it). */
  close(): void {
    void this.#tail.then(() => {
      try {
        this.transport.close?.();
      } catch (error) {
        this.#drop(error, false);
      }
    });
  }

  async #deliver(info: LogInfo, deadline: Deadline | undefined): Promise<void> {
    try {
      const entry = this.#prepare(info);
      if (entry === undefined) return;
      await retry(() => this.#attempt(entry, deadline), deadline === undefined ? this.policy : { ...this.policy.options, deadline });
      this.#delivered++;
      this.#emit('logged', entry);
    } catch (error) {
      // The first failure says what is wrong with the destination; later ones usually repeat it.
      this.#drop(error instanceof RetryError && error.errors.length > 0 ? error.errors[0] : error);
    } finally {
      this.#queued--;
    }
  }

  // What winston-transport's _write would do for the wrapped transport, had it been piped directly,
  // except for exception entries: the wrapper's handleExceptions has already decided those.
  #prepare(info: LogInfo): LogInfo | undefined {
    const inner = this.transport;
    if (inner.silent) return undefined;
    const levels = inner.levels ?? this.levels;
    const threshold = inner.level === undefined ? undefined : levels[inner.level];
    const rank = levels[info[LEVEL] as string];
    if (threshold !== undefined && rank !== undefined && rank > threshold) return undefined;
    if (inner.format === undefined) return info;
    const transformed = inner.format.transform({ ...info }, inner.format.options);
    return transformed ? (transformed as LogInfo) : undefined;
  }

  #attempt(entry: LogInfo, deadline: Deadline | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        if (this.#current === settle) this.#current = undefined;
        if (error === undefined || error === null) resolve();
        else reject(error);
      };
      this.#current = settle;
      const limitMs = Math.min(this.attemptTimeoutMs, remainingMs(deadline, this.policy.options.clock));
      if (Number.isFinite(limitMs)) {
        timer = setTimeout(
          () => settle(new LogDeliveryError('timeout', `the wrapped transport neither took nor refused the entry within ${Math.round(limitMs)} ms`)),
          Math.max(0, limitMs),
        );
        // A guard, not work: it must not keep a finished process alive.
        timer.unref();
      }
      try {
        const result = (this.transport.log as LogMethod).call(this.transport, entry, (error?: unknown) => settle(error));
        if (isThenable(result)) {
          result.then(
            () => settle(),
            (error: unknown) => settle(error ?? new LogDeliveryError('rejected', 'the wrapped transport rejected without a reason')),
          );
        }
      } catch (error) {
        settle(error ?? new LogDeliveryError('rejected', 'the wrapped transport threw without a reason'));
      }
    });
  }

  #onTransportError(error: unknown): void {
    const failure = error ?? new LogDeliveryError('rejected', 'the wrapped transport emitted an error without a reason');
    if (this.#current !== undefined) {
      this.#current(failure);
      return;
    }
    this.#strayErrors++;
    if (!this.ignoreErrors) this.#emit('error', failure);
  }

  #drop(error: unknown, count = true): void {
    if (count) this.#dropped++;
    if (!this.ignoreErrors) this.#emit('error', error);
  }

  // emit() throws when nobody listens for `error` (or a listener throws); that must not escape
  // into the delivery chain, where it would surface as an unhandled rejection.
  #emit(event: 'error' | 'logged', value: unknown): void {
    try {
      this.emit(event, value);
    } catch {
      // Nobody is listening: the entry is already counted in `dropped`.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
