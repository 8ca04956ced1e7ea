import { withDeadline } from '@fleece/retry';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPersistenceError,
  IdempotencyResultTooLargeError,
  IdempotencyValidationError,
  idempotent,
  idempotentFunction,
  type IdempotencyOptions,
} from '../src/index.js';
import { idempotencyKey } from '../src/key.js';
import { MemoryPersistence } from './memory-persistence.js';

const T0 = 1_700_000_000_000;

function setup(overrides: Partial<IdempotencyOptions<[Event, Ctx]>> = {}) {
  const clock = { now: T0 };
  const store = new MemoryPersistence();
  const calls: Event[] = [];
  const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const handler = idempotent(
    async (event: Event, _context: Ctx) => {
      calls.push(event);
      return { charged: event.body, at: new Date(clock.now) };
    },
    { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now, logger, ...overrides },
  );
  return { clock, store, calls, handler, logger };
}

interface Event {
  headers?: Record<string, string>;
  body?: string;
}
interface Ctx {
  functionName?: string;
  getRemainingTimeInMillis?(): number;
}

const ctx = (remainingMs = 5000): Ctx => ({ functionName: 'orders', getRemainingTimeInMillis: () => remainingMs });
const request = (key: string | undefined, body = 'a'): Event => ({
  headers: key === undefined ? {} : { 'Idempotency-Key': key },
  body,
});

