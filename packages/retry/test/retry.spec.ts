import fc from 'fast-check';
import { retry, RetryBudget, RetryError, RetryPolicy, withDeadline } from '../src/index.js';
import { fakeTime } from './fake-time.js';

const failing = (n: number, value = 'ok') => {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    if (attempt <= n) throw new Error(`boom ${attempt}`);
    return value;
  };
  return { fn, calls };
};

async function rejection(promise: Promise<unknown>): Promise<RetryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RetryError);
    return error as RetryError;
  }
  throw new Error('expected a rejection');
}

describe('retry', () => {
  it('returns the first success, passing the attempt number', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(2);
    await expect(retry(fn, { ...time, jitter: 'none' })).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3]);
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('makes retries + 1 attempts, then gives up as exhausted with every error', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(10);
    const error = await rejection(retry(fn, { ...time, retries: 5, jitter: 'none' }));
    expect(calls).toEqual([1, 2, 3, 4, 5, 6]);
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000]);
    expect(error.reason).toBe('exhausted');
    expect(error.attempts).toBe(6);
    expect((error.errors as Error[]).map((e) => e.message)).toEqual(['boom 1', 'boom 2', 'boom 3', 'boom 4', 'boom 5', 'boom 6']);
    expect((error.cause as Error).message).toBe('boom 6');
    expect(error.message).toBe('gave up after 6 attempts (exhausted): boom 6');
  });

  it('treats a synchronous throw like a rejection', async () => {
    const time = fakeTime();
    let n = 0;
    const result = await retry(
      () => {
        if (++n < 2) throw new Error('sync');
        return 7;
      },
      time,
    );
    expect(result).toBe(7);
    expect(n).toBe(2);
  });

  it('stops at once when retryOn says the error is final', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(10);
    const error = await rejection(retry(fn, { ...time, retryOn: (_e, attempt) => attempt < 2 }));
    expect(calls).toEqual([1, 2]);
    expect(error.reason).toBe('not-retryable');
    expect(error.attempts).toBe(2);
  });

  it('waits the delay retryOn returns instead of the backoff (Retry-After)', async () => {
    const time = fakeTime();
    const { fn } = failing(2);
    await retry(fn, { ...time, jitter: 'none', retryOn: (_e, attempt) => (attempt === 1 ? 750 : true) });
    expect(time.sleeps).toEqual([750, 200]);
  });

  it('retries at once, without a timer, when the delay is zero', async () => {
    const time = fakeTime();
    const { fn, calls } = failing(2);
    await expect(retry(fn, { ...time, base: 0, cap: 0 })).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3]);
    expect(time.sleeps).toEqual([]);
  });

  it('tells onRetry about each wait', async () => {
    const time = fakeTime();
    const events: unknown[] = [];
    const { fn } = failing(2);
    await retry(fn, { ...time, jitter: 'none', onRetry: ({ attempt, delayMs, error }) => events.push([attempt, delayMs, (error as Error).message]) });
    expect(events).toEqual([
      [1, 100, 'boom 1'],
      [2, 200, 'boom 2'],
    ]);
  });

  it('accepts a RetryPolicy', async () => {
    const time = fakeTime();
    const policy = new RetryPolicy({ retries: 1, jitter: 'none' }).with({ ...time });
    const error = await rejection(retry(failing(5).fn, policy));
    expect(error.attempts).toBe(2);
  });

  describe('deadline', () => {
    it('stops instead of sleeping past an epoch deadline', async () => {
      const time = fakeTime(0);
      const { fn, calls } = failing(10);
      // Waits 100 (t=100) and 200 (t=300); the 400 ms wait would end at 700 > 650.
      const error = await rejection(retry(fn, { ...time, jitter: 'none', deadline: 650 }));
      expect(time.sleeps).toEqual([100, 200]);
      expect(calls).toEqual([1, 2, 3]);
      expect(error.reason).toBe('deadline');
      expect(error.attempts).toBe(3);
    });

    it('accepts a function returning the ms left', async () => {
      const time = fakeTime(0);
      const error = await rejection(retry(failing(10).fn, { ...time, jitter: 'none', deadline: () => 350 - time.clock() }));
      expect(time.sleeps).toEqual([100, 200]);
      expect(error.reason).toBe('deadline');
    });

    it('makes no attempt once the deadline has passed', async () => {
      const { fn, calls } = failing(0);
      const error = await rejection(retry(fn, { deadline: Date.now() - 1 }));
      expect(calls).toEqual([]);
      expect(error.attempts).toBe(0);
      expect(error.reason).toBe('deadline');
    });

    it('honours the current invocation deadline without being told', async () => {
      const time = fakeTime();
      const { fn } = failing(10);
      const error = await withDeadline(() => 250 - time.sleeps.reduce((a, b) => a + b, 0), () =>
        rejection(retry(fn, { ...time, jitter: 'none' })),
      );
      expect(time.sleeps).toEqual([100]);
      expect(error.reason).toBe('deadline');
    });

    it('never sleeps past the deadline and never exceeds retries + 1 attempts (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 8 }),
          fc.integer({ min: 0, max: 5000 }),
          fc.integer({ min: 0, max: 12 }),
          fc.constantFrom('full', 'equal', 'decorrelated', 'none' as const),
          fc.integer({ min: 0, max: 200 }),
          async (retries, deadlineIn, failures, jitter, attemptCost) => {
            const time = fakeTime(0);
            const deadline = deadlineIn;
            let attempts = 0;
            const fn = async () => {
              attempts++;
              time.advance(attemptCost);
              if (attempts <= failures) throw new Error('x');
              return 'done';
            };
            const sleepEnds: number[] = [];
            const sleep = async (ms: number) => {
              await time.sleep(ms);
              sleepEnds.push(time.clock());
            };
            await retry(fn, { retries, jitter, clock: time.clock, sleep, deadline }).catch((e: unknown) => {
              if (!(e instanceof RetryError)) throw e;
            });
            expect(attempts).toBeLessThanOrEqual(retries + 1);
            for (const end of sleepEnds) expect(end).toBeLessThan(deadline);
          },
        ),
      );
    });
  });

  describe('abort', () => {
    it('aborts promptly in the middle of a real sleep', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const pending = retry(failing(10).fn, { base: 60_000, cap: 60_000, jitter: 'none', signal: controller.signal });
      setTimeout(() => controller.abort(new Error('shutting down')), 20);
      const error = await rejection(pending);
      expect(error.reason).toBe('aborted');
      expect(error.attempts).toBe(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('makes no attempt with an already aborted signal', async () => {
      const { fn, calls } = failing(0);
      const error = await rejection(retry(fn, { signal: AbortSignal.abort(new Error('gone')) }));
      expect(calls).toEqual([]);
      expect(error.reason).toBe('aborted');
      expect((error.cause as Error).message).toBe('gone');
    });

    it('does not retry when the attempt failed because of the abort', async () => {
      const controller = new AbortController();
      const time = fakeTime();
      const error = await rejection(
        retry(
          async (_attempt, signal) => {
            controller.abort();
            throw signal!.reason;
          },
          { ...time, signal: controller.signal },
        ),
      );
      expect(error.reason).toBe('aborted');
      expect(time.sleeps).toEqual([]);
    });

    it('passes on an error of an injected sleep that is not an abort', async () => {
      await expect(
        retry(failing(1).fn, {
          sleep: async () => {
            throw new Error('sleep broke');
          },
        }),
      ).rejects.toThrow('sleep broke');
    });
  });

  describe('budget', () => {
    it('fails fast once retries have drained the shared budget, and successes refill it', async () => {
      const budget = new RetryBudget({ capacity: 10, retryCost: 5, successRefill: 5 });
      const time = fakeTime();
      const first = await rejection(retry(failing(10).fn, { ...time, budget, retries: 5 }));
      expect(first.reason).toBe('budget');
      expect(first.attempts).toBe(3);
      expect(budget.available).toBe(0);

      const second = await rejection(retry(failing(10).fn, { ...time, budget }));
      expect(second.attempts).toBe(1);
      expect(second.reason).toBe('budget');
      expect(budget.denied).toBe(2);

      await retry(async () => 'up again', { ...time, budget });
      expect(budget.available).toBe(5);
      await expect(retry(failing(1).fn, { ...time, budget })).resolves.toBe('ok');
    });
  });
});
