import { STATUS_CODES } from 'node:http';

/**
 * Throw from a handler to answer with this status. The body reads like the Python fleece's
 * `"404: Not Found - no such greeting"`; `message` is shown to the client, so keep secrets out.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  /** The HTTP status to answer with (400–599). */
  readonly status: number;
  /** Extra headers for the answer, such as `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(status: number, message = '', options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`@fleece/openapi: HttpError status must be an integer from 400 to 599, got ${status}`);
    }
    super(message, { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
  }

  /** The text clients see: `"<status>: <reason>"`, then `" - <message>"` when there is one. */
  get description(): string {
    return describeStatus(this.status, this.message);
  }
}

/** `"<status>: <reason phrase>"`, then `" - <detail>"` when there is one. */
export function describeStatus(status: number, detail = ''): string {
  const head = `${status}: ${STATUS_CODES[status] ?? 'Error'}`;
  return detail ? `${head} - ${detail}` : head;
}
