import { useHooks, type HttpHooks } from '@fleece/http';

import { flagsForStatus, classifyError } from './classify.js';
import { currentTraceHeader } from './current.js';
import type { Span } from './span.js';
import { startSpan } from './tracer.js';

type BeforeRequest = NonNullable<HttpHooks['beforeRequest']>;
type AfterResponse = NonNullable<HttpHooks['afterResponse']>;
type BeforeError = NonNullable<HttpHooks['beforeError']>;

/** got hooks that trace each attempt; the shape `got.extend({ hooks })` takes. */
export interface GotTracingHooks {
  beforeRequest: BeforeRequest[];
  afterResponse: AfterResponse[];
  beforeError: BeforeError[];
}

// got hands the same options object to beforeRequest, the response and the error of one attempt.
const spans = new WeakMap<object, Span>();

const TRACE_HEADER = 'x-amzn-trace-id';

function toUrl(raw: unknown): URL | undefined {
  if (raw instanceof URL) return raw;
  if (typeof raw !== 'string') return undefined;
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** The URL as recorded: scheme, host, port and path; never credentials, query string or fragment. */
export function recordableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

const beforeRequest: BeforeRequest = (options) => {
  const url = toUrl(options.url);
  const span = url === undefined ? undefined : startSpan(url.hostname === '' ? url.host : url.hostname, 'remote');
  let header: string | undefined;
  if (span !== undefined && url !== undefined) {
    span.http = { method: String(options.method ?? 'GET').toUpperCase(), url: recordableUrl(url) };
    spans.set(options, span);
    header = span.traceHeader();
  } else {
    // Unsampled traces still tell the callee so, so it does not start sampling on its own.
    header = currentTraceHeader();
  }
  if (header !== undefined && options.headers[TRACE_HEADER] === undefined) {
    options.headers[TRACE_HEADER] = header;
  }
};

const afterResponse: AfterResponse = (response) => {
  const options = response.request?.options;
  const span = options === undefined ? undefined : spans.get(options);
  if (span !== undefined) {
    spans.delete(options as object);
    const status = response.statusCode;
    const length = Number(response.headers['content-length']);
    span.http = {
      ...span.http,
      status,
      ...(Number.isSafeInteger(length) && length >= 0 ? { contentLength: length } : {}),
    };
    span.flag(flagsForStatus(status));
    span.end();
  }
  return response;
};

const beforeError: BeforeError = (error) => {
  const options = error.options as object | undefined;
  const span = options === undefined ? undefined : spans.get(options);
  if (span !== undefined) {
    spans.delete(options as object);
    const status = error.response?.statusCode;
    if (status !== undefined) span.http = { ...span.http, status };
    span.fail(error, true, status !== undefined && status >= 400 ? flagsForStatus(status) : classifyError(error));
    span.end();
  }
  return error;
};

/**
 * got hooks that trace every attempt of every request of a got instance of yours:
 * `got.extend({ hooks: gotTracingHooks() })`. {@link captureHttp} installs the same hooks in `@fleece/http`.
 */
export function gotTracingHooks(): GotTracingHooks {
  return { beforeRequest: [beforeRequest], afterResponse: [afterResponse], beforeError: [beforeError] };
}

// Process-wide, like the registration it holds: at most one, made at start-up.
const registration: { remove: (() => void) | undefined } = { remove: undefined };

/**
 * Traces every request made through `@fleece/http` from now on: each attempt becomes a subsegment
 * named after the host, with method, URL (without query string or credentials) and status, flagged
 * `error` (4xx), `throttle` (429) or `fault` (5xx, no answer); and the `X-Amzn-Trace-Id` header goes
 * downstream (unless the request sets its own). Calling it again changes nothing.
 *
 * @returns a function that stops tracing requests.
 */
export function captureHttp(): () => void {
  if (registration.remove === undefined) {
    const unregister = useHooks({ beforeRequest, afterResponse, beforeError });
    const remove = (): void => {
      unregister();
      if (registration.remove === remove) registration.remove = undefined;
    };
    registration.remove = remove;
  }
  return registration.remove;
}
