import type { LogLevel } from './levels.js';
import { getLogger, type Logger } from './logger.js';
import type { ValueRuleName } from './redact.js';
import { configureRoot, type LogStream, type LogTransport } from './root.js';

/** The root configuration. */
export interface RootLoggerOptions {
  /**
   * The lowest level written, by every logger. Default: `LOG_LEVEL`, else `AWS_LAMBDA_LOG_LEVEL`,
   * else `info`. Case-insensitive; `warning`, `critical`, `fatal` and `trace` are accepted too.
   */
  level?: LogLevel | (string & {});
  /** Where lines go, one JSON object each. Default `process.stdout`. */
  stream?: LogStream;
  /**
   * Keys whose values are masked (`"[REDACTED]"`) at any depth. A string masks every key that
   * contains it once both are lower-cased and stripped of `-` and `_` (`'apiKey'` masks
   * `x-api-key`); a RegExp is tested on the key as written. Replaces the default
   * {@link DEFAULT_REDACT}: spread it to add (`[...DEFAULT_REDACT, 'iban']`), filter it to remove.
   */
  redact?: readonly (string | RegExp)[];
  /**
   * Shapes masked inside every logged string, the message included: names of built-in rules
   * ({@link VALUE_RULES}: `'aws-access-key-id'`, `'aws-secret-access-key'`, `'bearer'`,
   * `'presigned-url'`) or RegExps of your own (each match becomes `"[REDACTED]"`). Default
   * {@link DEFAULT_REDACT_VALUES}, every built-in rule; `[]` scans nothing.
   */
  redactValues?: readonly (ValueRuleName | RegExp)[];
  /**
   * winston transports that receive every written entry as well (a {@link RetryTransport} around a
   * CloudWatch transport, say). A failure of one becomes an error line on `stream`. Default none.
   */
  transports?: readonly LogTransport[];
  /**
   * Where a failing transport is reported: one JSON error line (`logger: "fleece.log"`) per
   * transport, at its first failure; later ones are counted ({@link transportFailures}). Default
   * `process.stderr`.
   */
  errorStream?: LogStream;
  /** How long a transport's `log()` may hold an entry before later entries skip it. Default 10000. */
  transportTimeoutMs?: number;
}

/**
 * Makes the root logger write one JSON object per line to `stream` (stdout by default), replacing
 * the previous stream, transports, level and redaction: calling it again never duplicates lines.
 * Loggers made earlier with {@link getLogger}, even at module load, follow the new configuration.
 *
 * @returns the root logger (`logger: "root"`).
 * @throws TypeError naming the option (or environment variable) that is invalid; the previous
 * configuration then stays in place.
 */
export function setupRootLogger(options: RootLoggerOptions = {}): Logger {
  configureRoot(options);
  return getLogger('root');
}
