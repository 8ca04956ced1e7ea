/**
 * The levels of a fleece logger: winston's npm levels, most severe first. A logger writes an entry
 * when its level's number is at most the root level's number.
 */
export const LEVELS = Object.freeze({
  error: 0,
  warn: 1,
  info: 2,
  http: 3,
  verbose: 4,
  debug: 5,
  silly: 6,
} as const);

/** A level name, as written in the `level` field of each line. */
export type LogLevel = keyof typeof LEVELS;

// Names other ecosystems put in LOG_LEVEL / AWS_LAMBDA_LOG_LEVEL (Python logging, Lambda's
// advanced logging controls), mapped to the nearest npm level.
const ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'silly',
  warning: 'warn',
  critical: 'error',
  fatal: 'error',
};

/** True when `value` is one of {@link LEVELS}' names. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LEVELS, value);
}

/**
 * Reads a level name case-insensitively, accepting the Python and Lambda spellings
 * (`WARNING`, `CRITICAL`, `TRACE`, `FATAL`).
 *
 * @param source - what the value came from, named in the error (an option or an env variable).
 * @throws TypeError naming `source` when the value is not a level.
 */
export function parseLevel(value: unknown, source: string): LogLevel {
  if (typeof value === 'string') {
    const name = value.trim().toLowerCase();
    if (isLogLevel(name)) return name;
    const alias = ALIASES[name];
    if (alias) return alias;
  }
  const expected = [...Object.keys(LEVELS), ...Object.keys(ALIASES)].join(', ');
  throw new TypeError(
    `@fleece/log: ${source} must be a log level (${expected}; any case), got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}

/**
 * The level a root logger starts with: the option, else `LOG_LEVEL`, else `AWS_LAMBDA_LOG_LEVEL`,
 * else `info` (the Python fleece default of DEBUG flooded logs with SDK noise).
 */
export function resolveLevel(option: unknown, env: NodeJS.ProcessEnv = process.env): LogLevel {
  if (option !== undefined) return parseLevel(option, 'option "level"');
  if (env['LOG_LEVEL']) return parseLevel(env['LOG_LEVEL'], 'environment variable LOG_LEVEL');
  if (env['AWS_LAMBDA_LOG_LEVEL']) return parseLevel(env['AWS_LAMBDA_LOG_LEVEL'], 'environment variable AWS_LAMBDA_LOG_LEVEL');
  return 'info';
}
