import { toSafeJson } from './safe-json.js';
import { backendSettled, currentRoot, runInSpan, startSpan } from './tracer.js';

/** Options of {@link traceHandler}. */
export interface TraceHandlerOptions {
  /** The subsegment's name. Default `## <handler>`, `<handler>` being `_HANDLER` (`index.handler`) or the function's name. */
  name?: string;
  /** Record what the handler returns as metadata `response` (at most 2048 bytes). Default `false`: responses often carry user data. */
  captureResponse?: boolean;
}

// Whether this container has served an invocation yet. A fact about the process, not about any one
// invocation, so it is the one piece of module state here; shared by every traced handler.
const container = { served: false };

// Provisioned concurrency and SnapStart initialise ahead of traffic: no invocation waits on them.
function isColdStart(): boolean {
  if (container.served) return false;
  container.served = true;
  const initType = process.env['AWS_LAMBDA_INITIALIZATION_TYPE'];
  return initType !== 'provisioned-concurrency' && initType !== 'snap-start';
}

/** Forgets that the container has served an invocation. For tests only. */
export function resetColdStart(): void {
  container.served = false;
}

/**
 * Wraps a Lambda handler: each sampled invocation gets a subsegment `## index.handler` annotated
 * `ColdStart` (true on the container's first invocation, except under provisioned concurrency or
 * SnapStart), the handler's throw recorded on it and rethrown unchanged. Spans of traced calls
 * inside nest under it. Without a sampled trace the handler is called as is.
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

  const traced = async function (this: unknown, event: E, context: C): Promise<R> {
    const coldStart = isColdStart();
    // Unsampled or untraced: the plain call. Not even an AsyncLocalStorage context, which on
    // Node 20 and 22 would switch on promise hooks that tax every await in the process.
    if (currentRoot()?.recording !== true) return handler.call(this, event, context);
    // The first sampled invocation loads the backend before its span starts, so the handler's
    // subsegment measures the handler, and its spans are sent before Lambda freezes the process.
    const loading = backendSettled();
    if (loading !== undefined) await loading;
    const span = startSpan(spanName);
    if (span === undefined) return handler.call(this, event, context);
    span.annotate('ColdStart', coldStart);
    try {
      const result = await runInSpan(span, () => handler.call(this, event, context));
      if (captureResponse) span.addMetadata('response', toSafeJson(result));
      return result;
    } catch (error) {
      span.fail(error, false);
      throw error;
    } finally {
      span.end();
    }
  };
  Object.defineProperty(traced, 'name', { value: handler.name });
  return traced;
}
