import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { sleep } from '@fleece/retry';
import { lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import {
  createIdempotencyTable,
  DynamoDBPersistence,
  IdempotencyAlreadyInProgressError,
  IdempotencyResultTooLargeError,
  IdempotencyValidationError,
  idempotencyErrorResponse,
  idempotent,
  type IdempotencyOptions,
} from '../src/index.js';
import { idempotencyKey } from '../src/key.js';

interface ApiEvent {
  headers: Record<string, string>;
  body: string;
}

let aws: LocalAws;
let raw: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  aws = await startLocalAws({ services: ['dynamodb'] });
  raw = new DynamoDBClient(aws.clientConfig('dynamodb'));
});

afterAll(async () => {
  raw.destroy();
  await aws.stop();
});

/** A fresh table and a persistence on it, through the default @fleece/aws client. */
async function freshTable(attributes: Partial<Record<'keyAttr' | 'expiryAttr', string>> = {}) {
  const tableName = `idempotency-${++tables}`;
  const created = await createIdempotencyTable({ tableName, clientConfig: aws.clientConfig('dynamodb'), ...attributes });
  expect(created).toEqual({ created: true, timeToLive: 'enabled' });
  const persistence = new DynamoDBPersistence({ tableName, clientConfig: aws.clientConfig('dynamodb'), ...attributes });
  aws.resetRequests();
  return { tableName, persistence };
}

const request = (key: string | undefined, body = '{"amount":5}'): ApiEvent => ({
  headers: key === undefined ? { 'Content-Type': 'application/json' } : { 'Idempotency-Key': key },
  body,
});

const operations = () => aws.requests('dynamodb').map((r) => r.operation);

function options(
  persistence: DynamoDBPersistence,
  extra: Partial<IdempotencyOptions<[ApiEvent, unknown]>> = {},
): IdempotencyOptions<[ApiEvent, unknown]> {
  return { persistence, key: 'headers."idempotency-key"', throwOnNoKey: true, ...extra };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createIdempotencyTable', () => {
  it('creates the table once; a second call finds it', async () => {
    const { tableName } = await freshTable();
    await expect(createIdempotencyTable({ tableName, client: raw })).resolves.toEqual({
      created: false,
      timeToLive: 'enabled',
    });
  });

  it('rejects a bad table name', async () => {
    await expect(createIdempotencyTable({ tableName: 'x' })).rejects.toThrow(/option "tableName"/);
    await expect(createIdempotencyTable(null as never)).rejects.toThrow(/option "options"/);
  });
});

