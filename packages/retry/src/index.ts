export { backoff, BACKOFF_DEFAULTS, type BackoffOptions, type Jitter } from './backoff.js';
export { describeValue, invalidOption } from './validate.js';
export { RetryBudget, type RetryBudgetOptions } from './budget.js';
export {
  currentDeadline,
  lambdaDeadline,
  remainingMs,
  withDeadline,
  type Deadline,
  type RemainingTimeContext,
} from './deadline.js';
export {
  currentInvocation,
  currentTraceId,
  DEFAULT_DEADLINE_MARGIN_MS,
  joinInvocation,
  lambdaHandler,
  type Invocation,
  type InvocationOptions,
  type LambdaContext,
} from './invocation.js';
export type { Logger } from './logger.js';
export { RetryPolicy, type RetryDecision, type RetryEvent, type RetryPolicyOptions } from './policy.js';
export { retry } from './retry.js';
export { RetryError, type RetryReason } from './retry-error.js';
export { invocationSlot, type InvocationSlot } from './slot.js';
export { sleep } from './sleep.js';
