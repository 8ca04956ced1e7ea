export { backoff, BACKOFF_DEFAULTS, type BackoffOptions, type Jitter } from './backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './budget.js';
export {
  currentDeadline,
  lambdaDeadline,
  remainingMs,
  withDeadline,
  type Deadline,
  type RemainingTimeContext,
} from './deadline.js';
export { RetryPolicy, type RetryDecision, type RetryEvent, type RetryPolicyOptions } from './policy.js';
export { retry } from './retry.js';
export { RetryError, type RetryReason } from './retry-error.js';
export { sleep } from './sleep.js';
