/**
 * Why {@link retry} gave up:
 * - `'exhausted'`: every allowed retry failed;
 * - `'deadline'`: the next attempt could not start before the deadline;
 * - `'aborted'`: the signal was aborted;
 * - `'budget'`: the shared {@link RetryBudget} refused a retry;
 * - `'not-retryable'`: `retryOn` said the error is final.
 */
export type RetryReason = 'exhausted' | 'deadline' | 'aborted' | 'budget' | 'not-retryable';

/** Thrown by {@link retry} when it gives up; the last attempt's error is its `cause`. */
export class RetryError extends Error {
  override readonly name = 'RetryError';
  /** Attempts made (0 when the deadline had passed or the signal was aborted before the first). */
  readonly attempts: number;
  /** Every attempt's error, in order. */
  readonly errors: readonly unknown[];
  /** Why it gave up. */
  readonly reason: RetryReason;

  constructor(reason: RetryReason, errors: readonly unknown[], cause?: unknown) {
    const last = errors.length > 0 ? errors[errors.length - 1] : cause;
    super(`gave up after ${errors.length} attempt${errors.length === 1 ? '' : 's'} (${reason})${suffix(last)}`, {
      cause: errors.length > 0 ? last : cause,
    });
    this.attempts = errors.length;
    this.errors = errors;
    this.reason = reason;
  }
}

function suffix(error: unknown): string {
  if (error instanceof Error) return `: ${error.message}`;
  return error === undefined ? '' : `: ${String(error)}`;
}