describe('idempotent', () => {
  it('runs the handler once per key and replays the stored JSON', async () => {
    const { handler, calls, store } = setup();
    const first = await handler(request('k1'), ctx());
    const replay = await handler(request('k1'), ctx());
    expect(calls).toHaveLength(1);
    expect(first.at).toBeInstanceOf(Date);
    // A replay is the JSON round trip of the first result.
    expect(replay).toEqual({ charged: 'a', at: new Date(T0).toISOString() });
    await handler(request('k2'), ctx());
    expect(calls).toHaveLength(2);
    expect(store.calls).toEqual(['claim', 'complete', 'claim', 'get', 'claim', 'complete']);
  });

  it('keys on the function name and the hash of the selected value only', async () => {
    const { handler, store } = setup();
    await handler(request('k1'), ctx());
    expect([...store.records.keys()]).toEqual([idempotencyKey('orders', 'k1')]);
    const record = store.records.get(idempotencyKey('orders', 'k1'))!;
    expect(record.status).toBe('COMPLETED');
    expect(record.expiresAt).toBe(T0 + 3600 * 1000);
  });

  it('takes the prefix from name, else the context, else AWS_LAMBDA_FUNCTION_NAME, else the handler', async () => {
    const store = new MemoryPersistence();
    const named = idempotent(async () => 1, { persistence: store, name: 'custom' });
    await named({ a: 1 }, ctx());
    expect(store.records.has(idempotencyKey('custom', { a: 1 }))).toBe(true);

    async function myHandler(): Promise<number> {
      return 2;
    }
    const fallback = idempotent(myHandler, { persistence: store });
    await fallback({ a: 1 }, undefined);
    expect(store.records.has(idempotencyKey('myHandler', { a: 1 }))).toBe(true);

    process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'from-env';
    try {
      await fallback({ a: 2 }, {});
      expect(store.records.has(idempotencyKey('from-env', { a: 2 }))).toBe(true);
    } finally {
      delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    }
  });

  it('expires records after expiresAfterSeconds on the injected clock', async () => {
    const { handler, calls, clock } = setup({ expiresAfterSeconds: 60 });
    await handler(request('k'), ctx());
    clock.now += 60_000;
    await handler(request('k'), ctx());
    expect(calls).toHaveLength(1);
    clock.now += 1;
    await handler(request('k'), ctx());
    expect(calls).toHaveLength(2);
  });

  describe('a missing key', () => {
    it('throws IdempotencyKeyMissingError with throwOnNoKey, touching no store', async () => {
      const { handler, calls, store } = setup({ throwOnNoKey: true });
      const error = await handler(request(undefined), ctx()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyKeyMissingError);
      expect((error as IdempotencyKeyMissingError).expression).toBe('headers."idempotency-key"');
      expect(calls).toHaveLength(0);
      expect(store.calls).toEqual([]);
    });

    it('runs the handler without idempotency and warns otherwise', async () => {
      const { handler, calls, store, logger } = setup();
      await handler(request(undefined), ctx());
      await handler(request(''), ctx());
      expect(calls).toHaveLength(2);
      expect(store.calls).toEqual([]);
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('key missing'), {
        expression: 'headers."idempotency-key"',
      });
    });

    it('names a key function in the error', async () => {
      const { handler } = setup({ key: () => undefined, throwOnNoKey: true });
      await expect(handler(request('k'), ctx())).rejects.toThrow('the idempotency key function returned no value');
    });
  });

  describe('payload validation', () => {
    it('throws IdempotencyValidationError when a replay carries another payload', async () => {
      const { handler, calls } = setup({ payloadValidation: 'body' });
      await handler(request('k', 'first'), ctx());
      await expect(handler(request('k', 'second'), ctx())).rejects.toBeInstanceOf(IdempotencyValidationError);
      await expect(handler(request('k', 'first'), ctx())).resolves.toMatchObject({ charged: 'first' });
      expect(calls).toHaveLength(1);
    });

    it('checks the payload on local-cache hits too', async () => {
      const { handler, store } = setup({ payloadValidation: 'body', localCache: true });
      await handler(request('k', 'first'), ctx());
      const before = store.calls.length;
      await expect(handler(request('k', 'second'), ctx())).rejects.toBeInstanceOf(IdempotencyValidationError);
      expect(store.calls.length).toBe(before);
    });

    it('checks it against an in-progress record as well (a reused key is a client error either way)', async () => {
      const { clock, store } = setup();
      const gate = deferred<void>();
      const handler = idempotent(async (_e: Event, _c: Ctx) => gate.promise, {
        persistence: store,
        key: 'headers."idempotency-key"',
        payloadValidation: 'body',
        clock: () => clock.now,
      });
      const first = handler(request('k', 'one'), ctx());
      await flush();
      await expect(handler(request('k', 'two'), ctx())).rejects.toBeInstanceOf(IdempotencyValidationError);
      gate.resolve();
      await first;
    });

    it('accepts a record stored before validation was turned on', async () => {
      const store = new MemoryPersistence();
      const plain = idempotent(async (e: Event, _c: Ctx) => e.body, { persistence: store, key: 'headers."idempotency-key"' });
      const validated = idempotent(async (e: Event, _c: Ctx) => e.body, {
        persistence: store,
        key: 'headers."idempotency-key"',
        payloadValidation: 'body',
      });
      await plain(request('k', 'x'), ctx());
      await expect(validated(request('k', 'y'), ctx())).resolves.toBe('x');
    });
  });

  describe('in progress', () => {
    it('throws IdempotencyAlreadyInProgressError with the time until the claim lapses', async () => {
      const { clock, store } = setup();
      const gate = deferred<string>();
      const handler = idempotent(async (_e: Event, _c: Ctx) => gate.promise, {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
      });
      const first = handler(request('k'), ctx(4000));
      await flush();
      clock.now += 1500;
      const error = await handler(request('k'), ctx()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyAlreadyInProgressError);
      expect((error as IdempotencyAlreadyInProgressError).retryAfterMs).toBe(2500);
      gate.resolve('done');
      await expect(first).resolves.toBe('done');
      await expect(handler(request('k'), ctx())).resolves.toBe('done');
    });

    it('lets a retry take the key over once the claim lapsed (the first invocation died)', async () => {
      const { clock, store } = setup();
      let runs = 0;
      const handler = idempotent(
        async (_e: Event, _c: Ctx) => {
          runs++;
          // The first run never finishes: Lambda killed it.
          return runs === 1 ? new Promise<string>(() => undefined) : 'second';
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now },
      );
      void handler(request('k'), ctx(3000));
      await flush();
      clock.now += 3000;
      await expect(handler(request('k'), ctx())).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
      clock.now += 1;
      await expect(handler(request('k'), ctx())).resolves.toBe('second');
      expect(runs).toBe(2);
    });

    it('treats a remaining time of 0 as "lapses now", not as "unknown" (no endless in-progress)', async () => {
      const { clock, store } = setup();
      let runs = 0;
      const handler = idempotent(
        async (_e: Event, _c: Ctx) => {
          runs++;
          return runs === 1 ? new Promise<string>(() => undefined) : 'retried';
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now },
      );
      void handler(request('k'), ctx(0));
      await flush();
      const record = [...store.records.values()][0]!;
      expect(record.inProgressExpiresAt).toBe(T0);
      clock.now += 1;
      await expect(handler(request('k'), ctx())).resolves.toBe('retried');
    });

    it('bounds the claim by the record expiry without a context, and treats NaN as unknown', async () => {
      const { clock, store } = setup();
      const gate = deferred<void>();
      const handler = idempotent(async (_e: Event, _c: Ctx | undefined) => gate.promise, {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
      });
      void handler(request('a'), undefined);
      void handler(request('b'), { getRemainingTimeInMillis: () => NaN });
      void handler(request('c'), { getRemainingTimeInMillis: () => -5 });
      await flush();
      const byKey = (k: string) => store.records.get(idempotencyKey('handler', k))!;
      expect(byKey('a').inProgressExpiresAt).toBe(T0 + 3600_000);
      expect(byKey('b').inProgressExpiresAt).toBe(T0 + 3600_000);
      expect(byKey('c').inProgressExpiresAt).toBe(T0);
      gate.resolve();
    });

    it("with onInProgress 'wait', polls on the kernel's backoff and returns the stored result", async () => {
      const { clock, store } = setup();
      const gate = deferred<string>();
      const sleeps: number[] = [];
      const handler = idempotent(async (_e: Event, _c: Ctx) => gate.promise, {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        onInProgress: 'wait',
        waitPolicy: {
          jitter: 'none',
          base: 10,
          cap: 40,
          sleep: async (ms) => {
            sleeps.push(ms);
            if (sleeps.length === 3) gate.resolve('result');
            await flush();
          },
        },
      });
      const first = handler(request('k'), ctx());
      await flush();
      await expect(handler(request('k'), ctx())).resolves.toBe('result');
      await expect(first).resolves.toBe('result');
      expect(sleeps).toEqual([10, 20, 40]);
    });

    it("with 'wait', gives up with the in-progress error at the deadline", async () => {
      const { clock, store } = setup();
      let remaining = 400;
      const handler = idempotent(async (_e: Event, _c: Ctx) => new Promise<string>(() => undefined), {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        onInProgress: 'wait',
        waitPolicy: {
          jitter: 'none',
          base: 30,
          sleep: async (ms) => {
            remaining -= ms;
          },
        },
      });
      void handler(request('k'), ctx(10_000));
      await flush();
      const before = store.calls.length;
      const error = await handler(request('k'), { functionName: 'orders', getRemainingTimeInMillis: () => remaining }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyAlreadyInProgressError);
      // One claim and its read, then a read per poll after 30, 60 and 120 ms; the next wait (240)
      // is shortened to 90, so the last poll comes at the 100 ms kept back for it, then it gives up.
      expect(store.calls.slice(before)).toEqual(['claim', 'get', 'get', 'get', 'get', 'get']);
      expect(remaining).toBe(100);
    });

    it("with 'wait', takes the key over when the holder fails while we poll", async () => {
      const { clock, store } = setup();
      const gate = deferred<void>();
      const holder = idempotent(
        async (_e: Event, _c: Ctx) => {
          await gate.promise;
          throw new Error('holder failed');
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now },
      );
      const first = holder(request('k'), ctx()).catch((e: Error) => e.message);
      await flush();
      const waiter = idempotent(async (_e: Event, _c: Ctx) => 'waiter ran', {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        onInProgress: 'wait',
        // The holder fails (and releases the key) while the waiter sleeps.
        waitPolicy: { sleep: async () => gate.resolve() },
      });
      await expect(waiter(request('k'), ctx())).resolves.toBe('waiter ran');
      await expect(first).resolves.toBe('holder failed');
    });

    it("with 'wait' and no time left, still makes one attempt", async () => {
      const { store, handler: _unused, clock } = setup();
      const handler = idempotent(async (e: Event, _c: Ctx) => e.body, {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        onInProgress: 'wait',
      });
      await expect(handler(request('k', 'x'), ctx(0))).resolves.toBe('x');
    });

    it("with 'wait', a different error while polling ends the wait with that error", async () => {
      const { clock, store } = setup();
      const gate = deferred<string>();
      const handler = idempotent(async (_e: Event, _c: Ctx) => gate.promise, {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        onInProgress: 'wait',
        waitPolicy: {
          sleep: async () => {
            store.fail.get = new Error('throttled');
          },
        },
      });
      void handler(request('k'), ctx());
      await flush();
      const error = await handler(request('k'), ctx()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyPersistenceError);
      expect((error as Error).cause).toEqual(new Error('throttled'));
      gate.resolve('x');
    });
  });

  describe('failures', () => {
    it('releases the claim when the handler throws, so a retry runs', async () => {
      const { store, clock } = setup();
      let runs = 0;
      const handler = idempotent(
        async (_e: Event, _c: Ctx) => {
          runs++;
          if (runs === 1) throw new Error('boom');
          return 'ok';
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now },
      );
      await expect(handler(request('k'), ctx())).rejects.toThrow('boom');
      expect(store.records.size).toBe(0);
      await expect(handler(request('k'), ctx())).resolves.toBe('ok');
    });

    it('keeps the handler error when the release fails too, and warns', async () => {
      const { store, logger, clock } = setup();
      const handler = idempotent(
        async (_e: Event, _c: Ctx) => {
          store.fail.release = new Error('network');
          throw new Error('boom');
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now, logger },
      );
      await expect(handler(request('k'), ctx())).rejects.toThrow('boom');
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('could not release'), expect.objectContaining({ error: 'network' }));
    });

    it('wraps store failures in IdempotencyPersistenceError with the cause', async () => {
      const { handler, store } = setup();
      const cause = new Error('AccessDenied');
      store.fail.claim = cause;
      await expect(handler(request('k'), ctx())).rejects.toMatchObject({ name: 'IdempotencyPersistenceError', cause });
      await handler(request('k'), ctx());
      store.fail.get = cause;
      await expect(handler(request('k'), ctx())).rejects.toMatchObject({ message: expect.stringMatching(/could not read/), cause });
    });

    it('releases the claim and throws when the result cannot be stored', async () => {
      const { handler, store } = setup();
      store.fail.complete = new Error('throttled');
      await expect(handler(request('k'), ctx())).rejects.toMatchObject({
        name: 'IdempotencyPersistenceError',
        message: expect.stringMatching(/could not store the result/),
      });
      expect(store.calls).toEqual(['claim', 'complete', 'release']);
      expect(store.records.size).toBe(0);
    });

    it('rethrows IdempotencyResultTooLargeError as it is, after releasing', async () => {
      const { handler, store } = setup();
      store.fail.complete = new IdempotencyResultTooLargeError('k', 500_000, 409_600);
      await expect(handler(request('k'), ctx())).rejects.toBeInstanceOf(IdempotencyResultTooLargeError);
      expect(store.records.size).toBe(0);
    });

    it('releases the claim when the result is not JSON', async () => {
      const store = new MemoryPersistence();
      const handler = idempotent(async () => ({ n: 1n }), { persistence: store });
      await expect(handler({ id: 1 }, ctx())).rejects.toThrow(/not JSON-serialisable/);
      expect(store.records.size).toBe(0);
    });

    it('returns the result but warns when the claim lapsed and another call took the key', async () => {
      const { store, logger, clock } = setup();
      const handler = idempotent(
        async (_e: Event, _c: Ctx) => {
          // Another call's claim replaces ours while we run.
          for (const record of store.records.values()) (record as { token?: string }).token = 'someone-else';
          return 'mine';
        },
        { persistence: store, key: 'headers."idempotency-key"', clock: () => clock.now, logger, localCache: true },
      );
      await expect(handler(request('k'), ctx())).resolves.toBe('mine');
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('claim lapsed'), expect.anything());
      // Not cached: the next call asks the store.
      await expect(handler(request('k'), ctx())).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    });

    it('tries the claim again when the record it lost to is gone by the read', async () => {
      const { handler, store } = setup();
      await handler(request('k'), ctx());
      const get = store.get.bind(store);
      let gets = 0;
      store.get = async (key) => {
        gets++;
        if (gets === 1) store.records.delete(key);
        return get(key);
      };
      const calls = store.calls.length;
      await handler(request('k'), ctx());
      expect(store.calls.slice(calls)).toEqual(['claim', 'get', 'claim', 'complete']);
    });

    it('tries the claim again when the record it lost to has expired by the read', async () => {
      const { handler, store, clock, calls } = setup();
      const claim = store.claim.bind(store);
      let claims = 0;
      store.claim = async (request) => {
        if (++claims > 1) return claim(request);
        // The winner's record, already past its expiry when read.
        return { claimed: false, existing: { key: request.key, status: 'COMPLETED', expiresAt: clock.now - 1, result: '"stale"' } };
      };
      await expect(handler(request('k'), ctx())).resolves.toMatchObject({ charged: 'a' });
      expect(calls).toHaveLength(1);
    });

    it('gives up with an in-progress error after three inconsistent answers', async () => {
      const { handler, store } = setup();
      store.claim = async () => ({ claimed: false });
      store.get = async () => undefined;
      const error = await handler(request('k'), ctx()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyAlreadyInProgressError);
      expect((error as IdempotencyAlreadyInProgressError).retryAfterMs).toBeUndefined();
    });
  });

  describe('the local cache', () => {
    it('answers replays on a warm container without a request, COMPLETED records only', async () => {
      const { handler, store, calls } = setup({ localCache: { maxSize: 10_000 } });
      await handler(request('k'), ctx());
      const before = store.calls.length;
      await handler(request('k'), ctx());
      await handler(request('k'), ctx());
      expect(store.calls.length).toBe(before);
      expect(calls).toHaveLength(1);
    });

    it('caches a record read from the store, and drops it at its expiry', async () => {
      const { handler, store, clock } = setup({ localCache: true, expiresAfterSeconds: 10 });
      const other = setup({ localCache: true, expiresAfterSeconds: 10 });
      await handler(request('k'), ctx());
      // A second container (its own cache) sharing the store.
      const second = idempotent(async () => 'never', {
        persistence: store,
        key: 'headers."idempotency-key"',
        clock: () => clock.now,
        localCache: true,
      });
      await second(request('k'), ctx());
      const before = store.calls.length;
      await second(request('k'), ctx());
      expect(store.calls.length).toBe(before);
      clock.now += 10_001;
      await expect(second(request('k'), ctx())).resolves.toBe('never');
      expect(other.calls).toHaveLength(0);
    });

    it('returns a fresh copy each time, so callers cannot change the cached result', async () => {
      const { handler } = setup({ localCache: true });
      await handler(request('k'), ctx());
      const a = await handler(request('k'), ctx());
      (a as { charged: unknown }).charged = 'mutated';
      const b = await handler(request('k'), ctx());
      expect(b.charged).toBe('a');
    });

    it('replays an undefined result as undefined', async () => {
      const store = new MemoryPersistence();
      const handler = idempotent(async () => undefined, { persistence: store, localCache: true });
      await handler({ id: 1 }, ctx());
      await expect(handler({ id: 1 }, ctx())).resolves.toBeUndefined();
      const fresh = idempotent(async () => 'x', { persistence: store, name: 'orders' });
      await expect(fresh({ id: 1 }, ctx())).resolves.toBeUndefined();
    });
  });
});

