export { client, type AwsClientClass, type ClientConfigOf, type ClientOptions } from './client.js';
export { useClientPlugin, type AwsClient, type ClientInfo, type ClientPlugin } from './client-plugins.js';
export { AwsDeadlineError, type AwsDeadlineErrorDetails, type AwsDeadlineMetadata } from './deadline-error.js';
export { DEFAULT_RETRY_POLICY, setDefaultRetry } from './default-retry.js';
export { KernelRetryStrategy, THROTTLING_BASE_FACTOR, type KernelRetryStrategyOptions } from './kernel-retry-strategy.js';
export { DEFAULT_TIMEOUTS, setDefaultTimeout, type TimeoutDefaults, type TimeoutOptions, type Timeouts } from './timeouts.js';
