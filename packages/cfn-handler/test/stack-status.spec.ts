import { isRollingBack, readStackStatus, UNKNOWN } from '../src/stack-status.js';

describe('isRollingBack', () => {
  it.each([
    ['ROLLBACK_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ['IMPORT_ROLLBACK_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_COMPLETE', false],
    ['ROLLBACK_FAILED', false],
    ['UPDATE_IN_PROGRESS', false],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', false],
    [UNKNOWN, false],
  ])('%s → %s', (status, expected) => {
    expect(isRollingBack(status)).toBe(expected);
    expect(isRollingBack({ StackStatus: status })).toBe(expected);
  });

  it('is false without a status', () => {
    expect(isRollingBack(undefined)).toBe(false);
    expect(isRollingBack({})).toBe(false);
  });
});

describe('readStackStatus', () => {
  it('returns the status and reason, the reason empty when the stack has none', async () => {
    const onError = jest.fn();
    await expect(readStackStatus(async () => ({ StackStatus: 'UPDATE_IN_PROGRESS', StackStatusReason: 'User Initiated' }), 's', 1000, onError)).resolves.toEqual({
      StackStatus: 'UPDATE_IN_PROGRESS',
      StackStatusReason: 'User Initiated',
    });
    await expect(readStackStatus(async () => ({ StackStatus: 'UPDATE_IN_PROGRESS' }), 's', 1000, onError)).resolves.toEqual({
      StackStatus: 'UPDATE_IN_PROGRESS',
      StackStatusReason: '',
    });
    expect(onError).not.toHaveBeenCalled();
  });

  it('is UNKNOWN, never a throw, on an error, a missing stack or a hang', async () => {
    const onError = jest.fn();
    const unknown = { StackStatus: UNKNOWN, StackStatusReason: UNKNOWN };
    await expect(readStackStatus(async () => Promise.reject(new Error('AccessDenied')), 's', 1000, onError)).resolves.toEqual(unknown);
    await expect(readStackStatus(async () => undefined, 's', 1000, onError)).resolves.toEqual(unknown);
    let aborted: AbortSignal | undefined;
    const hang = (_: string, signal: AbortSignal) => {
      aborted = signal;
      return new Promise<never>(() => undefined);
    };
    await expect(readStackStatus(hang, 's', 20, onError)).resolves.toEqual(unknown);
    expect(aborted?.aborted).toBe(true);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls[2][0].message).toMatch(/longer than 20 ms/);
  });
});
