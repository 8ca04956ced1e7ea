import type { Delays, Got, Method, OptionsInit, Response } from 'got';
import { currentDeadline, remainingMs, retry, RetryError, type RetryDecision } from '@fleece/retry';
import { globalRetries, globalTimeout } from './defaults.js';
import { HttpError, HttpRequestError, HttpTimeoutError, withOutcome } from './errors.js';
import { hooksFor } from './hooks.js';
import { noRetries, parseRetries, type Retries, type RetryPlan } from './retries.js';
import { parseRetryAfter, RETRY_AFTER_STATUSES } from './retry-after.js';
import { boundByDeadline, parseTimeout, phaseOf, resolveTimeout, type Timeout, type TimeoutLayer } from './timeout.js';
import { redactText } from './url.js';
import { invalid, isPlainObject } from './validate.js';

/**
 * Options of one request: got's own options (headers, json, body, searchParams, responseType,
 * prefixUrl, hooks, signal, throwHttpErrors, …) plus fleece's `timeout` and `retries`. got's
 * `retry` is not accepted (retries run on @fleece/retry), nor streams or `resolveBodyOnly`.
 */
export type RequestOptions = Omit<OptionsInit, 'timeout' | 'retry' | 'isStream' | 'resolveBodyOnly' | 'url'> & {
  /** ms for connect and read, `{ connect, read }`, or got's timeout object. */
  timeout?: Timeout;
  /** A total count, urllib3-style options, or a `RetryPolicy`. */
  retries?: Retries;
};

/** A validated layer of options: a session's defaults or one request's options. */
export interface ParsedOptions {
  readonly timeout: TimeoutLayer | undefined;
  readonly retries: RetryPlan | undefined;
  readonly got: OptionsInit;
}

/** Validates options, splitting fleece's from got's. */
export function parseOptions(option: string, value: unknown): ParsedOptions {
  if (value === undefined) return { timeout: undefined, retries: undefined, got: {} };
  if (!isPlainObject(value)) invalid(option, 'an options object', value);
  const { timeout, retries, ...got } = value;
  if ('retry' in got) {
    invalid(`${option}.retry`, 'absent: got\'s own retry is off here, use "retries" (it runs on @fleece/retry)', got['retry']);
  }
  if (got['isStream'] !== undefined) invalid(`${option}.isStream`, 'absent: streams are not retried, use got directly', got['isStream']);
  if (got['resolveBodyOnly'] !== undefined) {
    invalid(`${option}.resolveBodyOnly`, 'absent: read response.body', got['resolveBodyOnly']);
  }
  if (got['url'] !== undefined) invalid(`${option}.url`, 'absent: pass the URL as the first argument', got['url']);
  return {
    timeout: parseTimeout(`${option}.timeout`, timeout),
    retries: parseRetries(`${option}.retries`, retries),
    got: got as OptionsInit,
  };
}

// Failures before the server saw the request: safe to retry whatever the method (urllib3's
// connect errors). Failures after it may have: retried only for allowedMethods (read errors).
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);
const READ_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_CONSTANT']);

type SendFn = (url: string | URL, options: OptionsInit) => Promise<Response<unknown>>;

/**
 * One logical request: attempts through got (its own retry off, throwHttpErrors off so statuses
 * are judged here), driven by the @fleece/retry kernel so deadlines and budgets apply.
 * Precedence: the request's options, then the session's, then the global defaults, then built-ins.
 */