describe('idempotentFunction', () => {
  it('keys on the first argument by default and passes every argument and this', async () => {
    const store = new MemoryPersistence();
    const seen: unknown[] = [];
    const service = {
      rate: 2,
      charge: idempotentFunction(
        async function charge(this: { rate: number }, order: { id: string }, amount: number) {
          seen.push([order.id, amount]);
          return amount * this.rate;
        },
        { persistence: store },
      ),
    };
    await expect(service.charge({ id: 'o1' }, 5)).resolves.toBe(10);
    await expect(service.charge({ id: 'o1' }, 7)).resolves.toBe(10);
    expect(seen).toEqual([['o1', 5]]);
    expect(store.records.has(idempotencyKey('charge', { id: 'o1' }))).toBe(true);
  });

  it('takes a JMESPath key over the first argument, or a function of all of them', async () => {
    const store = new MemoryPersistence();
    const byPath = idempotentFunction(async (order: { id: string; at: number }) => order.at, {
      persistence: store,
      key: 'id',
      name: 'byPath',
    });
    await byPath({ id: 'a', at: 1 });
    await expect(byPath({ id: 'a', at: 2 })).resolves.toBe(1);
    const byFn = idempotentFunction(async (a: string, b: string) => a + b, {
      persistence: store,
      key: (a, b) => [a, b],
      name: 'byFn',
    });
    await byFn('x', 'y');
    await expect(byFn('x', 'z')).resolves.toBe('xz');
  });

  it('prefixes with the Lambda function name in Lambda', async () => {
    const store = new MemoryPersistence();
    const fn = idempotentFunction(async function ship(id: string) {
      return id;
    }, { persistence: store });
    process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'orders';
    try {
      await fn('1');
    } finally {
      delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
    }
    expect(store.records.has(idempotencyKey('orders.ship', '1'))).toBe(true);
  });

  it('bounds the claim by the current deadline (withDeadline)', async () => {
    const store = new MemoryPersistence();
    const gate = deferred<void>();
    const fn = idempotentFunction(async (_id: string) => gate.promise, { persistence: store, name: 'f', clock: () => T0 });
    const run = withDeadline(() => 2000, () => fn('1'));
    await flush();
    expect([...store.records.values()][0]!.inProgressExpiresAt).toBe(T0 + 2000);
    gate.resolve();
    await run;
  });

  it('requires a name for an anonymous function', () => {
    const anonymous = [async () => 1][0]!;
    expect(() => idempotentFunction(anonymous, { persistence: new MemoryPersistence() })).toThrow(/option "name"/);
  });
});

