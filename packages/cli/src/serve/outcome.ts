import type { EventVersion } from './options.js';
import { InitError, type InvokeOutcome } from './pool.js';
import { gatewayAnswer, MalformedResponseError, toHttpAnswer, type HttpAnswer } from './responses.js';

// How an invocation's outcome becomes an HTTP answer and a log line.

/** Lambda's payload limit for synchronous invocations, request and response, in bytes. */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** API Gateway's integration timeout, ms: an HTTP request never waits longer. */
export const GATEWAY_TIMEOUT_MS = 29_000;
/** What went wrong loading a module, with the user's stack frames. */
export function describeInit(error: unknown): string {
  if (error instanceof InitError) {
    const { errorType, errorMessage, stack } = error.error;
    const where = userFrames(stack).filter((line) => !line.includes(errorMessage));
    return `${errorType}: ${errorMessage}${where.length ? `\n${where.join('\n')}` : ''}`;
  }
  return (error as Error)?.message ?? String(error);
}

/** Resolves to 'gateway-timeout' after API Gateway's 29 s, unless the invocation ends first. */
export function gatewayTimeout(invocation: Promise<unknown>): Promise<'gateway-timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('gateway-timeout'), GATEWAY_TIMEOUT_MS);
    void invocation.finally(() => clearTimeout(timer));
  });
}

/** The HTTP answer to an invocation's outcome, and what to add to the log line when it failed. */
export function answerOf(outcome: InvokeOutcome | 'gateway-timeout', version: EventVersion): { answer: HttpAnswer; problem: string } {
  if (outcome === 'gateway-timeout') return { answer: gatewayAnswer('timeout', version), problem: ` error="API Gateway's ${GATEWAY_TIMEOUT_MS} ms integration timeout (the function runs on)"` };
  if (!outcome.ok) return { answer: gatewayAnswer(outcome.reason === 'timeout' ? 'timeout' : 'error', version), problem: failure(outcome) };
  if (Buffer.byteLength(outcome.payload) > LAMBDA_PAYLOAD_LIMIT_BYTES) {
    return { answer: gatewayAnswer('error', version), problem: ` error="Function.ResponseSizeTooLarge: the response is ${Buffer.byteLength(outcome.payload)} B, over Lambda's ${LAMBDA_PAYLOAD_LIMIT_BYTES} B limit"` };
  }
  try {
    const answer = toHttpAnswer(JSON.parse(outcome.payload), version);
    return { answer, problem: answer.warnings ? ` warning="${answer.warnings.join('; ')}"` : '' };
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    return { answer: gatewayAnswer('error', version), problem: ` error="malformed Lambda proxy response: ${error.message}"` };
  }
}

/** The lines of a stack trace that point into the user's code (not this command's worker or Node's internals). */
export function userFrames(stack: string | undefined): string[] {
  return (stack ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes('[worker eval]') && !line.includes('node:internal/'))
    .slice(0, 8);
}

/** ` duration=…ms init=…ms` for a log line. */
export function timing(outcome: InvokeOutcome, lead = ''): string {
  return `${lead}duration=${outcome.durationMs}ms${outcome.coldStartMs === undefined ? '' : ` init=${outcome.coldStartMs}ms`}`;
}

/** ` error="…"` and the user's stack frames for a log line; nothing for a success. */
export function failure(outcome: InvokeOutcome): string {
  if (outcome.ok) return '';
  const { errorType, errorMessage, stack } = outcome.error;
  const frames = userFrames(stack);
  const trace = frames.length ? `\n${frames.map((line) => `    ${line}`).join('\n')}` : '';
  return ` error="${errorType}: ${errorMessage}"${trace}`;
}

