import { invocationFields } from './context.js';
import { LEVEL, MESSAGE, type LogInfo, type RootState } from './root.js';
import { describe, isError, toFields, toJsonValue } from './serialize.js';

/**
 * One entry as a JSON line, fields in this order: `timestamp` (ISO-8601 UTC), `level`, `logger`,
 * `message`, then the invocation's request ids and appended keys, the logger's bound keys, and the
 * call's own fields. A later source overrides an earlier key of the same name (in its first place);
 * reserved names elsewhere get a trailing `_`. An Error as message gives its message and an
 * `error` field. Never throws.
 */
export function formatLine(
  root: RootState,
  level: string,
  logger: string,
  message: unknown,
  meta: unknown,
  bound: Record<string, unknown> | undefined,
): string {
  const { redactor } = root;
  const record: Record<string, unknown> = {
    timestamp: new Date().toISOString(),
    level,
    logger,
    message:
      typeof message === 'string'
        ? redactor.scrub(message)
        : isError(message)
          ? redactor.scrub(safeMessage(message))
          : toJsonValue(message, redactor),
  };
  try {
    const invocation = invocationFields(root);
    if (invocation !== undefined) Object.assign(record, invocation);
    if (bound !== undefined) Object.assign(record, bound);
    if (meta !== undefined) Object.assign(record, toFields(meta, redactor));
    if (isError(message) && !Object.prototype.hasOwnProperty.call(record, 'error')) record['error'] = toJsonValue(message, redactor);
    return JSON.stringify(record);
  } catch (error) {
    // Only a value that changes between our walk and JSON.stringify (a getter, a Date subclass)
    // gets here; the entry is still written, with what went wrong.
    return JSON.stringify({
      timestamp: record['timestamp'],
      level,
      logger,
      message: typeof record['message'] === 'string' ? record['message'] : describe(record['message']),
      log_error: `unserializable fields: ${describe(error)}`,
    });
  }
}

function safeMessage(error: Error): string {
  try {
    return String(error.message);
  } catch {
    return '[Unreadable message]';
  }
}

/** Writes a line to the root stream and hands the entry to each root transport as a winston info. */
export function emit(root: RootState, level: string, line: string): void {
  root.stream.write(`${line}\n`);
  const { transports } = root;
  if (transports.length === 0) return;
  // Parsed back rather than rebuilt, so transports see exactly the redacted, serialized fields, as
  // a snapshot: a transport that delivers later cannot see the caller's objects change meanwhile.
  const fields = JSON.parse(line) as LogInfo;
  const last = transports.length - 1;
  const now = Date.now();
  for (let i = 0; i <= last; i++) {
    const guard = transports[i];
    if (!guard.ready(now)) continue;
    const { transport } = guard;
    // Each transport gets its own object (one may change it); the last takes the parsed one.
    const info: LogInfo = i === last ? fields : { ...fields };
    info[LEVEL] = level;
    info[MESSAGE] = line;
    try {
      transport.write(info);
    } catch (error) {
      guard.fail(error);
    }
  }
}
