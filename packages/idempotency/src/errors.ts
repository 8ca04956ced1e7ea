/** The base of every error this package throws, so one `instanceof` catches them all. */
export class IdempotencyError extends Error {
  override readonly name: string = 'IdempotencyError';
}

/**
 * The key selected from the event (or arguments) is missing and `throwOnNoKey` is set. For API
 * handlers this is the client's fault: answer 400 ({@link idempotencyErrorResponse} does).
 */
export class IdempotencyKeyMissingError extends IdempotencyError {
  override readonly name = 'IdempotencyKeyMissingError';
  /** The JMESPath expression that selected nothing, or `'function'` when the key is a function. */
  readonly expression: string;

  constructor(expression: string) {
    super(
      expression === 'function'
        ? 'the idempotency key function returned no value'
        : `no idempotency key found at ${expression}`,
    );
    this.expression = expression;
  }
}

/**
 * The same key came with a different payload (the part selected by `payloadValidation`) than the
 * call that stored the record: the client reused a key for another request. Answer 422.
 */
export class IdempotencyValidationError extends IdempotencyError {
  override readonly name = 'IdempotencyValidationError';
  /** The idempotency key (function name and hash; it holds no payload data). */
  readonly key: string;

  constructor(key: string) {
    super(`the payload differs from the one stored for idempotency key ${key}`);
    this.key = key;
  }
}

/**
 * Another call holds the key and has not finished. Answer 409 with `Retry-After`: by
 * `retryAfterMs` the first call has finished or, if it died, its claim has expired.
 */
export class IdempotencyAlreadyInProgressError extends IdempotencyError {
  override readonly name = 'IdempotencyAlreadyInProgressError';
  /** The idempotency key. */
  readonly key: string;
  /** Milliseconds until the claim expires, when the store knows; `undefined` otherwise. */
  readonly retryAfterMs: number | undefined;

  constructor(key: string, retryAfterMs: number | undefined) {
    super(`another call is in progress with idempotency key ${key}`);
    this.key = key;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The result cannot be stored because the record would exceed the store's item size limit
 * (400 KB in DynamoDB). Nothing was stored and the claim was released, so the key is free again.
 * Keep large results elsewhere (S3) and return a reference from the idempotent function.
 */
export class IdempotencyResultTooLargeError extends IdempotencyError {
  override readonly name = 'IdempotencyResultTooLargeError';
  /** The idempotency key. */
  readonly key: string;
  /** The size the record would have had, in bytes. */
  readonly sizeBytes: number;
  /** The store's limit, in bytes. */
  readonly limitBytes: number;

  constructor(key: string, sizeBytes: number, limitBytes: number) {
    super(
      `the result for idempotency key ${key} would make a ${sizeBytes}-byte record, over the ${limitBytes}-byte item limit; nothing was stored`,
    );
    this.key = key;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * The store failed (network, throttling, permissions) or the result could not be serialised. The
 * store's own error is the `cause`.
 */
export class IdempotencyPersistenceError extends IdempotencyError {
  override readonly name = 'IdempotencyPersistenceError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
