import type { LogInfo, LogStream, LogTransport } from './root.js';
import { describe } from './serialize.js';

type Next = (error?: unknown) => void;
type LogMethod = (this: unknown, info: LogInfo, next?: Next) => unknown;

/** How long a transport's `log()` may hold an entry before it counts as stalled. */
export const DEFAULT_TRANSPORT_TIMEOUT_MS = 10_000;

/**
 * Keeps one root transport's failures away from the caller and from the other transports, counts
 * them, and reports the first one on the error stream (later ones are counted, not written, so a
 * dead transport cannot flood the logs it sits beside).
 *
 * winston's Writable hands `log(info, next)` one entry at a time and ignores what it returns, so
 * the guard wraps the instance's `log` (restored by {@link TransportGuard.uninstall}) to catch:
 * a throw, `next(error)` (which would destroy the stream, losing every later entry), a rejected
 * promise (an unhandled rejection ends the process), and a `next` that never comes (every later
 * entry would wait in the stream's buffer for ever: they are skipped and counted instead, until
 * the late callback arrives).
 */
export class TransportGuard {
  readonly transport: LogTransport;
  /** Entries this transport failed to take (threw, called back with an error, rejected, skipped). */
  failures = 0;
  readonly onError = (error: unknown): void => this.fail(error);
  readonly #errorStream: LogStream;
  readonly #timeoutMs: number;
  #reported = false;
  #inFlightSince: number | undefined;
  #stalled = false;
  #original: { own: boolean; log: unknown } | undefined;

  constructor(transport: LogTransport, errorStream: LogStream, timeoutMs: number) {
    this.transport = transport;
    this.#errorStream = errorStream;
    this.#timeoutMs = timeoutMs;
  }

  /** Wraps the transport's `log()` and listens for its `error` events. */
  install(): void {
    this.transport.on?.('error', this.onError);
    const target = this.transport as unknown as { log?: unknown };
    const original = target.log;
    if (typeof original !== 'function') return;
    const own = Object.prototype.hasOwnProperty.call(target, 'log');
    const call = (self: unknown, info: LogInfo, next?: Next): void => this.#call(original as LogMethod, self, info, next);
    try {
      target.log = function guardedLog(this: unknown, info: LogInfo, next?: Next): void {
        call(this, info, next);
      };
      this.#original = { own, log: original };
    } catch {
      // A frozen transport keeps its own log(); throws still cannot reach the caller (see line.ts).
    }
  }

  /** Puts the transport back as it was. */
  uninstall(): void {
    this.transport.removeListener?.('error', this.onError);
    const original = this.#original;
    if (original === undefined) return;
    const target = this.transport as unknown as { log?: unknown };
    if (original.own) target.log = original.log;
    else delete target.log;
    this.#original = undefined;
  }

  /** Whether the next entry may be handed over; a stalled or destroyed transport skips (and counts) it. */
  ready(now: number): boolean {
    if ((this.transport as { destroyed?: unknown }).destroyed === true) {
      this.fail(new Error('the transport is destroyed'));
      return false;
    }
    if (this.#inFlightSince !== undefined && now - this.#inFlightSince >= this.#timeoutMs) {
      if (this.#stalled) this.failures++;
      else {
        this.#stalled = true;
        this.fail(new Error(`log() did not call back within ${this.#timeoutMs} ms; entries are skipped until it does`));
      }
      return false;
    }
    return true;
  }

  /** Counts a failure; the first is written to the error stream. Never throws. */
  fail(error: unknown): void {
    this.failures++;
    if (this.#reported) return;
    this.#reported = true;
    try {
      const name = (this.transport as { name?: unknown }).name ?? this.transport.constructor?.name ?? 'transport';
      this.#errorStream.write(
        `${JSON.stringify({
          timestamp: new Date().toISOString(),
          level: 'error',
          logger: 'fleece.log',
          message: `log transport ${String(name)} failed: ${describe(error)}; later failures are counted (transportFailures()), not written`,
        })}\n`,
      );
    } catch {
      // The error stream itself is broken: the count still tells.
    }
  }

  #call(original: LogMethod, self: unknown, info: LogInfo, next: Next | undefined): void {
    let settled = false;
    this.#inFlightSince = Date.now();
    const done: Next = (error) => {
      if (error !== undefined && error !== null) this.fail(error);
      if (settled) return;
      settled = true;
      this.#inFlightSince = undefined;
      this.#stalled = false;
      // Never an error to the stream: that would destroy it and lose every later entry.
      next?.();
    };
    try {
      const result = original.call(self, info, done);
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        (result as PromiseLike<unknown>).then(undefined, (error: unknown) => done(error ?? new Error('log() rejected')));
      }
    } catch (error) {
      done(error);
    }
  }
}
