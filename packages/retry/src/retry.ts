import { currentDeadline, remainingMs } from './deadline.js';
import { RetryPolicy, type RetryPolicyOptions } from './policy.js';
import { RetryError, type RetryReason } from './retry-error.js';
import { sleep as realSleep } from './sleep.js';

/**
 * Calls `fn(attempt, signal)` until it resolves, waiting between attempts as the policy says.
 *
 * It never waits past the deadline (the policy's, else the current invocation's): when the next
 * wait would cross it, it stops at once. A synchronous throw counts as a failed attempt.
 *
 * @returns what `fn` resolved to.
 * @throws RetryError with every attempt's error and the reason it gave up.
 * @throws TypeError naming the option when an option is invalid.
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => T | Promise<T>,
  options: RetryPolicy | RetryPolicyOptions = {},
): Promise<T> {
  const policy = RetryPolicy.from(options);
  const { signal, budget, retryOn, onRetry } = policy.options;
  const clock = policy.options.clock ?? Date.now;
  const wait = policy.options.sleep ?? realSleep;
  const deadline = policy.options.deadline ?? currentDeadline();
  const delays = policy.delays();
  const errors: unknown[] = [];
  const giveUp = (reason: RetryReason): never => {
    throw new RetryError(reason, errors, signal?.reason);
  };

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) giveUp('aborted');
    if (remainingMs(deadline, clock) <= 0) giveUp('deadline');
    try {
      const result = await fn(attempt, signal);
      budget?.recordSuccess();
      return result;
    } catch (error) {
      errors.push(error);
    }
    if (signal?.aborted) giveUp('aborted');
    const error = errors[errors.length - 1];
    const decision = retryOn ? retryOn(error, attempt) : true;
    if (decision === false) giveUp('not-retryable');
    if (attempt > policy.retries) giveUp('exhausted');
    const backoffDelay = delays.next().value as number;
    const delayMs = typeof decision === 'number' && Number.isFinite(decision) && decision >= 0 ? decision : backoffDelay;
    if (delayMs >= remainingMs(deadline, clock)) giveUp('deadline');
    if (budget && !budget.tryAcquire()) giveUp('budget');
    onRetry?.({ error, attempt, delayMs });
    // A zero wait skips the timer: setTimeout(0) still costs Node's 1 ms minimum per retry.
    if (delayMs === 0) continue;
    try {
      await wait(delayMs, signal);
    } catch (sleepError) {
      if (signal?.aborted) giveUp('aborted');
      throw sleepError;
    }
  }
}
