/** The value of `StackStatus` and `StackStatusReason` when the stack could not be described. */
export const UNKNOWN = 'UNKNOWN';

/** The stack's status as the handler saw it before calling an update or delete function. */
export interface StackStatusInfo {
  /** e.g. `UPDATE_ROLLBACK_IN_PROGRESS`, or `'UNKNOWN'` when DescribeStacks could not be read. */
  StackStatus: string;
  /** The stack's status reason; `''` when it has none, `'UNKNOWN'` when it could not be read. */
  StackStatusReason: string;
}

/**
 * Whether the stack is rolling back (`ROLLBACK_IN_PROGRESS`, `UPDATE_ROLLBACK_IN_PROGRESS`,
 * `UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`, `IMPORT_ROLLBACK_IN_PROGRESS`), so that an update
 * or delete function can, for example, skip work a rollback makes pointless. `false` for `UNKNOWN`.
 *
 * @param status - a stack status, or an event carrying `StackStatus`.
 */
export function isRollingBack(status: string | { StackStatus?: string } | undefined): boolean {
  const value = typeof status === 'string' ? status : status?.StackStatus;
  return typeof value === 'string' && /ROLLBACK/.test(value) && /IN_PROGRESS$/.test(value);
}

/** Calls DescribeStacks; the handler supplies it with its CloudFormation client. */
export type DescribeStack = (stackId: string, signal: AbortSignal) => Promise<{ StackStatus?: string; StackStatusReason?: string } | undefined>;

/**
 * Reads the stack's status, never throwing: any error, a missing stack or running past `timeoutMs`
 * yields `UNKNOWN` (and `onError` hears why, for a warning log).
 */
export async function readStackStatus(
  describe: DescribeStack,
  stackId: string,
  timeoutMs: number,
  onError: (error: unknown) => void,
): Promise<StackStatusInfo> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`DescribeStacks took longer than ${Math.round(timeoutMs)} ms`);
      controller.abort(error);
      reject(error);
    }, Math.max(0, timeoutMs));
  });
  try {
    const stack = await Promise.race([describe(stackId, controller.signal), timeout]);
    if (!stack?.StackStatus) throw new Error('DescribeStacks returned no stack status');
    return { StackStatus: stack.StackStatus, StackStatusReason: stack.StackStatusReason ?? '' };
  } catch (error) {
    onError(error);
    return { StackStatus: UNKNOWN, StackStatusReason: UNKNOWN };
  } finally {
    clearTimeout(timer);
  }
}