describe('option validation', () => {
  const persistence = new MemoryPersistence();
  const h = async () => 1;
  it.each([
    [{}, /"persistence"/],
    [{ persistence: {} }, /"persistence"/],
    [{ persistence, expiresAfterSeconds: 0 }, /"expiresAfterSeconds" must be a finite number of seconds > 0/],
    [{ persistence, expiresAfterSeconds: Infinity }, /"expiresAfterSeconds"/],
    [{ persistence, throwOnNoKey: 'yes' }, /"throwOnNoKey" must be a boolean/],
    [{ persistence, name: ' ' }, /"name" must be a non-empty string/],
    [{ persistence, logger: { warn() {} } }, /"logger"/],
    [{ persistence, clock: 5 }, /"clock" must be a function/],
    [{ persistence, onInProgress: 'block' }, /"onInProgress" must be 'throw' or 'wait'/],
    [{ persistence, waitPolicy: { base: 5 } }, /"waitPolicy" must be used only with onInProgress: 'wait'/],
    [{ persistence, onInProgress: 'wait', waitPolicy: 5 }, /"waitPolicy"/],
    [{ persistence, onInProgress: 'wait', waitPolicy: { base: -1 } }, /option "base"/],
    [{ persistence, localCache: 'big' }, /"localCache" must be a boolean or \{ maxSize \}/],
    [{ persistence, localCache: { maxSize: 1.5 } }, /"localCache.maxSize" must be an integer number of bytes > 0/],
    [{ persistence, key: 'a.[' }, /"key" must be a valid JMESPath/],
    [{ persistence, payloadValidation: 7 }, /"payloadValidation"/],
  ])('rejects %p', (options, message) => {
    expect(() => idempotent(h, options as unknown as IdempotencyOptions<[unknown, unknown]>)).toThrow(message);
  });

  it('rejects a non-function handler or options that are not an object', () => {
    expect(() => idempotent(5 as unknown as typeof h, { persistence })).toThrow(/"handler"/);
    expect(() => idempotentFunction(null as unknown as typeof h, { persistence })).toThrow(/"fn"/);
    expect(() => idempotent(h, null as unknown as IdempotencyOptions)).toThrow(/"options" must be an object/);
  });

  it('accepts a RetryPolicy as waitPolicy and localCache false', () => {
    const { RetryPolicy } = jest.requireActual('@fleece/retry');
    expect(() => idempotent(h, { persistence, onInProgress: 'wait', waitPolicy: new RetryPolicy({ base: 5 }), localCache: false })).not.toThrow();
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks (the in-memory store's) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
