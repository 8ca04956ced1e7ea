import { toSafeJson } from './safe-json.js';
import type { Span } from './span.js';
import { runInSpan, startSpan } from './tracer.js';

/** Options of {@link traceSubsegment}. */
export interface TraceOptions {
  /**
   * The subsegment's name. Default: the function's name, or `Class.method` for a decorated method.
   * Characters X-Ray rejects become `_`; at most 200 characters are kept.
   */
  name?: string;
  /**
   * Do not record the call's arguments. By default they are recorded as metadata `args` (secret-looking
   * keys redacted, at most 2048 bytes); skip them when they are large or sensitive.
   */
  skipArgs?: boolean;
  /** Record the return value (for a promise, what it resolves to) as metadata `response`, at most 2048 bytes. Default `false`. */
  captureResponse?: boolean;
}

/** The TypeScript 5 (standard) method decorator returned by `traceSubsegment(options)`. */
export type TraceMethodDecorator = <This, Args extends unknown[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
) => (this: This, ...args: Args) => Return;

interface ResolvedOptions {
  name: string | undefined;
  skipArgs: boolean;
  captureResponse: boolean;
}

/** Validates options once, at wrap or decoration time. */
export function resolveTraceOptions(where: string, options: TraceOptions | undefined): ResolvedOptions {
  if (options === undefined) return { name: undefined, skipArgs: false, captureResponse: false };
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  const { name, skipArgs = false, captureResponse = false } = options;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new TypeError(`${where}: name must be a non-empty string`);
  }
  if (typeof skipArgs !== 'boolean') throw new TypeError(`${where}: skipArgs must be a boolean`);
  if (typeof captureResponse !== 'boolean') throw new TypeError(`${where}: captureResponse must be a boolean`);
  return { name, skipArgs, captureResponse };
}

function settle(span: Span, result: unknown, captureResponse: boolean): void {
  if (captureResponse) span.addMetadata('response', toSafeJson(result));
  span.end();
}

function failed(span: Span, error: unknown): void {
  span.fail(error, false);
  span.end();
}

/**
 * Calls `fn` with `thisArg` and `args` inside a new span named by `nameOf`; the heart of every
 * traced call. Without a recording trace it is a plain call. The result, sync or promise, is
 * returned as is (the same promise object), and a throw or rejection is rethrown unchanged.
 */
export function callTraced<R>(
  fn: (...args: unknown[]) => R,
  thisArg: unknown,
  args: unknown[],
  nameOf: () => string,
  options: ResolvedOptions,
): R {
  const span = startSpan(nameOf);
  if (span === undefined) return Reflect.apply(fn, thisArg, args);
  if (!options.skipArgs && args.length > 0) span.addMetadata('args', toSafeJson(args));
  let result: R;
  try {
    result = runInSpan(span, Reflect.apply, fn, thisArg, args) as R;
  } catch (error) {
    failed(span, error);
    throw error;
  }
  // Only native promises are followed: calling `then` on another thenable (a lazy query builder)
  // could start work the caller never asked for.
  if (result instanceof Promise) {
    result.then(
      (value) => settle(span, value, options.captureResponse),
      (error: unknown) => failed(span, error),
    );
  } else {
    settle(span, result, options.captureResponse);
  }
  return result;
}

function methodName(name: string | symbol): string {
  return typeof name === 'symbol' ? `[${name.description ?? 'symbol'}]` : name;
}

// `this` of a static method is the class; of an instance method, an instance.
function className(thisArg: unknown, isStatic: boolean): string {
  try {
    const ctor = isStatic ? thisArg : (thisArg as { constructor?: unknown } | null | undefined)?.constructor;
    const name = typeof ctor === 'function' ? ctor.name : '';
    return name === '' ? 'anonymous' : name;
  } catch {
    return 'anonymous';
  }
}

function decorator(options: ResolvedOptions): TraceMethodDecorator {
  return function traceMethod<This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return {
    if (typeof context !== 'object' || context === null || typeof context.kind !== 'string') {
      throw new TypeError(
        '@traceSubsegment() is a TypeScript 5 standard decorator: turn experimentalDecorators off, or wrap the function with traceSubsegment(fn)',
      );
    }
    if (context.kind !== 'method') throw new TypeError(`@traceSubsegment() decorates methods, not a ${context.kind}`);
    const member = methodName(context.name);
    const isStatic = context.static;
    const fixedName = options.name;
    function traced(this: This, ...args: Args): Return {
      const nameOf = fixedName !== undefined ? () => fixedName : () => `${className(this, isStatic)}.${member}`;
      return callTraced(method as (...a: unknown[]) => Return, this, args, nameOf, options);
    }
    Object.defineProperty(traced, 'name', { value: method.name });
    return traced;
  };
}

/**
 * Wraps `fn` so that each call becomes an X-Ray subsegment, nested under the span it is called in
 * (across awaits too). A throw or rejection is recorded (as `error` for a 4xx-type failure, `throttle`
 * for 429, `fault` otherwise, with the exception) and rethrown unchanged; the wrapper returns exactly
 * what `fn` returns, and outside a sampled trace it is a plain call.
 *
 * @example
 * ```ts
 * const loadUser = traceSubsegment(async (id: string) => users.get(id), { name: 'loadUser' });
 * ```
 * @throws TypeError when `fn` is not a function or an option is invalid.
 */
export function traceSubsegment<F extends (...args: never[]) => unknown>(fn: F, options?: TraceOptions): F;
/**
 * A TypeScript 5 (standard) method decorator: each call of the method becomes a subsegment named
 * `Class.method` unless `name` says otherwise.
 *
 * @example
 * ```ts
 * class Users {
 *   @traceSubsegment({ captureResponse: true })
 *   async get(id: string) { ... }
 * }
 * ```
 * @throws TypeError when an option is invalid, or when applied to something other than a method.
 */
export function traceSubsegment(options?: TraceOptions): TraceMethodDecorator;
export function traceSubsegment(fnOrOptions?: unknown, maybeOptions?: TraceOptions): unknown {
  if (typeof fnOrOptions !== 'function') {
    if (maybeOptions !== undefined) throw new TypeError('traceSubsegment: the first argument must be a function');
    return decorator(resolveTraceOptions('@traceSubsegment', fnOrOptions as TraceOptions | undefined));
  }
  const fn = fnOrOptions as (...args: unknown[]) => unknown;
  const options = resolveTraceOptions('traceSubsegment', maybeOptions);
  const fixedName = options.name ?? (fn.name === '' ? 'anonymous' : fn.name);
  const nameOf = (): string => fixedName;
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    return callTraced(fn, this, args, nameOf, options);
  };
  Object.defineProperty(traced, 'name', { value: fn.name });
  Object.defineProperty(traced, 'length', { value: fn.length });
  return traced;
}
