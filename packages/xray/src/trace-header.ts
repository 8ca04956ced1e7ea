// The X-Amzn-Trace-Id header: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`,
// plus any other `key=value` pairs (Lambda's `Lineage=…` for recursion detection), which travel on.

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
// Keys the header format owns; everything else is carried through as extra data.
const RESERVED = new Set(['root', 'parent', 'sampled', 'self']);
// The SDK keeps at most this many characters of extra data, so a hostile header cannot grow ours.
const EXTRA_DATA_LIMIT = 256;

/** A parsed trace header. */
export interface TraceHeader {
  /** `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`. */
  traceId: string;
  /** The caller's segment or subsegment id, 16 hex digits; absent in Lambda's PassThrough mode. */
  parentId: string | undefined;
  /** `true` sampled, `false` not sampled, `undefined` no decision (or PassThrough). */
  sampled: boolean | undefined;
  /** Extra `key=value` pairs, `;`-joined, in their original order (may be empty). */
  extra: string;
}

/**
 * Parses an `X-Amzn-Trace-Id` value. Returns `undefined` when there is no valid `Root`; a malformed
 * `Parent` or `Sampled` is treated as absent. Never throws.
 */
export function parseTraceHeader(header: unknown): TraceHeader | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  let traceId: string | undefined;
  let parentId: string | undefined;
  let sampled: boolean | undefined;
  const extra: string[] = [];
  let extraLength = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === '' || value === '') continue;
    const lower = key.toLowerCase();
    if (lower === 'root') {
      if (TRACE_ID.test(value)) traceId = value;
    } else if (lower === 'parent') {
      if (SPAN_ID.test(value)) parentId = value;
    } else if (lower === 'sampled') {
      if (value === '1') sampled = true;
      else if (value === '0') sampled = false;
    } else if (!RESERVED.has(lower) && !/[\s;=,]/.test(key) && !/[\s;]/.test(value)) {
      if (extraLength + key.length + value.length > EXTRA_DATA_LIMIT) continue;
      extraLength += key.length + value.length;
      extra.push(`${key}=${value}`);
    }
  }
  if (traceId === undefined) return undefined;
  return { traceId, parentId, sampled, extra: extra.join(';') };
}

/** Formats a header for a downstream call made under `parentId`. */
export function formatTraceHeader(traceId: string, parentId: string, sampled: boolean, extra: string): string {
  const header = `Root=${traceId};Parent=${parentId};Sampled=${sampled ? '1' : '0'}`;
  return extra === '' ? header : `${header};${extra}`;
}

interface InvokeStoreLike {
  getXRayTraceId?(): string | undefined;
}

/**
 * The current invocation's raw trace header: Lambda's per-invocation store first (functions with
 * several invocations in flight at once have no single environment value), then `_X_AMZN_TRACE_ID`.
 */
export function rawTraceHeaderFromEnvironment(): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStoreLike } }).awslambda?.InvokeStore;
  if (store !== undefined && typeof store.getXRayTraceId === 'function') {
    try {
      const fromStore = store.getXRayTraceId();
      if (typeof fromStore === 'string' && fromStore !== '') return fromStore;
    } catch {
      // A broken runtime store must not break the function; fall back to the environment.
    }
  }
  const fromEnv = process.env['_X_AMZN_TRACE_ID'];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
