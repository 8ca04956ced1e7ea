/** Where a record stands: a call holds the key, or its result is stored. */
export type IdempotencyStatus = 'INPROGRESS' | 'COMPLETED';

/** A stored record, as a persistence reads it back. Times are epoch milliseconds. */
export interface IdempotencyRecord {
  /** The idempotency key (`name#hash`). */
  key: string;
  status: IdempotencyStatus;
  /** When the record stops counting, in progress or completed. */
  expiresAt: number;
  /** For an in-progress record: when its claim lapses because the call that holds it must be dead. */
  inProgressExpiresAt?: number;
  /** The hash of the validated payload, when `payloadValidation` is on. */
  payloadHash?: string;
  /** The JSON text of the result of a completed call; `undefined` when the function returned `undefined`. */
  result?: string;
}

/** What {@link IdempotencyPersistence.claim} is asked to write. Times are epoch milliseconds. */
export interface ClaimRequest {
  key: string;
  /** A random value naming this claim, so only its holder can complete or release it. */
  token: string;
  /** The record's expiry. */
  expiresAt: number;
  /** When the claim lapses (now + the invocation's remaining time; at most `expiresAt`). */
  inProgressExpiresAt: number;
  payloadHash?: string;
  /** The time the conditions compare with. */
  now: number;
}

/** What a claim came to: the key is ours, or someone else's record (when the store returned it). */
export type ClaimOutcome = { claimed: true } | { claimed: false; existing?: IdempotencyRecord };

/** What {@link IdempotencyPersistence.complete} is asked to write. */
export interface CompleteRequest {
  key: string;
  token: string;
  /** The record's new expiry, counted from completion. */
  expiresAt: number;
  /** The JSON text of the result, `undefined` for an `undefined` result. */
  result: string | undefined;
  payloadHash?: string;
}

/**
 * Where idempotency records live. {@link DynamoDBPersistence} is the one this package ships; any
 * store with a conditional write can implement this.
 */
export interface IdempotencyPersistence {
  /**
   * Writes an in-progress record in one conditional write, when the key is absent, its record
   * has expired (`expiresAt < now`), or it is in progress past its `inProgressExpiresAt`.
   */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Reads a record with a consistent read. */
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Stores the result and COMPLETED, if the claim named by `token` still holds the key. Resolves
   * `false` when another call took the key over (the claim had lapsed).
   *
   * @throws IdempotencyResultTooLargeError before writing anything when the record would not fit.
   */
  complete(request: CompleteRequest): Promise<boolean>;
  /** Deletes the record if the claim named by `token` still holds the key. */
  release(key: string, token: string): Promise<void>;
}
