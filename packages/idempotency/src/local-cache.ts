/** A completed record held in memory. Times are epoch milliseconds. */
export interface CachedRecord {
  /** The JSON text of the result (`undefined` for an `undefined` result). */
  result: string | undefined;
  expiresAt: number;
  payloadHash?: string;
}

/**
 * A least-recently-used map of completed records, bounded by the bytes of its keys and results.
 * It lives as long as the idempotent function (a warm container's lifetime), which is the point:
 * a replay on the same container costs no DynamoDB request. Only COMPLETED records go in, so an
 * in-progress answer is always fresh from the store.
 */
export class LocalCache {
  readonly maxSize: number;
  #size = 0;
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  readonly #entries = new Map<string, { record: CachedRecord; size: number }>();

  /** @param maxSize - the budget in bytes. */
  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  /** Bytes held. */
  get size(): number {
    return this.#size;
  }

  /** Records held. */
  get count(): number {
    return this.#entries.size;
  }

  /** The record for `key` unless absent or expired at `now` (an expired one is dropped). */
  get(key: string, now: number): CachedRecord | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.record.expiresAt <= now) {
      this.#size -= entry.size;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.record;
  }

  /** Holds `record`, dropping the least recently used until it fits; a record over the budget is not held. */
  set(key: string, record: CachedRecord): void {
    this.delete(key);
    const size = sizeOf(key, record);
    if (size > this.maxSize) return;
    while (this.#size + size > this.maxSize) {
      const oldest = this.#entries.keys().next().value as string;
      this.delete(oldest);
    }
    this.#entries.set(key, { record, size });
    this.#size += size;
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#size -= entry.size;
  }
}

function sizeOf(key: string, record: CachedRecord): number {
  return (
    Buffer.byteLength(key) +
    (record.result === undefined ? 0 : Buffer.byteLength(record.result)) +
    (record.payloadHash?.length ?? 0)
  );
}
