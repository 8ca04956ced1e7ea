import { formatLine } from './line.js';
import { LEVEL, MESSAGE, rootState, type LogInfo } from './root.js';

/** Options of {@link fleeceFormat}. */
export interface FleeceFormatOptions {
  /** The `logger` field when the entry has none (`logger.child({ logger: 'db' })` sets one). Default `"root"`. */
  name?: string;
}

/** A logform format: what winston's `createLogger({ format })` takes. */
export interface FleeceFormat {
  transform(info: LogInfo, options?: unknown): LogInfo;
  options: FleeceFormatOptions;
}

// winston's own fields; `timestamp` is ours to write (a format earlier in a combine may have set one).
const OWN = new Set(['level', 'message', 'logger', 'timestamp']);

/**
 * The fleece line as a winston (logform) format, for code that keeps its own winston logger:
 * the same field order, request ids and appended keys of the current invocation, safe
 * serialization and the root's redaction, written to winston's MESSAGE so any winston transport
 * prints exactly the line `getLogger` would.
 *
 * @example
 * const logger = winston.createLogger({ format: fleeceFormat({ name: 'legacy' }), transports: [new winston.transports.Console()] });
 */
export function fleeceFormat(options: FleeceFormatOptions = {}): FleeceFormat {
  if (options === null || typeof options !== 'object') throw new TypeError(`@fleece/log: options must be an object, got ${String(options)}`);
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new TypeError(`@fleece/log: option "name" must be a non-empty string, got ${String(options.name)}`);
  }
  const fallbackName = options.name ?? 'root';
  return {
    options,
    transform(info: LogInfo): LogInfo {
      const level = typeof info[LEVEL] === 'string' ? (info[LEVEL] as string) : String(info.level);
      const name = typeof info['logger'] === 'string' && info['logger'] !== '' ? (info['logger'] as string) : fallbackName;
      const fields: Record<string, unknown> = {};
      for (const key of Object.keys(info)) if (!OWN.has(key)) fields[key] = info[key];
      info[MESSAGE] = formatLine(rootState(), level, name, info.message, fields, undefined);
      return info;
    },
  };
}
