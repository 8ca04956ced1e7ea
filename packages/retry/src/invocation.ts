import { runtimeIds } from './invoke-store.js';
import { currentFrame, firstOpening, runInFrame, type InvocationState } from './scope.js';
import { invalid } from './validate.js';

/**
 * The parts of a Lambda context fleece reads. Structural, so the runtime's context, the one
 * `@fleece/testing` builds, and a hand-written stub all fit.
 */
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  invokedFunctionArn?: string;
  /** The tenant of a tenant-isolated function. */
  tenantId?: string;
  getRemainingTimeInMillis?(): number;
}

/** One Lambda invocation as every fleece package sees it, the same whichever wrapper opened it. */
export interface Invocation {
  readonly event: unknown;
  readonly context: LambdaContext | undefined;
  /** Lambda's request id: the runtime's invoke store when it has one, else `context.awsRequestId`. */
  readonly requestId: string | undefined;
  /**
   * The X-Ray trace header (`Root=…;Parent=…;Sampled=…`) as Lambda hands it over: the runtime's
   * invoke store when it has one, else `_X_AMZN_TRACE_ID` when no invoke store is in use.
   */
  readonly traceId: string | undefined;
  /** The tenant id: the runtime's invoke store when it has one, else `context.tenantId`. */
  readonly tenantId: string | undefined;
  /** `true` for the first invocation of the process only, never under provisioned concurrency or SnapStart. */
  readonly coldStart: boolean;
  /** Milliseconds left of the invocation, margin applied; `undefined` without a context that counts down. */
  readonly deadline: (() => number) | undefined;
}

/** How an invocation is opened. Durations are milliseconds. */
export interface InvocationOptions {
  /**
   * The deadline ends this long before Lambda's timeout, keeping time to log, flush and answer.
   * Default 500. Only the wrapper that opens the invocation applies it; joiners share its deadline.
   */
  deadlineMarginMs?: number;
}

/** The default of {@link InvocationOptions.deadlineMarginMs}. */
export const DEFAULT_DEADLINE_MARGIN_MS = 500;

// Initialisations that happen before any request arrives, so their first invocation is warm.
const PREWARMED = new Set(['provisioned-concurrency', 'snap-start']);

/** The invocation in progress where this is called, or `undefined` outside one. */
export function currentInvocation(): Invocation | undefined {
  return currentFrame()?.invocation?.view;
}

/**
 * The X-Ray trace header of the current invocation; outside one, the runtime's invoke store, then
 * `_X_AMZN_TRACE_ID`. Read this rather than the environment variable, which on Lambda Managed
 * Instances cannot hold the trace of every invocation in flight.
 */
export function currentTraceId(): string | undefined {
  const invocation = currentInvocation();
  if (invocation !== undefined) return invocation.traceId;
  const runtime = runtimeIds();
  return runtime !== undefined ? runtime.traceId : environmentTraceId();
}

/**
 * Runs `fn` inside the invocation in progress when one is open for the same context (the same
 * object, or the same `awsRequestId`), and otherwise opens one for `event` and `context` first.
 * Every fleece wrapper calls this, so any subset of them in any order shares one deadline, one set
 * of ids and one set of slots. `options` apply only when this call opens the invocation.
 *
 * @throws TypeError naming the option when `options` is invalid, before `fn` runs.
 */
export function joinInvocation<T>(event: unknown, context: LambdaContext | undefined, fn: () => T, options?: InvocationOptions): T {
  const marginMs = checkOptions(options);
  if (typeof fn !== 'function') invalid('fn', 'a function', fn);
  const frame = currentFrame();
  const open = frame?.invocation;
  if (open !== undefined && sameInvocation(open.view, context)) return fn();
  const state = openInvocation(event, context, marginMs, frame?.deadline);
  return runInFrame({ invocation: state, deadline: state.view.deadline }, fn);
}

/**
 * Wraps an async Lambda handler so each invocation runs inside the invocation scope: the deadline
 * every fleece retry and timeout obeys, the request, trace and tenant ids, cold start, and the
 * slots other packages keep per invocation. The fleece wrappers (`injectRequestIds`,
 * `traceHandler`, `idempotent`, …) open the same scope themselves; this is for a handler that
 * uses none of them, or to set the margin once at the outside.
 *
 * @throws TypeError naming the argument when `handler` is not a function or an option is invalid.
 */
export function lambdaHandler<TEvent, TResult, TContext extends LambdaContext | undefined = LambdaContext>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: InvocationOptions = {},
): (event: TEvent, context: TContext) => Promise<TResult> {
  if (typeof handler !== 'function') invalid('handler', 'a function', handler);
  checkOptions(options);
  const settings = { ...options };
  return function invocationScope(event: TEvent, context: TContext): Promise<TResult> {
    return joinInvocation(event, context, () => handler(event, context), settings);
  };
}

function checkOptions(options: InvocationOptions | undefined): number {
  if (options === undefined) return DEFAULT_DEADLINE_MARGIN_MS;
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  const marginMs = options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS;
  if (typeof marginMs !== 'number' || !Number.isFinite(marginMs) || marginMs < 0) {
    invalid('deadlineMarginMs', 'a finite number of milliseconds >= 0', marginMs);
  }
  return marginMs;
}

function sameInvocation(open: Invocation, context: LambdaContext | undefined): boolean {
  // A wrapper that got no context (a unit test calling an inner layer, a middleware that drops it)
  // is still inside the invocation around it.
  if (context === undefined || context === null || context === open.context) return true;
  const id = text(context.awsRequestId);
  return id !== undefined && id === text(open.context?.awsRequestId);
}

function openInvocation(
  event: unknown,
  context: LambdaContext | undefined,
  marginMs: number,
  outer: (() => number) | undefined,
): InvocationState {
  const ctx = context === null || typeof context !== 'object' ? undefined : context;
  const contextId = text(ctx?.awsRequestId);
  const runtime = runtimeIds();
  // In single-context mode the runtime's store keeps the last invocation's ids until the next one
  // starts, so a handler called directly (a test, a local runner) must not take a stale id.
  const fromRuntime =
    runtime !== undefined && (contextId === undefined || runtime.requestId === undefined || runtime.requestId === contextId)
      ? runtime
      : undefined;
  const own = ownDeadline(ctx, marginMs);
  const deadline = own !== undefined && outer !== undefined ? () => Math.min(outer(), own()) : (own ?? outer);
  const view: Invocation = Object.freeze({
    event,
    context: ctx,
    requestId: fromRuntime?.requestId ?? contextId,
    // Outside any invoke store the process-wide variable is the only source; with one, the store
    // is the truth even when it has no trace (the variable may belong to another invocation).
    traceId: fromRuntime !== undefined ? fromRuntime.traceId : runtime === undefined ? environmentTraceId() : undefined,
    tenantId: fromRuntime?.tenantId ?? text(ctx?.tenantId),
    coldStart: firstOpening() && !PREWARMED.has(process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] ?? ''),
    deadline,
  });
  return { view, slots: new Map() };
}

function ownDeadline(context: LambdaContext | undefined, marginMs: number): (() => number) | undefined {
  const remaining = context?.getRemainingTimeInMillis;
  if (typeof remaining !== 'function') return undefined;
  return () => remaining.call(context) - marginMs;
}

function environmentTraceId(): string | undefined {
  return text(process.env['_X_AMZN_TRACE_ID']);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
