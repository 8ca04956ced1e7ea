import * as http from 'node:http';
import * as https from 'node:https';
import { retry, RetryError, RetryPolicy } from '@fleece/retry';
import { loggableUrl } from './event.js';
import type { Logger } from './logger.js';

/** The response PUT could not be delivered. The message names the URL without its signature. */
export class ResponseError extends Error {
  override readonly name = 'ResponseError';
  /** The ResponseURL without its query string. */
  readonly url: string;
  /** PUT attempts made. */
  readonly attempts: number;
  /** The last HTTP status received, if any. */
  readonly status?: number;

  constructor(url: string, attempts: number, status: number | undefined, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`could not deliver the custom resource response to ${url}: ${why}`, { cause });
    this.url = url;
    this.attempts = attempts;
    this.status = status;
  }
}

/** A non-2xx answer to the PUT. */
class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`the ResponseURL answered HTTP ${status}`);
  }
}

/** How the response PUT is sent. Durations in ms. */
export interface PutOptions {
  policy: RetryPolicy;
  /** Longest single attempt. */
  attemptTimeoutMs: number;
  /** ms left before the PUT must give up. */
  deadline: () => number;
  logger: Logger;
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

// node:http(s) rather than got or fetch: the ResponseURL is a presigned S3 URL whose signature
// covers the exact method, an empty Content-Type and the body, so the request must go out with no
// header a client library might add or normalise (fetch forces a Content-Type for string bodies);
// it is one request an invocation, so no session, cookie or redirect machinery pays for itself; and it
// keeps the package free of an ESM-only dependency and its cold-start cost.
function putOnce(url: URL, body: string, timeoutMs: number): Promise<void> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<void>((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'PUT',
        // A fresh connection that closes afterwards: a keep-alive socket would outlive the invocation.
        agent: false,
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
      },
      (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new StatusError(status, retryAfterMs(response.headers['retry-after'])));
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${Math.round(timeoutMs)} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * PUTs `body` to the ResponseURL, retrying network errors, 5xx and 429 (honouring Retry-After) on
 * the fleece kernel until the deadline; other statuses (a 403 for an expired signature) are final.
 *
 * @returns the number of attempts it took.
 * @throws ResponseError when it gives up.
 */
export async function putResponse(url: URL, body: string, options: PutOptions): Promise<number> {
  const where = loggableUrl(url);
  let attempts = 0;
  let lastStatus: number | undefined;
  try {
    await retry(
      async () => {
        attempts++;
        const timeoutMs = Math.max(1, Math.min(options.attemptTimeoutMs, options.deadline()));
        try {
          await putOnce(url, body, timeoutMs);
        } catch (error) {
          if (error instanceof StatusError) lastStatus = error.status;
          throw error;
        }
      },
      options.policy.with({
        deadline: options.deadline,
        retryOn: (error) => {
          if (!(error instanceof StatusError)) return true;
          if (error.status >= 500 || error.status === 429) return error.retryAfterMs ?? true;
          return false;
        },
        onRetry: ({ error, attempt, delayMs }) =>
          options.logger.warn('retrying the custom resource response', {
            url: where,
            attempt,
            delayMs: Math.round(delayMs),
            error: error instanceof Error ? error.message : String(error),
          }),
      }),
    );
    return attempts;
  } catch (error) {
    // The kernel's message lists the last attempt's error; make sure no signature rides along.
    const cause = error instanceof RetryError ? error : new Error(String(error));
    if (url.search !== '') cause.message = cause.message.split(url.search).join('?…');
    throw new ResponseError(where, attempts, lastStatus, cause);
  }
}
