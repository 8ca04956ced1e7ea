import { RetryBudget, RetryPolicy, retry } from '../src/index.js';

describe('RetryPolicy', () => {
  it('has the documented defaults', () => {
    const policy = new RetryPolicy();
    expect([policy.retries, policy.base, policy.cap, policy.factor, policy.jitter]).toEqual([5, 100, 1000, 2, 'full']);
  });

  it('is immutable; with() derives a new policy', () => {
    const policy = new RetryPolicy({ retries: 3 });
    const throttled = policy.with({ base: 500, cap: 5000 });
    expect(policy.base).toBe(100);
    expect(throttled.base).toBe(500);
    expect(throttled.retries).toBe(3);
    expect(Object.isFrozen(policy.options)).toBe(true);
    expect(RetryPolicy.from(policy)).toBe(policy);
    expect(RetryPolicy.from(undefined).retries).toBe(5);
  });

  it.each([
    [{ retries: -1 }, /"retries" must be an integer >= 0, got -1/],
    [{ retries: 1.5 }, /"retries".*got 1.5/],
    [{ retries: Number.NaN }, /"retries".*got NaN/],
    [{ cap: 10, base: 20 }, /"cap" must be >= base/],
    [{ retryOn: 'yes' }, /"retryOn" must be a function, got "yes"/],
    [{ onRetry: 1 }, /"onRetry" must be a function/],
    [{ deadline: 'soon' }, /"deadline" must be an epoch time in ms or a function/],
    [{ budget: { tryAcquire: () => true } }, /"budget" must be a RetryBudget/],
    [{ signal: {} }, /"signal" must be an AbortSignal/],
    [{ clock: 3 }, /"clock" must be a function/],
  ])('rejects %j at construction, naming the option', (options, message) => {
    expect(() => new RetryPolicy(options as never)).toThrow(TypeError);
    expect(() => new RetryPolicy(options as never)).toThrow(message);
  });

  it('rejects bad options in retry() before the first attempt', async () => {
    let called = false;
    await expect(
      retry(() => {
        called = true;
      }, { retries: -2 }),
    ).rejects.toThrow(TypeError);
    expect(called).toBe(false);
  });

  it('rejects a non-object', () => {
    expect(() => new RetryPolicy(null as never)).toThrow(/"options" must be an object/);
  });
});

describe('RetryBudget', () => {
  it('starts full, takes and refills tokens within capacity', () => {
    const budget = new RetryBudget({ capacity: 12, retryCost: 5, successRefill: 1 });
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    expect(budget.available).toBe(2);
    expect(budget.denied).toBe(1);
    for (let i = 0; i < 20; i++) budget.recordSuccess();
    expect(budget.available).toBe(12);
  });

  it('defaults to the AWS SDK retry quota numbers', () => {
    const budget = new RetryBudget();
    expect([budget.capacity, budget.retryCost, budget.successRefill]).toEqual([500, 5, 1]);
  });

  it('rejects invalid sizes naming the option', () => {
    expect(() => new RetryBudget({ capacity: -1 })).toThrow(/"capacity"/);
    expect(() => new RetryBudget({ capacity: 2, retryCost: 5 })).toThrow(/"retryCost" must be <= capacity \(2\)/);
  });
});
