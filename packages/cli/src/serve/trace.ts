import { randomBytes } from 'node:crypto';

/** A trace header for one request, and its trace id for the log line. */
export interface RequestTrace {
  traceId: string;
  /** `Root=…;Parent=…;Sampled=…`: what API Gateway forwards and Lambda puts in `_X_AMZN_TRACE_ID`. */
  header: string;
}

const ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/i;
const SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/i;

/** A new X-Ray trace id: `1-<epoch seconds, hex>-<96 random bits, hex>`. */
export function newTraceId(now = Date.now()): string {
  return `1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/**
 * The trace of a request as API Gateway continues it: the caller's `Root` (and sampling decision)
 * when its `X-Amzn-Trace-Id` has one, else a new trace; and a new `Parent`, API Gateway's own
 * segment, under which the function's subsegments go.
 */
export function requestTrace(incoming: string | undefined, sampled: boolean, now = Date.now()): RequestTrace {
  const root = incoming === undefined ? undefined : ROOT.exec(incoming)?.[1]?.toLowerCase();
  const decision = incoming === undefined ? undefined : SAMPLED.exec(incoming)?.[1];
  const traceId = root ?? newTraceId(now);
  const isSampled = root !== undefined && decision !== undefined ? decision === '1' : sampled;
  return { traceId, header: `Root=${traceId};Parent=${randomBytes(8).toString('hex')};Sampled=${isSampled ? '1' : '0'}` };
}
