import { currentDeadline, lambdaDeadline, remainingMs, sleep, withDeadline } from '../src/index.js';

describe('deadlines', () => {
  it('has no current deadline outside withDeadline', () => {
    expect(currentDeadline()).toBeUndefined();
    expect(remainingMs()).toBe(Infinity);
  });

  it('carries the deadline across awaits and timers', async () => {
    const left = await withDeadline(Date.now() + 10_000, async () => {
      await sleep(1);
      await new Promise((resolve) => setImmediate(resolve));
      return remainingMs();
    });
    expect(left).toBeGreaterThan(9_000);
    expect(left).toBeLessThanOrEqual(10_000);
  });

  it('keeps overlapping invocations apart', async () => {
    const seen = await Promise.all(
      [1000, 5000, 3000].map((ms) =>
        withDeadline(() => ms, async () => {
          await sleep(5);
          return currentDeadline()!();
        }),
      ),
    );
    expect(seen).toEqual([1000, 5000, 3000]);
  });

  it('lets a nested deadline shorten but never extend the outer one', () => {
    withDeadline(() => 500, () => {
      expect(withDeadline(() => 200, () => remainingMs())).toBe(200);
      expect(withDeadline(() => 9000, () => remainingMs())).toBe(500);
    });
  });

  it('derives a deadline from a Lambda context, keeping a margin', () => {
    let left = 3000;
    const context = { getRemainingTimeInMillis: () => left };
    const deadline = lambdaDeadline(context, 500);
    expect(remainingMs(deadline)).toBe(2500);
    left = 400;
    expect(remainingMs(deadline)).toBe(-100);
  });

  it('rejects what is not a context or a margin', () => {
    expect(() => lambdaDeadline({} as never)).toThrow(/"context" must be a Lambda context/);
    expect(() => lambdaDeadline({ getRemainingTimeInMillis: () => 1 }, -5)).toThrow(/"marginMs"/);
    expect(() => withDeadline('later' as never, () => 1)).toThrow(/"deadline"/);
  });

  it('computes what is left of an epoch deadline with an injected clock', () => {
    expect(remainingMs(1500, () => 1000)).toBe(500);
  });
});

describe('sleep', () => {
  it('rejects at once with an already aborted signal', async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop');
  });

  it('resolves after the time and leaves no listener behind', async () => {
    const controller = new AbortController();
    await sleep(1, controller.signal);
    controller.abort();
  });
});
