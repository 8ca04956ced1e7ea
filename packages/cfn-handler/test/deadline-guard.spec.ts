import { DeadlineExceededError, DeadlineGuard } from '../src/deadline-guard.js';

describe('DeadlineGuard', () => {
  it('passes a value or an error through when the work settles in time', async () => {
    const guard = new DeadlineGuard(() => 10_000);
    await expect(guard.race(async () => 42)).resolves.toEqual({ kind: 'value', value: 42 });
    const boom = new Error('boom');
    await expect(guard.race(async () => Promise.reject(boom))).resolves.toEqual({ kind: 'error', error: boom });
    await expect(
      guard.race(() => {
        throw boom;
      }),
    ).resolves.toEqual({ kind: 'error', error: boom });
    expect(guard.signal.aborted).toBe(false);
    guard.stop();
  });

  it('times out, aborting the signal, when the deadline passes first', async () => {
    const end = Date.now() + 30;
    const guard = new DeadlineGuard(() => end - Date.now());
    let seen: AbortSignal | undefined;
    const raced = await guard.race(
      () =>
        new Promise((_, reject) => {
          seen = guard.signal;
          guard.signal.addEventListener('abort', () => reject(guard.signal.reason));
        }),
    );
    expect(raced).toEqual({ kind: 'timeout' });
    expect(seen?.aborted).toBe(true);
    expect(guard.signal.reason).toBeInstanceOf(DeadlineExceededError);
    await expect(guard.race(async () => 1)).resolves.toEqual({ kind: 'timeout' });
    guard.stop();
  });

  it('follows a deadline that moves later', async () => {
    let end = Date.now() + 20;
    const guard = new DeadlineGuard(() => end - Date.now());
    const raced = guard.race(async () => {
      end = Date.now() + 60;
      await new Promise((resolve) => setTimeout(resolve, 40));
      return 'done';
    });
    await expect(raced).resolves.toEqual({ kind: 'value', value: 'done' });
    guard.stop();
  });

  it('is expired at once when no time is left', async () => {
    const guard = new DeadlineGuard(() => 0);
    expect(guard.signal.aborted).toBe(true);
    await expect(guard.race(async () => 1)).resolves.toEqual({ kind: 'timeout' });
  });
});