export async function perform<T>(got: Got, url: string | URL, session: ParsedOptions, own: ParsedOptions): Promise<Response<T>> {
  const send = got as unknown as SendFn;
  const options = own.got;
  const method = String(options.method ?? session.got.method ?? 'GET').toUpperCase();
  const baseDelays = resolveTimeout([own.timeout, session.timeout, globalTimeout()]);
  const plan = own.retries ?? session.retries ?? globalRetries() ?? noRetries();
  const throwHttpErrors = options.throwHttpErrors ?? session.got.throwHttpErrors ?? true;
  const kernel = plan.policy.options;
  const clock = kernel.clock ?? Date.now;
  const deadline = kernel.deadline ?? currentDeadline();
  const signal = anySignal(options.signal ?? session.got.signal, kernel.signal);
  const prefix = options.prefixUrl ?? session.got.prefixUrl;
  const shownUrl = prefix ? `${String(prefix).replace(/\/$/, '')}/${String(url)}` : url;
  let planned: { ms: number; source: string } | undefined;

  const attempt = async (): Promise<Response<T>> => {
    const { delays, deadlineBound } = boundByDeadline(baseDelays, remainingMs(deadline, clock));
    const hooks = hooksFor(options.hooks);
    let response: Response<unknown>;
    try {
      response = await send(url, {
        ...options,
        method: method as Method,
        timeout: delays,
        retry: { limit: 0 },
        throwHttpErrors: false,
        ...(hooks ? { hooks } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw fromGotError(error, method, shownUrl, delays, deadlineBound);
    }
    if (isRetryableStatus(plan, method, response)) {
      throw new HttpError({ method, url: response.url, response, retryAfterMs: retryAfterOf(response, clock) });
    }
    return response as Response<T>;
  };

  const retryOn = (error: unknown, attemptNo: number): RetryDecision => {
    planned = undefined;
    if (!(error instanceof HttpRequestError)) return false;
    let retryAfter: number | undefined;
    if (error instanceof HttpError) {
      if (plan.respectRetryAfter && RETRY_AFTER_STATUSES.has(error.status) && error.retryAfterMs !== undefined) {
        retryAfter = Math.min(error.retryAfterMs, plan.maxRetryAfter);
      }
    } else if (!isRetryableFailure(error, method, plan)) {
      return false;
    }
    let decision: RetryDecision = retryAfter ?? plan.delay?.(attemptNo) ?? true;
    const theirs = kernel.retryOn?.(error, attemptNo);
    if (theirs === false) return false;
    if (typeof theirs === 'number' && retryAfter === undefined) decision = theirs;
    if (typeof decision === 'number') planned = { ms: decision, source: retryAfter === undefined ? 'backoff' : 'Retry-After' };
    return decision;
  };

  let attempts = 0;
  const counted = (): Promise<Response<T>> => {
    attempts++;
    return attempt();
  };
  // Without retries (the default) there is no loop to run: one attempt under the kernel's rules
  // (nothing starts past the deadline or after an abort; the same reasons), minus the cost of
  // building a policy per request. A budget still goes through the kernel, which credits successes.
  const once = async (): Promise<Response<T>> => {
    if (signal?.aborted) throw new RetryError('aborted', [], signal.reason);
    if (remainingMs(deadline, clock) <= 0) throw new RetryError('deadline', []);
    try {
      return await counted();
    } catch (error) {
      if (signal?.aborted) throw new RetryError('aborted', [error], signal.reason);
      throw new RetryError(retryOn(error, 1) === false ? 'not-retryable' : 'exhausted', [error]);
    }
  };
  let response: Response<T>;
  try {
    response = plan.total === 0 && !kernel.budget ? await once() : await retry(counted, plan.policy.with({ retryOn, signal }));
  } catch (error) {
    if (!(error instanceof RetryError)) throw error;
    const last = error.errors[error.errors.length - 1];
    if (error.reason === 'aborted') {
      throw new HttpRequestError({
        method,
        url: shownUrl,
        code: 'ERR_ABORTED',
        problem: 'was aborted',
        attempts: error.attempts,
        retryReason: 'aborted',
        cause: signal?.reason,
      });
    }
    if (last === undefined) {
      throw new HttpTimeoutError({ method, url: shownUrl, phase: 'deadline', timeoutMs: 0, attempts: 0, retryReason: 'deadline' });
    }
    if (!(last instanceof HttpRequestError)) throw last;
    if (last instanceof HttpError && (last.response.ok || !throwHttpErrors)) return last.response as Response<T>;
    const deadlineHit = error.reason === 'deadline' || (last instanceof HttpTimeoutError && last.phase === 'deadline');
    throw withOutcome(last, {
      attempts: error.attempts,
      retryReason: deadlineHit ? 'deadline' : error.reason,
      detail: error.reason === 'deadline' ? deadlineDetail(planned, remainingMs(deadline, clock)) : undefined,
    });
  }
  if (!response.ok && throwHttpErrors) {
    throw new HttpError({ method, url: response.url, response, attempts, retryAfterMs: retryAfterOf(response, clock) });
  }
  return response;
}

/** urllib3's `is_retry`: a forcelisted status, or a Retry-After status that carries the header. */
function isRetryableStatus(plan: RetryPlan, method: string, response: Response<unknown>): boolean {
  if (plan.total === 0 || !plan.allowedMethods.has(method)) return false;
  if (plan.statusForcelist.has(response.statusCode)) return true;
  return plan.respectRetryAfter && RETRY_AFTER_STATUSES.has(response.statusCode) && response.headers['retry-after'] !== undefined;
}

function isRetryableFailure(error: HttpRequestError, method: string, plan: RetryPlan): boolean {
  if (error instanceof HttpTimeoutError) {
    if (error.phase === 'connect') return true;
    if (error.phase === 'deadline') return false;
    return plan.allowedMethods.has(method);
  }
  if (error.code !== undefined && CONNECT_CODES.has(error.code)) return true;
  if (error.code !== undefined && READ_CODES.has(error.code)) return plan.allowedMethods.has(method);
  return false;
}

function retryAfterOf(response: Response<unknown>, clock: () => number): number | undefined {
  return parseRetryAfter(response.headers['retry-after'], clock);
}

function deadlineDetail(planned: { ms: number; source: string } | undefined, left: number): string {
  if (planned && left > 0) {
    return `waiting ${Math.round(planned.ms)} ms (${planned.source}) would pass the invocation deadline (${Math.floor(left)} ms left)`;
  }
  return 'no time left before the invocation deadline';
}

interface GotErrorLike extends Error {
  code?: string;
  event?: string;
  options?: { url?: URL | string };
}

/** got's error as a typed fleece error, its message and stack redacted. */
function fromGotError(error: unknown, method: string, shownUrl: string | URL, delays: Delays, deadlineBound: boolean): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as GotErrorLike;
  const url = e.options?.url ?? shownUrl;
  const cause = redactedCopy(e);
  if (e.name === 'TimeoutError') {
    const phase = phaseOf(e.event, deadlineBound);
    const timeoutMs = delays[e.event as keyof Delays] ?? 0;
    return new HttpTimeoutError({ method, url, phase, timeoutMs, cause });
  }
  return new HttpRequestError({ method, url, code: e.code, problem: `failed: ${redactText(e.message)}`, cause });
}

/**
 * got's errors keep the request's options (headers included, so any Authorization) in an
 * enumerable field, and some messages hold the full URL. Loggers walk causes, so the cause kept
 * is a copy with only the name, code, timer, message and stack, URLs redacted.
 */
function redactedCopy(error: GotErrorLike): Error {
  const copy: GotErrorLike = new Error(redactText(error.message), { cause: error.cause });
  copy.name = error.name;
  if (error.code !== undefined) copy.code = error.code;
  if (error.event !== undefined) copy.event = error.event;
  // Formatted on first read only: formatting a stack is the costly part of an error.
  let stack: string | undefined;
  Object.defineProperty(copy, 'stack', {
    configurable: true,
    enumerable: false,
    get: () => (stack ??= redactText(error.stack ?? `${copy.name}: ${copy.message}`)),
    set: (value: string) => {
      stack = value;
    },
  });
  return copy;
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a || !b || a === b) return a ?? b;
  return AbortSignal.any([a, b]);
}
