import { LEVELS, resolveLevel, type LogLevel } from './levels.js';
import { DEFAULT_REDACT, DEFAULT_REDACT_VALUES, Redactor, type ValueRuleName } from './redact.js';
import { DEFAULT_TRANSPORT_TIMEOUT_MS, TransportGuard } from './transport-guard.js';

/** Where lines go: anything with a `write(string)`, such as `process.stdout` or a file stream. */
export interface LogStream {
  write(chunk: string): unknown;
}

/**
 * A winston info object: the line's fields, plus winston's `Symbol.for('level')` and
 * `Symbol.for('message')` (the finished JSON line) that winston transports read.
 */
export interface LogInfo {
  level: string;
  message: unknown;
  [key: string | symbol]: unknown;
}

/**
 * A winston transport (any `winston-transport` TransportStream, such as a CloudWatch transport, or
 * a {@link RetryTransport} around one). Only what the root logger uses is required.
 */
export interface LogTransport {
  write(info: LogInfo): unknown;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener?(event: 'error', listener: (error: unknown) => void): unknown;
  /** Awaited by {@link flushLogs}, when the transport has it. */
  flush?(): Promise<void>;
  level?: string;
  levels?: Record<string, number>;
}

/** winston's `triple-beam` keys, shared through the global symbol registry. */
export const LEVEL: unique symbol = Symbol.for('level') as never;
/** The finished line under winston's `triple-beam` MESSAGE key. */
export const MESSAGE: unique symbol = Symbol.for('message') as never;

/** The process-wide configuration every logger reads on each call. */
export interface RootState {
  /** Bumped on each setup, so caches derived from the old configuration are rebuilt. */
  readonly generation: number;
  readonly level: LogLevel;
  readonly threshold: number;
  readonly stream: LogStream;
  readonly redactor: Redactor;
  readonly transports: readonly TransportGuard[];
}

/** The options of a root configuration, validated. */
export interface RootConfig {
  level?: unknown;
  stream?: unknown;
  redact?: unknown;
  redactValues?: unknown;
  transports?: unknown;
  errorStream?: unknown;
  transportTimeoutMs?: unknown;
}

// Process-wide, as the root logger of Python logging or winston's default logger: configuration,
// never per-invocation data (that lives in AsyncLocalStorage, see context.ts).
let state: RootState | undefined;

/** The current root configuration, built from the environment on first use (never at import). */
export function rootState(): RootState {
  return (state ??= build({}, 0));
}

/** Replaces the root configuration: level, stream, redaction and transports, all at once. */
export function configureRoot(config: RootConfig): RootState {
  const next = build(config, (state?.generation ?? 0) + 1);
  for (const guard of state?.transports ?? []) guard.uninstall();
  for (const guard of next.transports) {
    // winston-transport filters with `this.levels[level]`, which crashes when a transport that was
    // never piped from a winston logger has a level but no levels.
    guard.transport.levels ??= { ...LEVELS };
    guard.install();
  }
  state = next;
  return next;
}

function build(config: RootConfig, generation: number): RootState {
  if (config === null || typeof config !== 'object') throw new TypeError(`@fleece/log: options must be an object, got ${String(config)}`);
  const level = resolveLevel(config.level);
  const stream = config.stream ?? process.stdout;
  if (typeof (stream as LogStream | null)?.write !== 'function') {
    throw new TypeError(`@fleece/log: option "stream" must have a write(chunk) method, got ${String(stream)}`);
  }
  const redactor = new Redactor(
    (config.redact ?? DEFAULT_REDACT) as (string | RegExp)[],
    (config.redactValues ?? DEFAULT_REDACT_VALUES) as (ValueRuleName | RegExp)[],
  );
  const transports = config.transports ?? [];
  if (!Array.isArray(transports)) throw new TypeError(`@fleece/log: option "transports" must be an array, got ${String(transports)}`);
  const errorStream = config.errorStream ?? process.stderr;
  if (typeof (errorStream as LogStream | null)?.write !== 'function') {
    throw new TypeError(`@fleece/log: option "errorStream" must have a write(chunk) method, got ${String(errorStream)}`);
  }
  const timeoutMs = config.transportTimeoutMs ?? DEFAULT_TRANSPORT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`@fleece/log: option "transportTimeoutMs" must be a finite number of ms > 0, got ${String(timeoutMs)}`);
  }
  const guards: TransportGuard[] = [];
  for (const transport of transports as unknown[]) {
    if (typeof (transport as LogTransport | null)?.write !== 'function') {
      throw new TypeError(`@fleece/log: option "transports" must hold winston transports, got ${String(transport)}`);
    }
    guards.push(new TransportGuard(transport as LogTransport, errorStream as LogStream, timeoutMs));
  }
  return { generation, level, threshold: LEVELS[level], stream: stream as LogStream, redactor, transports: guards };
}

/**
 * How many entries root transports failed to take since the last {@link setupRootLogger}: they
 * threw, called back with an error, returned a rejected promise, or were skipped while a transport
 * was stalled (its `log()` not calling back) or destroyed. Of one transport, or of all.
 */
export function transportFailures(transport?: LogTransport): number {
  let total = 0;
  for (const guard of state?.transports ?? []) if (transport === undefined || guard.transport === transport) total += guard.failures;
  return total;
}

/**
 * Waits until every root transport that buffers (a {@link RetryTransport}) has delivered or dropped
 * what it holds. Never rejects. Lines to the root stream need no flush: Node writes stdout to a
 * pipe (as in Lambda) synchronously.
 */
export async function flushLogs(): Promise<void> {
  const transports = state?.transports ?? [];
  // async, so a flush that throws synchronously is settled like one that rejects.
  await Promise.allSettled(transports.map(async ({ transport }) => (typeof transport.flush === 'function' ? transport.flush() : undefined)));
}
