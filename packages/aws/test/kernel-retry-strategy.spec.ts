import fc from 'fast-check';
import { RetryBudget, RetryPolicy, withDeadline } from '@fleece/retry';
import type { RetryErrorInfo, RetryErrorType, RetryToken } from '@smithy/types';
import { KernelRetryStrategy } from '../src/index.js';
import { fakeTime } from './fake-time.js';

const info = (errorType: RetryErrorType, extra: Partial<RetryErrorInfo> = {}): RetryErrorInfo => ({
  errorType,
  error: Object.assign(new Error(errorType), { $metadata: {} }) as RetryErrorInfo['error'],
  ...extra,
});

/** Runs the strategy as the SDK's retry middleware does, for a sequence of failures. */
async function drive(strategy: KernelRetryStrategy, failures: RetryErrorInfo[]) {
  let token: RetryToken = await strategy.acquireInitialRetryToken('');
  const accepted: RetryToken[] = [];
  for (const failure of failures) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, failure);
      accepted.push(token);
    } catch {
      return { accepted, refused: true };
    }
  }
  return { accepted, refused: false };
}

describe('KernelRetryStrategy', () => {
  it('counts retries on its tokens and reports the waits to the SDK, not as token delays', async () => {
    const time = fakeTime();
    const strategy = new KernelRetryStrategy({ retries: 3, base: 10, jitter: 'none', ...time });
    const { accepted } = await drive(strategy, [info('TRANSIENT'), info('THROTTLING'), info('TRANSIENT')]);
    expect(accepted.map((t) => t.getRetryCount())).toEqual([1, 2, 3]);
    expect(accepted.map((t) => t.getRetryDelay())).toEqual([0, 0, 0]);
    // The n-th retry takes the n-th delay of its kind: 10, then throttled 5 × 10 × 2, then 40.
    expect(time.sleeps).toEqual([10, 100, 40]);
    expect(accepted.map((t) => t.$retryLog?.acquisitionDelay)).toEqual([10, 100, 40]);
  });

  it('refuses client and other server errors', async () => {
    for (const type of ['CLIENT_ERROR', 'SERVER_ERROR'] as const) {
      const { accepted, refused } = await drive(new KernelRetryStrategy(fakeTime()), [info(type)]);
      expect(accepted).toHaveLength(0);
      expect(refused).toBe(true);
    }
  });

  it('caps the throttling delays at the larger of the cap and the throttling base', () => {
    const strategy = new KernelRetryStrategy({ base: 100, cap: 200 }, { throttlingBase: 700 });
    expect(strategy.throttlingPolicy.base).toBe(700);
    expect(strategy.throttlingPolicy.cap).toBe(700);
    expect(new KernelRetryStrategy({ base: 10, cap: 1000 }).throttlingPolicy.base).toBe(50);
  });

  it('honours a Retry-After hint up to the cap', async () => {
    const time = fakeTime();
    const strategy = new KernelRetryStrategy({ base: 10, cap: 300, jitter: 'none', ...time });
    await drive(strategy, [
      info('THROTTLING', { retryAfterHint: new Date(time.clock() + 250) }),
      info('TRANSIENT', { retryAfterHint: new Date(time.clock() + 250 + 5000) }),
    ]);
    expect(time.sleeps).toEqual([250, 300]);
  });

  it('stops when the policy signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { refused } = await drive(new KernelRetryStrategy({ signal: controller.signal, ...fakeTime() }), [info('TRANSIENT')]);
    expect(refused).toBe(true);
  });

  it('rejects a token it did not make', async () => {
    const strategy = new KernelRetryStrategy();
    const foreign = { getRetryCount: () => 0, getRetryDelay: () => 0 };
    await expect(strategy.refreshRetryTokenForRetry(foreign, info('TRANSIENT'))).rejects.toThrow(/"tokenToRenew"/);
  });

  it('rejects invalid options when built', () => {
    expect(() => new KernelRetryStrategy({}, { throttlingBase: NaN })).toThrow(/option "throttlingBase"/);
    expect(() => new KernelRetryStrategy({ jitter: 'some' as never })).toThrow(/"jitter"/);
  });

  it('reads the current invocation deadline', async () => {
    const strategy = new KernelRetryStrategy({ base: 50, jitter: 'none', sleep: async () => {} });
    expect(strategy.remainingMs()).toBe(Infinity);
    const { refused } = await withDeadline(() => 40, () => drive(strategy, [info('TRANSIENT')]));
    expect(refused).toBe(true);
    const ok = await withDeadline(() => 60, () => drive(strategy, [info('TRANSIENT')]));
    expect(ok.refused).toBe(false);
  });

  it('obeys the kernel rules for any policy and any run of failures (property)', async () => {
    const errorType = fc.constantFrom<RetryErrorType>('TRANSIENT', 'THROTTLING', 'SERVER_ERROR', 'CLIENT_ERROR');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          retries: fc.integer({ min: 0, max: 6 }),
          base: fc.integer({ min: 0, max: 200 }),
          extraCap: fc.integer({ min: 0, max: 2000 }),
          jitter: fc.constantFrom('full', 'equal', 'decorrelated', 'none' as const),
          budgetCapacity: fc.option(fc.integer({ min: 5, max: 40 }), { nil: undefined }),
          deadlineMs: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
        }),
        fc.array(errorType, { minLength: 1, maxLength: 10 }),
        async (options, types) => {
          const time = fakeTime();
          const start = time.clock();
          const budget = options.budgetCapacity === undefined ? undefined : new RetryBudget({ capacity: options.budgetCapacity });
          const deadline = options.deadlineMs === undefined ? undefined : start + options.deadlineMs;
          const policy = new RetryPolicy({
            retries: options.retries,
            base: options.base,
            cap: options.base + options.extraCap,
            jitter: options.jitter,
            budget,
            deadline,
            ...time,
          });
          const strategy = new KernelRetryStrategy(policy);
          const { accepted } = await drive(strategy, types.map((t) => info(t)));
          // No more retries than the policy allows, nor than the budget pays for.
          expect(accepted.length).toBeLessThanOrEqual(options.retries);
          if (budget) expect(accepted.length).toBeLessThanOrEqual(Math.floor(options.budgetCapacity! / budget.retryCost));
          // Only throttling and transient errors are retried, in order, until the first refusal.
          types.slice(0, accepted.length).forEach((t) => expect(['TRANSIENT', 'THROTTLING']).toContain(t));
          // Counts are consecutive; delays stay under the caps; nothing waits past the deadline.
          accepted.forEach((t, i) => expect(t.getRetryCount()).toBe(i + 1));
          const throttlingCap = Math.max(policy.cap, policy.base * 5);
          time.sleeps.forEach((ms) => expect(ms).toBeLessThanOrEqual(throttlingCap));
          if (deadline !== undefined) expect(time.clock()).toBeLessThan(deadline);
        },
      ),
      { numRuns: 300 },
    );
  });
});
