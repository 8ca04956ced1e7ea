import { currentInvocation, joinInvocation, type LambdaContext } from '@fleece/retry';

import { OTEL_FLUSH_TIMEOUT_MS } from './backends/otel.js';
import { toSafeJson } from './safe-json.js';
import { backendSettled, currentRoot, flushBackend, runInSpan, startSpan } from './tracer.js';

/** Options of {@link traceHandler}. */
export interface TraceHandlerOptions {
  /** The subsegment's name. Default `## <handler>`, `<handler>` being `_HANDLER` (`index.handler`) or the function's name. */
  name?: string;
  /** Record what the handler returns as metadata `response` (at most 2048 bytes). Default `false`: responses often carry user data. */
  captureResponse?: boolean;
}

/**
 * Forgets that the process has served an invocation, by dropping `@fleece/retry`'s kernel (its store
 * is registered under this symbol so that every loaded copy shares it). For tests only.
 */
export function resetColdStart(): void {
  delete (globalThis as unknown as Record<symbol, unknown>)[Symbol.for('@fleece/retry.kernel')];
}

/**
 * Waits for the backend to send what it buffered (the OpenTelemetry backend batches), at most
 * {@link OTEL_FLUSH_TIMEOUT_MS} and never past the invocation's deadline: Lambda may freeze the
 * process as soon as the handler's promise settles, and a span not sent by then may never be.
 */
async function flushWithin(): Promise<void> {
  const left = currentInvocation()?.deadline?.();
  const timeoutMs = left === undefined ? OTEL_FLUSH_TIMEOUT_MS : Math.min(OTEL_FLUSH_TIMEOUT_MS, left);
  if (timeoutMs <= 0) return;
  await flushBackend(timeoutMs);
}

/**
 * Wraps a Lambda handler: each sampled invocation gets a subsegment `## index.handler` annotated
 * `ColdStart` (true on the container's first invocation, except under provisioned concurrency or
 * SnapStart), the handler's throw recorded on it and rethrown unchanged. Spans of traced calls
 * inside nest under it, and a batching backend (OpenTelemetry) has sent them before the returned
 * promise settles, waiting at most 1000 ms and never past the invocation's deadline. Without a
 * sampled trace the handler is called as is. The handler runs in `@fleece/retry`'s invocation scope.
 *
 * @example
 * ```ts
 * export const handler = traceHandler(async (event: APIGatewayProxyEvent) => ({ statusCode: 200, body: 'ok' }));
 * ```
 * @throws TypeError when `handler` is not a function or an option is invalid.
 */
export function traceHandler<E, C, R>(
  handler: (event: E, context: C) => Promise<R>,
  options: TraceHandlerOptions = {},
): (event: E, context: C) => Promise<R> {
  if (typeof handler !== 'function') throw new TypeError('traceHandler: handler must be a function');
  if (typeof options !== 'object' || options === null) throw new TypeError('traceHandler: options must be an object');
  const { name, captureResponse = false } = options;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) throw new TypeError('traceHandler: name must be a non-empty string');
  if (typeof captureResponse !== 'boolean') throw new TypeError('traceHandler: captureResponse must be a boolean');
  const spanName = name ?? `## ${process.env['_HANDLER'] ?? (handler.name === '' ? 'handler' : handler.name)}`;

  const run = async function (this: unknown, event: E, context: C): Promise<R> {
    const invocation = currentInvocation();
    const coldStart = invocation?.coldStart === true;
    // Unsampled or untraced: the plain call, without a span context of ours.
    if (currentRoot()?.recording !== true) return handler.call(this, event, context);
    // The first sampled invocation loads the backend before its span starts, so the handler's
    // subsegment measures the handler, and its spans are sent before Lambda freezes the process.
    const loading = backendSettled();
    if (loading !== undefined) await loading;
    const span = startSpan(spanName);
    if (span === undefined) return handler.call(this, event, context);
    span.annotate('ColdStart', coldStart);
    span.invocation = { coldStart, ...(invocation?.requestId === undefined ? {} : { requestId: invocation.requestId }) };
    try {
      const result = await runInSpan(span, () => handler.call(this, event, context));
      if (captureResponse) span.addMetadata('response', toSafeJson(result));
      return result;
    } catch (error) {
      span.fail(error, false);
      throw error;
    } finally {
      span.end();
      await flushWithin();
    }
  };
  // Joins the invocation scope of @fleece/retry (or opens it): the same trace, cold start and
  // deadline whichever fleece wrappers surround the handler, in whichever order.
  const traced = function (this: unknown, event: E, context: C): Promise<R> {
    return joinInvocation(event, context as LambdaContext | undefined, () => run.call(this, event, context));
  };
  Object.defineProperty(traced, 'name', { value: handler.name });
  return traced;
}
