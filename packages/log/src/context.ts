import { AsyncLocalStorage } from 'node:async_hooks';
import { lambdaDeadline, withDeadline } from '@fleece/retry';
import { flushLogs, type RootState } from './root.js';
import { toFields } from './serialize.js';

/** What one invocation adds to every line logged during it. */
interface InvocationKeys {
  ids: Record<string, string>;
  keys: Record<string, unknown>;
  /** The fields above, JSON-safe and redacted, for the root generation they were built for. */
  fields: Record<string, unknown> | undefined;
  generation: number;
}

const storage = new AsyncLocalStorage<InvocationKeys>();

/** The part of a Lambda context `injectRequestIds` reads. */
export interface RequestIdContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

/** How {@link injectRequestIds} wraps a handler. Durations are milliseconds. */
export interface InjectRequestIdsOptions {
  /**
   * Await {@link flushLogs} before the handler's promise settles, so entries held by a
   * {@link RetryTransport} are delivered (or dropped) before Lambda freezes the process. Default `true`.
   */
  flush?: boolean;
  /**
   * The invocation deadline (see `@fleece/retry`'s `withDeadline`) ends this long before Lambda's
   * timeout, keeping time to flush and answer; every fleece retry in the handler honours it.
   * Default 500. Ignored when the context has no `getRemainingTimeInMillis`.
   */
  deadlineMarginMs?: number;
}

/**
 * Wraps an async Lambda handler so every line logged during an invocation, by any logger in any
 * module, carries `lambda_request_id` (`context.awsRequestId`) and, for an event from API Gateway
 * (REST, HTTP, WebSocket) or a Function URL, `api_request_id` (`event.requestContext.requestId`).
 *
 * The ids live in AsyncLocalStorage: overlapping invocations in one process each keep their own,
 * and nothing is left behind for the next invocation of a warm container. The handler also runs
 * under the invocation's deadline, and the root transports are flushed before its promise settles.
 *
 * @throws TypeError naming the argument when `handler` is not a function or an option is invalid.
 */
export function injectRequestIds<TEvent, TResult, TContext extends RequestIdContext = RequestIdContext>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: InjectRequestIdsOptions = {},
): (event: TEvent, context: TContext) => Promise<TResult> {
  if (typeof handler !== 'function') throw new TypeError(`@fleece/log: handler must be a function, got ${String(handler)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`@fleece/log: options must be an object, got ${String(options)}`);
  const flush = options.flush ?? true;
  if (typeof flush !== 'boolean') throw new TypeError(`@fleece/log: option "flush" must be a boolean, got ${String(flush)}`);
  const marginMs = options.deadlineMarginMs ?? 500;
  if (typeof marginMs !== 'number' || !Number.isFinite(marginMs) || marginMs < 0) {
    throw new TypeError(`@fleece/log: option "deadlineMarginMs" must be a finite number of milliseconds >= 0, got ${String(marginMs)}`);
  }

  return function withRequestIds(event: TEvent, context: TContext): Promise<TResult> {
    const store: InvocationKeys = { ids: requestIds(event, context), keys: {}, fields: undefined, generation: -1 };
    const run = async (): Promise<TResult> => {
      try {
        return await handler(event, context);
      } finally {
        if (flush) await flushLogs();
      }
    };
    return storage.run(store, () =>
      typeof context?.getRemainingTimeInMillis === 'function'
        ? withDeadline(lambdaDeadline(context as Required<Pick<RequestIdContext, 'getRemainingTimeInMillis'>>, marginMs), run)
        : run(),
    );
  };
}

function requestIds(event: unknown, context: RequestIdContext | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  const lambdaId = context?.awsRequestId;
  if (typeof lambdaId === 'string' && lambdaId !== '') ids['lambda_request_id'] = lambdaId;
  // API Gateway (v1, v2, WebSocket) and Function URLs put their request id here; ALB, SQS and the
  // other sources have no requestContext.requestId, so they get no api_request_id.
  const requestContext = (event as { requestContext?: { requestId?: unknown } } | null | undefined)?.requestContext;
  const apiId = typeof requestContext === 'object' && requestContext !== null ? requestContext.requestId : undefined;
  if (typeof apiId === 'string' && apiId !== '') ids['api_request_id'] = apiId;
  return ids;
}

/**
 * Adds `keys` to every line logged for the rest of the current invocation (the one
 * {@link injectRequestIds} started), in any module; later calls override earlier keys of the same
 * name. Other invocations, and the next one in a warm container, never see them.
 *
 * @returns `true`, or `false` when called outside an invocation, where there is nothing to add to
 * (use a child logger, `logger.child(keys)`, for keys that outlive an invocation).
 * @throws TypeError when `keys` is not an object.
 */
export function appendKeys(keys: Record<string, unknown>): boolean {
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    throw new TypeError(`@fleece/log: keys must be an object, got ${String(keys)}`);
  }
  const store = storage.getStore();
  if (store === undefined) return false;
  // A fresh object, so the cached fields of this invocation are rebuilt and nothing is shared.
  store.keys = { ...store.keys, ...keys };
  store.fields = undefined;
  return true;
}

/** The current invocation's fields (request ids, appended keys), ready for a line; none outside one. */
export function invocationFields(root: RootState): Record<string, unknown> | undefined {
  const store = storage.getStore();
  if (store === undefined) return undefined;
  if (store.fields === undefined || store.generation !== root.generation) {
    store.fields = toFields({ ...store.ids, ...store.keys }, root.redactor);
    store.generation = root.generation;
  }
  return store.fields;
}
