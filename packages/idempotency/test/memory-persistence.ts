import type {
  ClaimOutcome,
  ClaimRequest,
  CompleteRequest,
  IdempotencyPersistence,
  IdempotencyRecord,
} from '../src/persistence.js';

type Stored = IdempotencyRecord & { token?: string };

/**
 * An in-memory store with the DynamoDB persistence's conditions, for unit tests of the runner.
 * Counts its calls; `fail` makes the next call of a method throw.
 */
export class MemoryPersistence implements IdempotencyPersistence {
  readonly records = new Map<string, Stored>();
  readonly calls: string[] = [];
  readonly fail: Partial<Record<'claim' | 'get' | 'complete' | 'release', unknown>> = {};
  /** Returns the winning record with a failed claim, as DynamoDB's ALL_OLD does. */
  returnOld = false;

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    this.#call('claim');
    const old = this.records.get(request.key);
    const free =
      old === undefined ||
      old.expiresAt < request.now ||
      (old.status === 'INPROGRESS' && old.inProgressExpiresAt !== undefined && old.inProgressExpiresAt < request.now);
    if (!free) return this.returnOld ? { claimed: false, existing: strip(old) } : { claimed: false };
    this.records.set(request.key, {
      key: request.key,
      status: 'INPROGRESS',
      expiresAt: request.expiresAt,
      inProgressExpiresAt: request.inProgressExpiresAt,
      ...(request.payloadHash === undefined ? {} : { payloadHash: request.payloadHash }),
      token: request.token,
    });
    return { claimed: true };
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    this.#call('get');
    const record = this.records.get(key);
    return record && strip(record);
  }

  async complete(request: CompleteRequest): Promise<boolean> {
    this.#call('complete');
    const record = this.records.get(request.key);
    if (record?.token !== request.token) return false;
    this.records.set(request.key, {
      key: request.key,
      status: 'COMPLETED',
      expiresAt: request.expiresAt,
      ...(request.result === undefined ? {} : { result: request.result }),
      ...(request.payloadHash === undefined ? {} : { payloadHash: request.payloadHash }),
    });
    return true;
  }

  async release(key: string, token: string): Promise<void> {
    this.#call('release');
    if (this.records.get(key)?.token === token) this.records.delete(key);
  }

  #call(method: 'claim' | 'get' | 'complete' | 'release'): void {
    this.calls.push(method);
    if (method in this.fail) {
      const error = this.fail[method];
      delete this.fail[method];
      throw error;
    }
  }
}

function strip(record: Stored): IdempotencyRecord {
  const { token: _token, ...rest } = record;
  return rest;
}
