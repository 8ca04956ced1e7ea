/** What an {@link AwsDeadlineError} is built from. */
export interface AwsDeadlineErrorDetails {
  /** The service, e.g. `'DynamoDB'`, when known. */
  service?: string;
  /** The operation, e.g. `'GetItem'`, when known. */
  operation?: string;
  /** Attempts that reached the request handler, when known. */
  attempts?: number;
  /** Every attempt's error, in order. */
  errors?: readonly unknown[];
  /** Milliseconds that were left when the call gave up (zero or negative once passed). */
  remainingMs: number;
  /** Why, in words, appended to the message. */
  detail: string;
  /** The error that was cut short, if any. */
  cause?: unknown;
  /** SDK metadata to carry; default the cause's. */
  metadata?: Partial<AwsDeadlineMetadata>;
}

/** The SDK-style metadata an {@link AwsDeadlineError} carries. */
export interface AwsDeadlineMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

/**
 * Thrown when the invocation deadline (from `@fleece/retry`'s `withDeadline`) stops an AWS call:
 * it had passed before the call, it arrived while a request was in flight, or the next retry
 * would have waited past it. The last real error, if any, is the `cause`.
 */
export class AwsDeadlineError extends Error {
  override readonly name = 'AwsDeadlineError';
  /** Always `'deadline'`, as `RetryError.reason` in `@fleece/retry`. */
  readonly reason = 'deadline' as const;
  /** The service, e.g. `'DynamoDB'`, when known. */
  readonly service: string | undefined;
  /** The operation, e.g. `'GetItem'`, when known. */
  readonly operation: string | undefined;
  /**
   * Attempts that reached the request handler; `undefined` on the error a response body stream
   * fails with when the deadline cuts it after the call returned.
   */
  readonly attempts: number | undefined;
  /** Every attempt's error, in order. */
  readonly errors: readonly unknown[];
  /** Milliseconds that were left when the call gave up. */
  readonly remainingMs: number;
  /** Why, in words (the end of the message). */
  readonly detail: string;
  /** As on SDK errors: `attempts` counts the same attempts the SDK does. */
  readonly $metadata: AwsDeadlineMetadata;

  constructor(details: AwsDeadlineErrorDetails) {
    const call = details.service && details.operation ? `${details.service}.${details.operation}` : 'AWS call';
    const count = details.attempts;
    const after = count === undefined ? '' : ` after ${count} attempt${count === 1 ? '' : 's'}`;
    super(`${call} stopped by the invocation deadline${after}: ${details.detail}`, { cause: details.cause });
    this.service = details.service;
    this.operation = details.operation;
    this.attempts = details.attempts;
    this.errors = details.errors ?? (details.cause === undefined ? [] : [details.cause]);
    this.remainingMs = details.remainingMs;
    this.detail = details.detail;
    const metadata = details.metadata ?? (details.cause as { $metadata?: Partial<AwsDeadlineMetadata> } | undefined)?.$metadata;
    this.$metadata = { ...metadata, attempts: details.attempts };
  }
}

/** Why the retry strategy refused another attempt, and what came before. */
export interface Refusal {
  /** The attempts made, including the one that failed last. */
  attempts: number;
  /** Every attempt's error, in order. */
  errors: readonly unknown[];
  /** Milliseconds left when it refused. */
  remainingMs: number;
  /** Set when the deadline was the reason: the wait the retry would have needed. */
  deadlineDelayMs?: number;
}

// Keyed by the error the SDK will rethrow, so the middleware outside the retry loop can tell a
// deadline cut from an ordinary failure without any shared per-call state.
const refusals = new WeakMap<object, Refusal>();

/** Records why the retry after `error` was refused. */
export function recordRefusal(error: unknown, refusal: Refusal): void {
  if (error !== null && typeof error === 'object') refusals.set(error, refusal);
}

/** The refusal recorded for `error`, if any. */
export function refusalOf(error: unknown): Refusal | undefined {
  return error !== null && typeof error === 'object' ? refusals.get(error) : undefined;
}

/** Describes an error briefly for a message: its name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
