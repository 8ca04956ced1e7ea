import { randomBytes } from 'node:crypto';

/** A fresh X-Ray trace id. */
export function newTraceId(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/** A fresh 16-hex-digit segment id. */
export function newSegmentId(): string {
  return randomBytes(8).toString('hex');
}

/** Sets `_X_AMZN_TRACE_ID` as Lambda would for one invocation; returns the trace and parent ids. */
export function enterInvocation(sampled = true): { traceId: string; parentId: string } {
  const traceId = newTraceId();
  const parentId = newSegmentId();
  process.env['_X_AMZN_TRACE_ID'] = `Root=${traceId};Parent=${parentId};Sampled=${sampled ? 1 : 0};Lineage=a87bd80c:0`;
  return { traceId, parentId };
}

/** Lambda-like environment pointing at a collector. */
export function lambdaEnvironment(daemonAddress: string): void {
  process.env['LAMBDA_TASK_ROOT'] = '/var/task';
  process.env['AWS_XRAY_DAEMON_ADDRESS'] = daemonAddress;
}
