import fc from 'fast-check';
import { RetryBudget, RetryPolicy } from '@fleece/retry';
import { RETRY_DEFAULTS } from '@fleece/http';
import { backoffDelay, noRetries, parseRetries } from '../src/retries.js';

describe('backoffDelay (urllib3 rule, ms)', () => {
  it('waits backoffFactor × 2^(n−1) for the n-th retry, capped', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(100, 1000, n))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1000, 120_000, 1)).toBe(1000);
    expect(backoffDelay(0, 120_000, 7)).toBe(0);
  });

  it('property: never above the cap, non-decreasing, doubling until the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 600_000 }), fc.integer({ min: 1, max: 60 }), (factor, max, n) => {
        const d = backoffDelay(factor, max, n);
        const next = backoffDelay(factor, max, n + 1);
        expect(d).toBeLessThanOrEqual(max);
        expect(next).toBeGreaterThanOrEqual(d);
        if (next < max) expect(next).toBe(2 * d);
        expect(Number.isFinite(d)).toBe(true);
      }),
    );
  });
});

describe('parseRetries', () => {
  it('reads a number as the total, with the defaults for the rest', () => {
    const plan = parseRetries('retries', 3)!;
    expect(plan.total).toBe(3);
    expect(plan.policy.retries).toBe(3);
    expect(plan.statusForcelist.size).toBe(0);
    expect([...plan.allowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'TRACE']);
    expect(plan.respectRetryAfter).toBe(true);
    expect(plan.delay!(1)).toBe(RETRY_DEFAULTS.backoffFactor);
  });

  it('reads urllib3-style options', () => {
    const budget = new RetryBudget();
    const plan = parseRetries('retries', {
      total: 5,
      backoffFactor: 1000,
      backoffMax: 3000,
      statusForcelist: [429, 503],
      allowedMethods: ['get', 'post'],
      respectRetryAfter: false,
      maxRetryAfter: 10_000,
      budget,
    })!;
    expect(plan.total).toBe(5);
    expect([1, 2, 3].map((n) => plan.delay!(n))).toEqual([1000, 2000, 3000]);
    expect([...plan.statusForcelist]).toEqual([429, 503]);
    expect([...plan.allowedMethods]).toEqual(['GET', 'POST']);
    expect(plan.respectRetryAfter).toBe(false);
    expect(plan.maxRetryAfter).toBe(10_000);
    expect(plan.policy.options.budget).toBe(budget);
  });

  it('takes a RetryPolicy as it is, leaving the waits to its own backoff', () => {
    const policy = new RetryPolicy({ retries: 2, base: 10 });
    const plan = parseRetries('retries', policy)!;
    expect(plan.total).toBe(2);
    expect(plan.policy).toBe(policy);
    expect(plan.delay).toBeUndefined();
  });

  it('defaults to no retries at all', () => {
    expect(parseRetries('retries', undefined)).toBeUndefined();
    expect(noRetries().total).toBe(0);
  });

  it.each([
    [-1, /"retries" must be an integer >= 0/],
    [1.5, /"retries" must be an integer >= 0/],
    ['3', /"retries" must be a count, urllib3-style retry options or a RetryPolicy/],
    [{ backoff_factor: 1 }, /unknown key "backoff_factor" \(did you mean "backoffFactor"\?\)/],
    [{ status_forcelist: [503] }, /did you mean "statusForcelist"/],
    [{ backoffFactor: 1 }, /"retries.backoffFactor" must be milliseconds .*backoff_factor=1 s is backoffFactor: 1000/],
    [{ backoffFactor: 0.5 }, /backoffFactor: 500/],
    [{ backoffFactor: -100 }, /"retries.backoffFactor" must be a finite number of milliseconds >= 0/],
    [{ statusForcelist: [503, 'x'] }, /"retries.statusForcelist" must be an array of HTTP status codes/],
    [{ statusForcelist: 503 }, /"retries.statusForcelist"/],
    [{ allowedMethods: ['GET', 1] }, /"retries.allowedMethods" must be an array of HTTP method names/],
    [{ respectRetryAfter: 'yes' }, /"retries.respectRetryAfter" must be a boolean/],
    [{ maxRetryAfter: -1 }, /"retries.maxRetryAfter"/],
    [{ budget: {} }, /"retries.budget" must be a RetryBudget/],
    [{ onRetry: 1 }, /"retries.onRetry" must be a function/],
    [{ total: 2.5 }, /"retries.total" must be an integer/],
  ])('rejects %p with a TypeError naming the option', (value, message) => {
    expect(() => parseRetries('retries', value)).toThrow(TypeError);
    expect(() => parseRetries('retries', value)).toThrow(message);
  });

  it('accepts 0 and values from 10 ms up for backoffFactor', () => {
    expect(parseRetries('retries', { backoffFactor: 0 })!.delay!(3)).toBe(0);
    expect(parseRetries('retries', { backoffFactor: 10 })!.delay!(2)).toBe(20);
  });
});
