import { RetryPolicy, type RetryPolicyOptions } from '@fleece/retry';

/**
 * The built-in retry policy: 2 retries (3 attempts, as the SDK's standard mode), the kernel's
 * backoff (100 ms base, 1000 ms cap, full jitter). Throttling errors wait from a longer base.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = new RetryPolicy({ retries: 2 });

// Process-wide configuration set at start-up; clients read it once, when they are made.
let defaultPolicy: RetryPolicy | undefined;

/**
 * Sets the retry policy of every client made by `client()` from now on, unless the client sets
 * its own; `undefined` goes back to {@link DEFAULT_RETRY_POLICY}. Clients made earlier keep theirs.
 *
 * @throws TypeError naming the option when the policy's options are invalid.
 */
export function setDefaultRetry(policy: RetryPolicy | RetryPolicyOptions | undefined): void {
  defaultPolicy = policy === undefined ? undefined : RetryPolicy.from(policy);
}

/** The policy a client without its own `retry` gets. */
export function defaultRetry(): RetryPolicy {
  return defaultPolicy ?? DEFAULT_RETRY_POLICY;
}
