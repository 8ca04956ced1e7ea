import { LEVELS, isLogLevel, type LogLevel } from './levels.js';
import { emit, formatLine } from './line.js';
import { rootState, type RootState } from './root.js';
import { toFields } from './serialize.js';

/** What a log method takes after the message: fields for the line, or an Error (logged as `error`). */
export type LogMeta = Record<string, unknown> | Error;

/**
 * A named logger. It holds no configuration of its own: level, stream, redaction and transports are
 * read from the root on every call, so a logger made at module load follows a later
 * `setupRootLogger`. Its methods fit the structural logger other fleece packages accept
 * (`{ debug, info, warn, error }`).
 *
 * Each line is one JSON object, fields in this order: `timestamp` (ISO-8601 UTC), `level`,
 * `logger`, `message`, the invocation's `lambda_request_id` / `api_request_id` and appended keys,
 * the bound keys of {@link Logger.child}, then the call's fields. A later source overrides an
 * earlier key (keeping its place); `timestamp`, `level`, `logger` and `message` elsewhere become
 * `timestamp_` etc.
 */
export class Logger {
  /** Written as `logger` on each line. */
  readonly name: string;
  readonly #bindings: Readonly<Record<string, unknown>> | undefined;
  #bound: Record<string, unknown> | undefined;
  #generation = -1;

  /** @internal Use {@link getLogger} or {@link Logger.child}. */
  constructor(name: string, bindings?: Readonly<Record<string, unknown>>) {
    this.name = name;
    this.#bindings = bindings;
  }

  /** The root level, which decides what every logger writes. */
  get level(): LogLevel {
    return rootState().level;
  }

  /** True when a line at `level` would be written (to skip building an expensive payload). */
  isLevelEnabled(level: LogLevel): boolean {
    return LEVELS[level] <= rootState().threshold;
  }

  /** Logs at `error`. */
  error(message: unknown, meta?: LogMeta): void {
    this.#log('error', 0, message, meta);
  }

  /** Logs at `warn`. */
  warn(message: unknown, meta?: LogMeta): void {
    this.#log('warn', 1, message, meta);
  }

  /** Logs at `info`. */
  info(message: unknown, meta?: LogMeta): void {
    this.#log('info', 2, message, meta);
  }

  /** Logs at `http`. */
  http(message: unknown, meta?: LogMeta): void {
    this.#log('http', 3, message, meta);
  }

  /** Logs at `verbose`. */
  verbose(message: unknown, meta?: LogMeta): void {
    this.#log('verbose', 4, message, meta);
  }

  /** Logs at `debug`. */
  debug(message: unknown, meta?: LogMeta): void {
    this.#log('debug', 5, message, meta);
  }

  /** Logs at `silly`. */
  silly(message: unknown, meta?: LogMeta): void {
    this.#log('silly', 6, message, meta);
  }

  /**
   * Logs at a level given by name.
   *
   * @throws TypeError naming `level` when it is not a level (a programming error, caught early).
   */
  log(level: LogLevel, message: unknown, meta?: LogMeta): void {
    if (!isLogLevel(level)) throw new TypeError(`@fleece/log: level must be one of ${Object.keys(LEVELS).join(', ')}, got ${String(level)}`);
    this.#log(level, LEVELS[level], message, meta);
  }

  /** A logger of the same name whose lines also carry `bindings` (after the invocation's keys). */
  child(bindings: Record<string, unknown>): Logger {
    if (bindings === null || typeof bindings !== 'object' || Array.isArray(bindings)) {
      throw new TypeError(`@fleece/log: bindings must be an object, got ${String(bindings)}`);
    }
    return new Logger(this.name, { ...this.#bindings, ...bindings });
  }

  #log(level: LogLevel, rank: number, message: unknown, meta: unknown): void {
    const root = rootState();
    if (rank > root.threshold) return;
    emit(root, level, formatLine(root, level, this.name, message, meta, this.#boundFields(root)));
  }

  // Bound keys are serialized and redacted once per root configuration, not on every line.
  #boundFields(root: RootState): Record<string, unknown> | undefined {
    if (this.#bindings === undefined) return undefined;
    if (this.#generation !== root.generation) {
      this.#bound = toFields(this.#bindings, root.redactor);
      this.#generation = root.generation;
    }
    return this.#bound;
  }
}

// One logger per name for the life of the process, as Python's logging.getLogger.
const loggers = new Map<string, Logger>();

/**
 * The logger named `name` (`logger: name` on each line); the same instance for the same name.
 * Safe to call at module load, before {@link setupRootLogger}: it follows the root's later configuration.
 *
 * @throws TypeError when `name` is not a non-empty string.
 */
export function getLogger(name: string): Logger {
  if (typeof name !== 'string' || name === '') throw new TypeError(`@fleece/log: name must be a non-empty string, got ${String(name)}`);
  let logger = loggers.get(name);
  if (logger === undefined) {
    logger = new Logger(name);
    loggers.set(name, logger);
  }
  return logger;
}
