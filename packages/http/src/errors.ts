import type { Response } from 'got';
import type { RetryReason } from '@fleece/retry';
import type { TimeoutPhase } from './timeout.js';
import { redactUrl } from './url.js';

/** How the retries of a failed request ended; part of every {@link HttpRequestError}. */
export interface RetryOutcome {
  /** Attempts made. */
  attempts: number;
  /** Why the retries stopped (the @fleece/retry kernel's reason), when the kernel stopped them. */
  retryReason?: RetryReason;
  /** A sentence saying why, e.g. which wait would have crossed the deadline. */
  detail?: string;
}

/** What every {@link HttpRequestError} is made from. */
export interface HttpRequestErrorInit extends Partial<RetryOutcome> {
  method: string;
  /** The URL as given; it is redacted here, so query strings never reach the message. */
  url: string | URL;
  /** A machine-readable code, such as `ECONNREFUSED` or `ETIMEDOUT`. */
  code?: string;
  /** What went wrong, after "METHOD URL" in the message. */
  problem?: string;
  cause?: unknown;
}

const inits = new WeakMap<HttpRequestError, HttpRequestErrorInit>();

/**
 * A request that did not produce an acceptable response: the connection failed, a timeout
 * fired, or (as {@link HttpError}) the server answered with an error status.
 *
 * Messages and fields carry the method and the URL without its query string, fragment and user
 * info, never headers: they are safe to log. `cause` is a redacted copy of got's error.
 */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL without query string, fragment or credentials. */
  readonly url: string;
  /** A machine-readable code (`ECONNREFUSED`, `ETIMEDOUT`, `ERR_NON_2XX_3XX_RESPONSE`, …), when known. */
  readonly code: string | undefined;
  /** Attempts made before this error was thrown. */
  readonly attempts: number;
  /** Why the retry kernel stopped, when it was the kernel that gave up. */
  readonly retryReason: RetryReason | undefined;

  constructor(init: HttpRequestErrorInit) {
    const url = redactUrl(init.url);
    super(`${init.method} ${url} ${init.problem ?? 'failed'}${outcomeText(init)}`, { cause: init.cause });
    this.method = init.method;
    this.url = url;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    this.retryReason = init.retryReason;
    inits.set(this, init);
  }
}

/** What an {@link HttpError} is made from. */
export interface HttpErrorInit extends HttpRequestErrorInit {
  response: Response<unknown>;
  /** The wait the server asked for with `Retry-After`, in ms. */
  retryAfterMs?: number;
}

/**
 * The server answered with a status the request does not accept (got's rule: not 2xx, or not
 * 2xx/3xx when redirects are not followed, and not 304), after any retries.
 */
export class HttpError extends HttpRequestError {
  override name = 'HttpError';
  /** The response status code. */
  readonly status: number;
  /** The response status text. */
  readonly statusText: string;
  /** The wait the server asked for with `Retry-After` (ms), when it sent one. */
  readonly retryAfterMs: number | undefined;
  /**
   * The whole got response (body, headers, timings). Not enumerable, so loggers that walk an
   * error's keys do not print the body or the request headers it links to.
   */
  declare readonly response: Response<unknown>;

  constructor(init: HttpErrorInit) {
    const status = init.response.statusCode;
    const statusText = init.response.statusMessage ?? '';
    super({ code: 'ERR_NON_2XX_3XX_RESPONSE', ...init, problem: `answered ${status}${statusText ? ` ${statusText}` : ''}` });
    this.status = status;
    this.statusText = statusText;
    this.retryAfterMs = init.retryAfterMs;
    Object.defineProperty(this, 'response', { value: init.response, enumerable: false });
  }
}

/** What an {@link HttpTimeoutError} is made from. */
export interface HttpTimeoutErrorInit extends HttpRequestErrorInit {
  phase: TimeoutPhase;
  timeoutMs: number;
}

/**
 * A timeout fired. `phase` says which:
 * - `'connect'`: no connection (DNS, TCP or TLS) within the connect timeout;
 * - `'read'`: the server went quiet for the read timeout;
 * - `'request'`: got's total `request` timeout (only when you set it) ran out;
 * - `'deadline'`: the invocation deadline (@fleece/retry) came first, or had already passed.
 */
export class HttpTimeoutError extends HttpRequestError {
  override name = 'HttpTimeoutError';
  /** Which limit fired. */
  readonly phase: TimeoutPhase;
  /** The limit that fired, in ms (0 when no attempt could start). */
  readonly timeoutMs: number;

  constructor(init: HttpTimeoutErrorInit) {
    super({ code: 'ETIMEDOUT', ...init, problem: timeoutProblem(init.phase, init.timeoutMs) });
    this.phase = init.phase;
    this.timeoutMs = init.timeoutMs;
  }
}

function timeoutProblem(phase: TimeoutPhase, ms: number): string {
  switch (phase) {
    case 'connect':
      return `timed out connecting (connect timeout ${ms} ms)`;
    case 'read':
      return `timed out waiting for data (read timeout ${ms} ms)`;
    case 'request':
      return `did not complete within its request timeout (${ms} ms)`;
    case 'deadline':
      return ms > 0
        ? `was cut off by the invocation deadline after ${ms} ms`
        : 'was not started: no time left before the invocation deadline';
  }
}

function outcomeText(outcome: Partial<RetryOutcome>): string {
  const attempts = outcome.attempts ?? 1;
  const n = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  switch (outcome.retryReason) {
    case 'exhausted':
      return attempts > 1 ? ` (gave up after ${n}: retries exhausted)` : '';
    case 'deadline':
      // A deadline timeout already says so in its own words; only retries cut short need more.
      if (attempts === 0 || (attempts === 1 && !outcome.detail)) return '';
      return ` (gave up after ${n}: ${outcome.detail ?? 'no time left before the invocation deadline'})`;
    case 'budget':
      return ` (gave up after ${n}: the retry budget refused another retry)`;
    case 'aborted':
      return ` (aborted after ${n})`;
    default:
      return attempts > 1 ? ` (after ${n})` : '';
  }
}

/** The same error with the outcome of its retries in its fields and message. */
export function withOutcome<E extends HttpRequestError>(error: E, outcome: RetryOutcome): E {
  const init = inits.get(error) as HttpRequestErrorInit;
  const Ctor = error.constructor as new (init: HttpRequestErrorInit) => E;
  return new Ctor({ ...init, ...outcome });
}
