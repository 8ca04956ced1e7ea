import { backoff, withDeadline } from '@fleece/retry';
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { injectRequestIds, LogDeliveryError, RetryTransport, type LogInfo } from '../src/index.js';
import { fakeTime } from './capture.js';
import { FAILURE_MODES, flaky, info, type FailureMode } from './flaky.js';

// Jest fails the running test on an unhandled rejection, so every test here also checks that none escapes.

/** The delays the kernel promises for this random source: what the transport must have waited. */
function promisedDelays(count: number, random: () => number): number[] {
  const delays = backoff({ base: 100, cap: 1000, random });
  return Array.from({ length: count }, () => delays.next().value as number);
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

async function deliver(transport: RetryTransport, ...entries: LogInfo[]): Promise<void> {
  for (const entry of entries) transport.write(entry);
  await transport.flush();
}

describe('RetryTransport', () => {
  it.each([0, 1, 2, 3, 4, 5])('delivers an entry exactly once when the transport fails %i times, after the kernel delays', async (failures) => {
    const time = fakeTime();
    const inner = flaky(failures);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, jitter: 'none' });
    await deliver(transport, info('hello'));
    expect(inner.delivered.map((entry) => entry.message)).toEqual(['hello']);
    expect(inner.attempts).toBe(failures + 1);
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000].slice(0, failures));
    expect(transport.delivered).toBe(1);
    expect(transport.dropped).toBe(0);
  });

  it.each([6, 7, 20])('drops an entry without throwing when the transport fails %i times', async (failures) => {
    const time = fakeTime();
    const inner = flaky(failures);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, jitter: 'none' });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    expect(() => transport.write(info('lost'))).not.toThrow();
    await transport.flush();
    expect(inner.delivered).toHaveLength(0);
    expect(inner.attempts).toBe(6);
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000]);
    expect(transport.dropped).toBe(1);
    expect(errors).toEqual([]);
  });

  it('waits the jittered delays the kernel promises, for every way a transport can fail (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 }), fc.constantFrom(...FAILURE_MODES), fc.integer({ min: 1, max: 2 ** 30 }), async (failures, mode, seed) => {
        const time = fakeTime();
        const inner = flaky(failures, mode);
        const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, random: seeded(seed) });
        await deliver(transport, info('entry'));
        const retries = Math.min(failures, 5);
        expect(inner.attempts).toBe(retries + 1);
        expect(inner.delivered).toHaveLength(failures <= 5 ? 1 : 0);
        expect(transport.dropped).toBe(failures <= 5 ? 0 : 1);
        expect(time.sleeps).toEqual(promisedDelays(retries, seeded(seed)));
      }),
      { numRuns: 120 },
    );
  });

  it('emits error with the first failure when ignoreErrors is false', async () => {
    const time = fakeTime();
    const inner = flaky(6);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await deliver(transport, info('lost'));
    expect(errors).toEqual([inner.errors[0]]);
    expect((errors[0] as Error).message).toBe('failure 1');
    expect(transport.dropped).toBe(1);
  });

  it('emits nothing when a retry succeeds, even with ignoreErrors false', async () => {
    const time = fakeTime();
    const transport = new RetryTransport(flaky(5, 'throw').transport, { clock: time.clock, sleep: time.sleep, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await deliver(transport, info('saved'));
    expect(errors).toEqual([]);
    expect(transport.delivered).toBe(1);
  });

  it('never throws into the caller even when nobody listens for the error it emits', async () => {
    const time = fakeTime();
    const transport = new RetryTransport(flaky(12).transport, { clock: time.clock, sleep: time.sleep, ignoreErrors: false });
    expect(transport.listenerCount('error')).toBe(0);
    await deliver(transport, info('lost'), info('lost too'));
    expect(transport.dropped).toBe(2);
  });

  it('delivers entries one at a time, in order, even when the first needs retries', async () => {
    const time = fakeTime();
    const inner = flaky(3);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep });
    await deliver(transport, info('1'), info('2'), info('3'), info('4'));
    expect(inner.delivered.map((entry) => entry.message)).toEqual(['1', '2', '3', '4']);
    expect(inner.attempts).toBe(7);
  });

  it('stops retrying at the deadline it was given, dropping the entry', async () => {
    const time = fakeTime();
    const inner = flaky(10);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, jitter: 'none', deadline: time.clock() + 350 });
    await deliver(transport, info('late'));
    // 100 and 200 fit in 350 ms; the third wait (400) would cross the deadline.
    expect(time.sleeps).toEqual([100, 200]);
    expect(inner.attempts).toBe(3);
    expect(transport.dropped).toBe(1);
  });

  it('stops retrying at the invocation deadline of the code that logged, even when delivering later', async () => {
    const time = fakeTime();
    const inner = flaky(10);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, jitter: 'none' });
    const endsAt = time.clock() + 700;
    const handler = injectRequestIds(
      async () => {
        transport.write(info('inside'));
      },
      { deadlineMarginMs: 0, flush: false },
    );
    await handler({}, { awsRequestId: 'r', getRemainingTimeInMillis: () => endsAt - time.clock() });
    await transport.flush();
    expect(time.sleeps).toEqual([100, 200]);
    expect(transport.dropped).toBe(1);
    // Outside an invocation there is no deadline: all five retries.
    transport.write(info('outside'));
    await transport.flush();
    expect(time.sleeps).toEqual([100, 200, 100, 200, 400, 800, 1000]);
  });

  it('makes no attempt at all once the deadline has passed', async () => {
    const time = fakeTime();
    const inner = flaky(0);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await withDeadline(() => -1, () => deliver(transport, info('too late')));
    expect(inner.attempts).toBe(0);
    expect(transport.dropped).toBe(1);
    expect(errors[0]).toMatchObject({ name: 'RetryError', reason: 'deadline' });
  });

  it('gives up on an attempt that hangs, after attemptTimeoutMs', async () => {
    const time = fakeTime();
    let attempts = 0;
    const hanging = { log: () => void attempts++ };
    const transport = new RetryTransport(hanging, { clock: time.clock, sleep: time.sleep, retries: 1, attemptTimeoutMs: 15, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await deliver(transport, info('stuck'));
    expect(attempts).toBe(2);
    expect(errors[0]).toBeInstanceOf(LogDeliveryError);
    expect(errors[0]).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/within 15 ms/) });
  });

  it('bounds a hanging attempt by the deadline too', async () => {
    const hanging = { log: () => undefined };
    const transport = new RetryTransport(hanging, { retries: 0, deadline: () => 10, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    const started = Date.now();
    await deliver(transport, info('stuck'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(errors[0]).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/within 10 ms/) });
  });

  it('drops entries past maxQueue at once, and counts them', async () => {
    const waiting: (() => void)[] = [];
    const slow = { log: (_info: LogInfo, next: () => void) => void waiting.push(next) };
    const transport = new RetryTransport(slow, { maxQueue: 2, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    transport.write(info('1'));
    transport.write(info('2'));
    transport.write(info('3'));
    expect(transport.pending).toBe(2);
    expect(transport.dropped).toBe(1);
    expect(errors[0]).toMatchObject({ name: 'LogDeliveryError', reason: 'queue-full' });
    while (transport.pending > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      waiting.shift()?.();
    }
    await transport.flush();
    expect(transport.delivered).toBe(2);
  });

  it('applies the wrapped transport level, format and silence as winston would', async () => {
    const taken: LogInfo[] = [];
    const inner = {
      level: 'warn',
      format: { transform: (entry: LogInfo) => (entry.message === 'filtered' ? false : { ...entry, formatted: true }) },
      log: (entry: LogInfo, next: () => void) => {
        taken.push(entry);
        next();
      },
    };
    const transport = new RetryTransport(inner);
    // The exception entry is refused by the wrapper (no handleExceptions), not by the wrapped transport.
    await deliver(transport, info('too low', 'info'), info('kept', 'error'), info('filtered', 'error'), { ...info('exception', 'error'), exception: true });
    expect(taken.map((entry) => [entry.message, entry['formatted']])).toEqual([['kept', true]]);
    expect(transport.dropped).toBe(0);
    Object.assign(inner, { silent: true });
    await deliver(transport, info('silenced', 'error'));
    expect(taken).toHaveLength(1);
  });

  it('drops (and counts) an entry whose format throws', async () => {
    const inner = { format: { transform: () => { throw new Error('bad format'); } }, log: jest.fn() };
    const transport = new RetryTransport(inner, { ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await deliver(transport, info('x'));
    expect(inner.log).not.toHaveBeenCalled();
    expect(transport.dropped).toBe(1);
    expect((errors[0] as Error).message).toBe('bad format');
  });

  it('counts errors the wrapped transport emits between deliveries, and emits them only when asked', async () => {
    const inner = Object.assign(new EventEmitter(), { log: (_info: LogInfo, next: () => void) => next() });
    const quiet = new RetryTransport(inner);
    const loud = new RetryTransport(inner, { ignoreErrors: false });
    const errors: unknown[] = [];
    loud.on('error', (error) => errors.push(error));
    inner.emit('error', new Error('upload of an earlier batch failed'));
    expect(quiet.strayErrors).toBe(1);
    expect(loud.strayErrors).toBe(1);
    expect(errors).toHaveLength(1);
    expect(quiet.dropped).toBe(0);
  });

  it('treats a transport failing without a reason as a failure', async () => {
    const time = fakeTime();
    let attempts = 0;
    const modes = [
      (next: (error?: unknown) => void) => next(new Error('first')),
      () => Promise.reject(undefined),
      () => {
        throw undefined;
      },
    ];
    const inner = Object.assign(new EventEmitter(), {
      log(_info: LogInfo, next: (error?: unknown) => void) {
        const mode = modes[attempts++];
        if (mode) return mode(next);
        inner.emit('error', undefined);
        return undefined;
      },
    });
    const transport = new RetryTransport(inner, { clock: time.clock, sleep: time.sleep, retries: 3, ignoreErrors: false });
    const errors: unknown[] = [];
    transport.on('error', (error) => errors.push(error));
    await deliver(transport, info('x'));
    expect(attempts).toBe(4);
    expect(transport.dropped).toBe(1);
    expect((errors[0] as Error).message).toBe('first');
  });

  it('emits logged after a delivery, and closes the wrapped transport after flushing', async () => {
    const order: string[] = [];
    const inner = {
      log: (entry: LogInfo, next: () => void) => setImmediate(() => { order.push(`delivered ${String(entry.message)}`); next(); }),
      close: () => order.push('closed'),
    };
    const transport = new RetryTransport(inner);
    transport.on('logged', (entry: LogInfo) => order.push(`logged ${String(entry.message)}`));
    transport.write(info('last'));
    transport.close();
    await transport.flush();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(order).toEqual(['delivered last', 'logged last', 'closed']);
  });

  it('emits finish after end() only once every queued entry is delivered', async () => {
    const delivered: unknown[] = [];
    const slow = { log: (entry: LogInfo, next: () => void) => setTimeout(() => { delivered.push(entry.message); next(); }, 2) };
    const transport = new RetryTransport(slow);
    transport.write(info('1'));
    transport.write(info('2'));
    const finished = new Promise<void>((resolve) => transport.once('finish', () => resolve()));
    transport.end();
    await finished;
    expect(delivered).toEqual(['1', '2']);
  });

  it('validates the transport and its options with a TypeError naming them', () => {
    const ok = { log: () => undefined };
    expect(() => new RetryTransport({} as never)).toThrow(/transport must be a winston transport/);
    expect(() => new RetryTransport(ok, null as never)).toThrow(/options must be an object/);
    expect(() => new RetryTransport(ok, { ignoreErrors: 'no' as never })).toThrow(/option "ignoreErrors"/);
    expect(() => new RetryTransport(ok, { attemptTimeoutMs: 0 })).toThrow(/option "attemptTimeoutMs"/);
    expect(() => new RetryTransport(ok, { maxQueue: 0 })).toThrow(/option "maxQueue"/);
    expect(() => new RetryTransport(ok, { level: '' })).toThrow(/option "level"/);
    expect(() => new RetryTransport(ok, { format: {} as never })).toThrow(/option "format"/);
    expect(() => new RetryTransport(ok, { retries: -1 })).toThrow(/option "retries"/);
    expect(() => new RetryTransport(ok, { base: 2000, cap: 1000 })).toThrow(/option "cap"/);
    const transport = new RetryTransport(ok, { attemptTimeoutMs: Infinity });
    expect(transport.policy.retries).toBe(5);
    expect(transport.policy.base).toBe(100);
    expect(transport.policy.cap).toBe(1000);
    expect(transport.ignoreErrors).toBe(true);
  });

  it.each(FAILURE_MODES)('recovers from a %s failure on the next entry', async (mode: FailureMode) => {
    const time = fakeTime();
    const inner = flaky(1, mode);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, retries: 0 });
    await deliver(transport, info('dropped'), info('delivered'));
    expect(transport.dropped).toBe(1);
    expect(inner.delivered.map((entry) => entry.message)).toEqual(['delivered']);
  });
});