describe('DynamoDBPersistence against dynalite', () => {
  it('runs the handler exactly once for 50 concurrent invocations; the other 49 get the in-progress error', async () => {
    const { persistence } = await freshTable();
    const gate = deferred();
    let runs = 0;
    let answered = 0;
    // The handler holds the key until every invocation has either entered it or had its answer, so
    // a second run (the bug this guards against) would show up in runs, not as a hang.
    const openWhenAllIn = () => {
      if (runs + answered === 50) gate.resolve();
    };
    const handler = idempotent(async (event: ApiEvent) => {
      runs++;
      openWhenAllIn();
      await gate.promise;
      return { statusCode: 201, body: event.body };
    }, options(persistence));
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        handler(request('same-key'), lambdaContext({ timeoutMs: 20_000 })).catch((error: unknown) => {
          answered++;
          openWhenAllIn();
          throw error;
        }),
      ),
    );
    expect(runs).toBe(1);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(49);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(IdempotencyAlreadyInProgressError);
      const answer = idempotencyErrorResponse(r.reason);
      expect(answer?.statusCode).toBe(409);
      expect(Number(answer?.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(Number(answer?.headers['Retry-After'])).toBeLessThanOrEqual(30);
    }
    const ops = operations();
    expect(ops.filter((o) => o === 'PutItem')).toHaveLength(50);
    expect(ops.filter((o) => o === 'UpdateItem')).toHaveLength(1);
  }, 40_000);

  it("with onInProgress 'wait', the other 49 all return the one stored result", async () => {
    const { persistence } = await freshTable();
    const gate = deferred();
    let waiters = 0;
    let runs = 0;
    const handler = idempotent(
      async (event: ApiEvent) => {
        runs++;
        await gate.promise;
        return { statusCode: 201, body: event.body, run: runs };
      },
      options(persistence, {
        onInProgress: 'wait',
        waitPolicy: {
          base: 200,
          cap: 800,
          // Attempt 1 is each waiter's first in-progress answer: the result is released only
          // once all 49 have had one and started polling (with real short waits, on dynalite).
          onRetry: ({ attempt }) => {
            if (attempt === 1 && ++waiters === 49) gate.resolve();
          },
        },
      }),
    );
    // The waiters' deadline (20 s, generous for a loaded CI machine) comes before the test's timeout:
    // a failure ends them too, so no poller outlives the test.
    const results = await Promise.all(Array.from({ length: 50 }, () => handler(request('k'), lambdaContext({ timeoutMs: 20_000 }))));
    expect(runs).toBe(1);
    expect(waiters).toBe(49);
    for (const result of results) expect(result).toEqual({ statusCode: 201, body: '{"amount":5}', run: 1 });
  }, 40_000);

  it('lets a retry run after the in-progress expiry when the first invocation crashed', async () => {
    const { persistence, tableName } = await freshTable();
    const clock = { now: 1_700_000_000_000 };
    let runs = 0;
    const handler = idempotent(async () => {
      runs++;
      // The first invocation never finishes: Lambda killed it at its timeout.
      if (runs === 1) await new Promise(() => undefined);
      return { statusCode: 200, body: 'second' };
    }, options(persistence, { clock: () => clock.now }));
    const context = () => lambdaContext({ timeoutMs: 3000, now: () => clock.now });
    void handler(request('k'), context());
    const item = await stored(tableName, idempotencyKey('test-function', 'k'));
    expect(item?.['status']?.S).toBe('INPROGRESS');
    expect(item?.['in_progress_expiration']?.N).toBe(String(clock.now + 3000));

    clock.now += 2000;
    const duplicate = await handler(request('k'), context()).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(IdempotencyAlreadyInProgressError);
    expect((duplicate as IdempotencyAlreadyInProgressError).retryAfterMs).toBe(1000);

    clock.now += 1001;
    await expect(handler(request('k'), context())).resolves.toEqual({ statusCode: 200, body: 'second' });
    expect(runs).toBe(2);
    expect((await getItem(tableName, idempotencyKey('test-function', 'k')))?.['status']?.S).toBe('COMPLETED');
  });

  it('frees the key at once when the remaining time is 0 (no endless in-progress)', async () => {
    const { persistence, tableName } = await freshTable();
    const clock = { now: 1_700_000_000_000 };
    let runs = 0;
    const handler = idempotent(async () => {
      runs++;
      if (runs === 1) await new Promise(() => undefined);
      return 'retried';
    }, options(persistence, { clock: () => clock.now }));
    const context = lambdaContext({ timeoutMs: 0, now: () => clock.now });
    expect(context.getRemainingTimeInMillis()).toBe(0);
    void handler(request('k'), context);
    const item = await stored(tableName, idempotencyKey('test-function', 'k'));
    expect(item?.['in_progress_expiration']?.N).toBe(String(clock.now));

    clock.now += 1;
    await expect(handler(request('k'), lambdaContext({ now: () => clock.now }))).resolves.toBe('retried');
  });

  it('throws IdempotencyValidationError (422) when a key is reused with another payload', async () => {
    const { persistence } = await freshTable();
    let runs = 0;
    const handler = idempotent(async (event: ApiEvent) => {
      runs++;
      return event.body;
    }, options(persistence, { payloadValidation: 'body' }));
    await handler(request('k', '{"amount":5}'), lambdaContext());
    const error = await handler(request('k', '{"amount":6}'), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyValidationError);
    expect(idempotencyErrorResponse(error)?.statusCode).toBe(422);
    await expect(handler(request('k', '{"amount":5}'), lambdaContext())).resolves.toBe('{"amount":5}');
    expect(runs).toBe(1);
  });

  it('answers a missing key with 400 without any request', async () => {
    const { persistence } = await freshTable();
    const handler = idempotent(async () => 'never', options(persistence));
    const error = await handler(request(undefined), lambdaContext()).catch((e: unknown) => e);
    expect(idempotencyErrorResponse(error)?.statusCode).toBe(400);
    expect(operations()).toEqual([]);
  });

  it('honours the expiry on the injected clock although dynalite never deletes the record', async () => {
    const { persistence, tableName } = await freshTable();
    const clock = { now: 1_700_000_000_500 };
    let runs = 0;
    const handler = idempotent(async () => ++runs, options(persistence, { clock: () => clock.now, expiresAfterSeconds: 60 }));
    await handler(request('k'), lambdaContext());
    const item = await getItem(tableName, idempotencyKey('test-function', 'k'));
    // The TTL attribute is epoch seconds.
    expect(item?.['expiration']?.N).toBe(String(Math.ceil(clock.now / 1000) + 60));
    expect(item?.['claim']).toBeUndefined();
    expect(item?.['in_progress_expiration']).toBeUndefined();
    clock.now += 59_000;
    await expect(handler(request('k'), lambdaContext())).resolves.toBe(1);
    clock.now += 2_000;
    await expect(handler(request('k'), lambdaContext())).resolves.toBe(2);
  });

  it('makes 2 requests on a first call, 1 on a replay (the stored record comes back with the failed claim), none on a local-cache hit', async () => {
    const { persistence } = await freshTable();
    const handler = idempotent(async () => 'ok', options(persistence, { localCache: true }));
    const other = idempotent(async () => 'ok', options(persistence));
    await handler(request('k'), lambdaContext());
    expect(operations()).toEqual(['PutItem', 'UpdateItem']);
    aws.resetRequests();
    await other(request('k'), lambdaContext());
    expect(operations()).toEqual(['PutItem']);
    aws.resetRequests();
    await handler(request('k'), lambdaContext());
    expect(operations()).toEqual([]);
  });

  it('deletes the claim when the handler throws', async () => {
    const { persistence, tableName } = await freshTable();
    const handler = idempotent(async () => {
      throw new Error('boom');
    }, options(persistence));
    await expect(handler(request('k'), lambdaContext())).rejects.toThrow('boom');
    expect(operations()).toEqual(['PutItem', 'DeleteItem']);
    expect(await getItem(tableName, idempotencyKey('test-function', 'k'))).toBeUndefined();
  });

  it('refuses a result over the 400 KB item limit before writing it, and frees the key', async () => {
    const { persistence, tableName } = await freshTable();
    let size = 410_000;
    const handler = idempotent(async () => 'x'.repeat(size), options(persistence));
    const error = await handler(request('k'), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyResultTooLargeError);
    expect((error as IdempotencyResultTooLargeError).limitBytes).toBe(409_600);
    expect((error as Error).message).toMatch(/over the 409600-byte item limit; nothing was stored/);
    expect(operations()).toEqual(['PutItem', 'DeleteItem']);
    expect(await getItem(tableName, idempotencyKey('test-function', 'k'))).toBeUndefined();

    // Just under the limit is stored whole and replayed.
    size = 409_000;
    await handler(request('k'), lambdaContext());
    size = 1;
    await expect(handler(request('k'), lambdaContext())).resolves.toHaveLength(409_000);
  });

  it('stores an undefined result and keeps the payload hash, with custom attribute names', async () => {
    const { persistence, tableName } = await freshTable({ keyAttr: 'pk', expiryAttr: 'ttl' });
    const handler = idempotent(async () => undefined, options(persistence, { payloadValidation: 'body' }));
    await handler(request('k'), lambdaContext());
    await expect(handler(request('k'), lambdaContext())).resolves.toBeUndefined();
    const item = await raw.send(new ScanCommand({ TableName: tableName }));
    expect(Object.keys(item.Items![0]!).sort()).toEqual(['pk', 'status', 'ttl', 'validation']);
  });

  it('completes and releases only while its own claim holds the key', async () => {
    const { persistence, tableName } = await freshTable();
    const now = Date.now();
    const claim = { key: 'k', expiresAt: now + 60_000, inProgressExpiresAt: now + 1000, now };
    await expect(persistence.claim({ ...claim, token: 'a' })).resolves.toEqual({ claimed: true });
    // The record that holds the key comes back with the failed claim, as from DynamoDB.
    await expect(persistence.claim({ ...claim, token: 'b' })).resolves.toEqual({ claimed: false, existing: expect.objectContaining({ key: 'k', status: 'INPROGRESS' }) });
    // The claim lapses and another call takes the key over.
    await expect(persistence.claim({ ...claim, token: 'b', now: now + 1001 })).resolves.toEqual({ claimed: true });
    await expect(persistence.complete({ key: 'k', token: 'a', expiresAt: now + 60_000, result: '"a"' })).resolves.toBe(false);
    await persistence.release('k', 'a');
    expect((await persistence.get('k'))?.status).toBe('INPROGRESS');
    await expect(persistence.complete({ key: 'k', token: 'b', expiresAt: now + 60_000, result: '"b"' })).resolves.toBe(true);
    await persistence.release('k', 'b');
    expect(await persistence.get('k')).toMatchObject({ status: 'COMPLETED', result: '"b"' });
    await expect(persistence.get('missing')).resolves.toBeUndefined();

    await raw.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'odd' }, status: { S: 'WHAT' } } }));
    await expect(persistence.get('odd')).rejects.toThrow(/is not an idempotency record \(attributes id, status\)/);
  });
});

