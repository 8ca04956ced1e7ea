import fc from 'fast-check';
import { backoff, type Jitter } from '../src/index.js';

const take = (it: Iterator<number>, n: number) => Array.from({ length: n }, () => it.next().value as number);

describe('backoff', () => {
  it('yields the Python fleece RetryHandler numbers without jitter', () => {
    expect(take(backoff({ jitter: 'none' }), 7)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('draws full jitter uniformly from [0, exponential delay]', () => {
    expect(take(backoff({ random: () => 0.5 }), 5)).toEqual([50, 100, 200, 400, 500]);
    expect(take(backoff({ random: () => 0 }), 3)).toEqual([0, 0, 0]);
  });

  it('keeps at least half the delay with equal jitter', () => {
    expect(take(backoff({ jitter: 'equal', random: () => 0 }), 4)).toEqual([50, 100, 200, 400]);
    expect(take(backoff({ jitter: 'equal', random: () => 0.999999 }), 1)[0]).toBeCloseTo(100, 3);
  });

  it('grows decorrelated jitter from the previous delay, capped', () => {
    expect(take(backoff({ jitter: 'decorrelated', random: () => 1 }), 4)).toEqual([300, 900, 1000, 1000]);
    expect(take(backoff({ jitter: 'decorrelated', random: () => 0 }), 3)).toEqual([100, 100, 100]);
  });

  it('honours base, cap and factor', () => {
    expect(take(backoff({ jitter: 'none', base: 10, cap: 95, factor: 3 }), 4)).toEqual([10, 30, 90, 95]);
    expect(take(backoff({ jitter: 'none', base: 0, cap: 0 }), 2)).toEqual([0, 0]);
  });

  it('never overflows to Infinity after many retries', () => {
    const it = backoff({ jitter: 'none' });
    const values = take(it, 5000);
    expect(values[4999]).toBe(1000);
  });

  it.each([
    [{ base: -1 }, /"base" must be a finite number of milliseconds >= 0, got -1/],
    [{ base: Number.NaN }, /"base".*got NaN/],
    [{ cap: Infinity }, /"cap".*got Infinity/],
    [{ base: 500, cap: 100 }, /"cap" must be >= base \(500\), got 100/],
    [{ factor: 0.5 }, /"factor" must be a finite number >= 1/],
    [{ jitter: 'gaussian' as Jitter }, /"jitter" must be one of 'full', 'equal', 'decorrelated', 'none', got "gaussian"/],
    [{ random: 42 as unknown as () => number }, /"random" must be a function/],
  ])('rejects %j when built, naming the option', (options, message) => {
    expect(() => backoff(options)).toThrow(TypeError);
    expect(() => backoff(options)).toThrow(message);
  });

  it('stays within [0, cap] for every jitter, base, cap and factor (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Jitter>('full', 'equal', 'decorrelated', 'none'),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (jitter, base, extra, factor, randoms) => {
          const cap = base + extra;
          let i = 0;
          const it = backoff({ jitter, base, cap, factor, random: () => randoms[i++ % randoms.length]! });
          for (const delay of take(it, randoms.length)) {
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(cap);
          }
        },
      ),
    );
  });
});
