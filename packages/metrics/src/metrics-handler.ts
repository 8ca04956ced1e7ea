import { invalidOption, joinInvocation, type LambdaContext } from '@fleece/retry';
import { Metrics } from './metrics.js';
import { MetricsError } from './metrics-error.js';

/** How {@link metricsHandler} wraps a handler. */
export interface MetricsHandlerOptions {
  /** The instance whose metrics are flushed. Default: {@link defaultMetrics}. */
  metrics?: Metrics;
  /** Write a `ColdStart` metric on the container's first invocation. Default `false`. */
  captureColdStart?: boolean;
  /**
   * Fail an invocation that recorded no metric (a handler whose metrics are its contract). The
   * handler's own error, when it threw, wins. Default `false`.
   */
  throwOnEmpty?: boolean;
}

let shared: Metrics | undefined;

/**
 * The instance {@link metricsHandler} flushes when given none, configured from the environment
 * (`POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_SERVICE_NAME`) on first use.
 *
 * @throws TypeError when no namespace is set.
 */
export function defaultMetrics(): Metrics {
  shared ??= new Metrics();
  return shared;
}

/**
 * Wraps an async Lambda handler so the metrics it records are written once per invocation, when it
 * ends, also when it throws. The invocation joins the fleece invocation scope (or opens it), so
 * metrics recorded anywhere during it belong to it, even with many invocations in one process.
 *
 * @throws TypeError naming the argument when `handler` is not a function or an option is invalid.
 */
export function metricsHandler<TEvent, TResult, TContext extends LambdaContext | undefined = LambdaContext>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: MetricsHandlerOptions = {},
): (event: TEvent, context: TContext) => Promise<TResult> {
  if (typeof handler !== 'function') invalidOption('metrics', 'handler', 'a function', handler);
  if (options === null || typeof options !== 'object') invalidOption('metrics', 'options', 'an object', options);
  const { captureColdStart = false, throwOnEmpty = false } = options;
  if (options.metrics !== undefined && !(options.metrics instanceof Metrics)) invalidOption('metrics', 'metrics', 'a Metrics instance', options.metrics);
  if (typeof captureColdStart !== 'boolean') invalidOption('metrics', 'captureColdStart', 'a boolean', captureColdStart);
  if (typeof throwOnEmpty !== 'boolean') invalidOption('metrics', 'throwOnEmpty', 'a boolean', throwOnEmpty);
  const metrics = options.metrics ?? defaultMetrics();

  return function withMetrics(event: TEvent, context: TContext): Promise<TResult> {
    return joinInvocation(event, context, async () => {
      if (captureColdStart) metrics.captureColdStart();
      let failed = false;
      try {
        return await handler(event, context);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        const written = metrics.flush();
        // Thrown from `finally` only after a success: a handler's own error is never replaced.
        if (throwOnEmpty && written === 0 && !failed) {
          // eslint-disable-next-line no-unsafe-finally -- the empty-metrics failure is this wrapper's answer
          throw new MetricsError('the invocation recorded no metric and throwOnEmpty is set');
        }
      }
    });
  };
}