describe('DynamoDBPersistence options', () => {
  it.each([
    [{ tableName: 'ab' }, /"tableName"/],
    [{ tableName: 'has space' }, /"tableName"/],
    [{ tableName: 'table', client: {} }, /"client" must be a DynamoDBClient/],
    [{ tableName: 'table', clientConfig: 5 }, /"clientConfig" must be an object/],
    [{ tableName: 'table', keyAttr: '' }, /"keyAttr" must be a non-empty string/],
    [{ tableName: 'table', dataAttr: 'id' }, /"dataAttr" must be an attribute name other than keyAttr's/],
  ])('rejects %p', (opts, message) => {
    expect(() => new DynamoDBPersistence(opts as never)).toThrow(message);
  });

  it('rejects options that are not an object', () => {
    expect(() => new DynamoDBPersistence(undefined as never)).toThrow(/"options" must be an object/);
  });
});

async function getItem(tableName: string, key: string) {
  const { Item } = await raw.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
  return Item;
}

/** The item once the claim in flight has reached dynalite (polled briefly: the request is on the wire). */
async function stored(tableName: string, key: string) {
  for (let i = 0; i < 400; i++) {
    const item = await getItem(tableName, key);
    if (item) return item;
    await sleep(5);
  }
  throw new Error(`no item ${key} in ${tableName}`);
}
