import { remainingMs, RetryPolicy, type RetryPolicyOptions } from '@fleece/retry';
import { applyClientPlugins, type AwsClient, type ClientInfo } from './client-plugins.js';
import { DeadlineRequestHandler, type SdkRequestHandler } from './deadline-handler.js';
import { DEADLINE_MIDDLEWARE_OPTIONS, deadlineMiddleware } from './deadline-middleware.js';
import { defaultRetry } from './default-retry.js';
import { KernelRetryStrategy } from './kernel-retry-strategy.js';
import { resolveTimeouts, type TimeoutOptions, type Timeouts } from './timeouts.js';
import { invalid } from './validate.js';

/** What `client()` accepts besides the SDK client's own configuration. Durations are ms. */
export interface ClientOptions extends TimeoutOptions {
  /**
   * How calls are retried, on the `@fleece/retry` kernel: a `RetryPolicy` or its options.
   * Default: {@link setDefaultRetry}'s policy, else `DEFAULT_RETRY_POLICY` (2 retries).
   */
  retry?: RetryPolicy | RetryPolicyOptions;
  /** Delay before the first retry after a throttling error, ms. Default 5 × the policy's `base`. */
  throttlingBase?: number;
}

/** A generated AWS SDK v3 client class, such as `DynamoDBClient` or `S3Client`. */
export type AwsClientClass = new (...args: any[]) => AwsClient; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The configuration the constructor of `C` takes (`DynamoDBClientConfig` for `DynamoDBClient`). */
export type ClientConfigOf<C> = C extends new (...args: infer A) => unknown ? NonNullable<A[0]> : never;

type MutableConfig = Record<string, unknown>;

/**
 * Makes an AWS SDK v3 client of any service with finite connect and read timeouts, retries on the
 * `@fleece/retry` kernel, and every request and retry bounded by the invocation deadline.
 *
 * Everything else in `options` is the SDK client's own configuration and is passed on as given.
 * Request handler options you set (`requestHandler: { connectionTimeout, … }`) win over fleece's
 * timeouts; a request handler instance is used as is (its timeouts are yours) and only gains the
 * deadline bound. A `retryStrategy` or `retryMode` of yours replaces fleece's retries.
 *
 * Make clients once, at module load: the deadline is read per request, not per client.
 *
 * @example
 * const dynamo = client(DynamoDBClient, { timeout: 2000, retry: { retries: 4 } });
 *
 * @throws TypeError naming the option when a fleece option is invalid.
 */
export function client<C extends AwsClientClass>(
  ClientClass: C,
  options?: ClientOptions & ClientConfigOf<C>,
): InstanceType<C> {
  if (typeof ClientClass !== 'function') invalid('ClientClass', 'an AWS SDK v3 client class', ClientClass);
  if (options !== undefined && (options === null || typeof options !== 'object')) invalid('options', 'an object', options);
  const { timeout, connectTimeout, readTimeout, retry, throttlingBase, ...rest } = (options ?? {}) as ClientOptions &
    MutableConfig;
  const config: MutableConfig = rest;
  const timeouts = resolveTimeouts({ timeout, connectTimeout, readTimeout });

  let policy: RetryPolicy | undefined;
  let remaining: () => number = () => remainingMs();
  if (config.retryStrategy === undefined && config.retryMode === undefined) {
    policy = retry === undefined ? defaultRetry() : RetryPolicy.from(retry);
    const maxAttempts = config.maxAttempts;
    const ownRetries = retry !== undefined && policy.options.retries !== undefined;
    if (!ownRetries && typeof maxAttempts === 'number' && Number.isInteger(maxAttempts) && maxAttempts >= 1) {
      policy = policy.with({ retries: maxAttempts - 1 });
    }
    const strategy = new KernelRetryStrategy(policy, { throttlingBase });
    config.retryStrategy = strategy;
    // The SDK only puts maxAttempts in the amz-sdk-request header; keep that header truthful.
    config.maxAttempts ??= policy.retries + 1;
    remaining = () => strategy.remainingMs();
  }
  const handler = handlerInput(config.requestHandler, timeouts);
  config.requestHandler = handler.input;

  const instance = new ClientClass(config) as InstanceType<C>;
  const resolved = instance.config as { requestHandler?: SdkRequestHandler };
  if (resolved.requestHandler && typeof resolved.requestHandler.handle === 'function') {
    resolved.requestHandler = new DeadlineRequestHandler(resolved.requestHandler, remaining, handler.sdkBuilt);
  }
  instance.middlewareStack.add(deadlineMiddleware(remaining), DEADLINE_MIDDLEWARE_OPTIONS);
  const info: ClientInfo = Object.freeze({ timeouts: Object.freeze({ ...timeouts }), retry: policy });
  applyClientPlugins(instance, info);
  return instance;
}

/**
 * The `requestHandler` to give the SDK: options (merged with ours, the caller's winning) so that
 * each client still builds its own default handler class (HTTP/1.1 or HTTP/2), or the caller's
 * instance as is. `sdkBuilt` tells whether the handler will be one of the SDK's Node handlers.
 */
function handlerInput(given: unknown, timeouts: Timeouts): { input: unknown; sdkBuilt: boolean } {
  // throwOnRequestTimeout: without it the SDK only logs a warning when a requestTimeout passes.
  const ours = { connectionTimeout: timeouts.connect, socketTimeout: timeouts.read, throwOnRequestTimeout: true };
  if (given === undefined || given === null) return { input: ours, sdkBuilt: true };
  if (given instanceof DeadlineRequestHandler) return { input: given.inner, sdkBuilt: given.plainSignal };
  if (typeof (given as SdkRequestHandler).handle === 'function') return { input: given, sdkBuilt: false };
  if (typeof given === 'function') {
    const provider = given as () => Promise<object | undefined>;
    return { input: async () => ({ ...ours, ...defined(await provider()) }), sdkBuilt: true };
  }
  if (typeof given === 'object') return { input: { ...ours, ...defined(given) }, sdkBuilt: true };
  return { input: given, sdkBuilt: false };
}

function defined(options: object | undefined): object {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
}
