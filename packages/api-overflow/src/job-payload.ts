import { invocationSlot } from '@fleece/retry';

/** Lambda's limit on an asynchronous (Event) invocation's payload: 1 MB since 2025 (was 256 KB). */
export const ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024;
/** The most self-invocations one request may chain, kept well below Lambda's recursion cutoff of 16. */
export const MAX_HOPS_LIMIT = 12;

/** The key that marks the event of the asynchronous invocation that runs a job. */
export const JOB_MARKER = 'fleeceLongRunningJob';

/** What the job invocation carries: the job, its hop count, and the request when it fits inline. */
export interface JobTicket {
  jobId: string;
  /** 1 for a job started by an API request; one more for each job started from inside a job. */
  hop: number;
  /** The original event, when it fit in the Event payload and carried no credentials. */
  request?: unknown;
}

/** The event of the asynchronous invocation that runs a job. */
export interface JobEvent {
  [JOB_MARKER]: JobTicket;
}

// Headers that carry credentials. The Event payload lives on in Lambda's async queue and in
// on-failure destinations and DLQs, so a request carrying one goes through the private S3 object.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'x-amz-security-token']);

/** Whether an API event carries a credential (a header above, or HTTP API's `cookies`). */
export function carriesCredentials(event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  const e = event as { headers?: unknown; multiValueHeaders?: unknown; cookies?: unknown };
  if (Array.isArray(e.cookies) && e.cookies.length > 0) return true;
  for (const map of [e.headers, e.multiValueHeaders]) {
    if (map && typeof map === 'object' && Object.keys(map).some((name) => CREDENTIAL_HEADERS.has(name.toLowerCase()))) return true;
  }
  return false;
}

/**
 * The Event payload for a job: with the request inline when the whole payload fits `limitBytes`
 * and the request carries no credentials, otherwise without it (the request is then in S3).
 */
export function jobPayload(jobId: string, hop: number, request: unknown, limitBytes: number): { payload: string; inline: boolean } {
  if (limitBytes > 0 && !carriesCredentials(request)) {
    const inline = JSON.stringify({ [JOB_MARKER]: { jobId, hop, request } } satisfies JobEvent);
    if (Buffer.byteLength(inline, 'utf8') <= limitBytes) return { payload: inline, inline: true };
  }
  return { payload: JSON.stringify({ [JOB_MARKER]: { jobId, hop } } satisfies JobEvent), inline: false };
}

/** Whether `event` is a job invocation's event (whatever its ticket holds; see {@link ticketProblem}). */
export function isJobEvent(event: unknown): event is JobEvent {
  return !!event && typeof event === 'object' && JOB_MARKER in event;
}

/** What is wrong with a job ticket, or `undefined` when it can be run. */
export function ticketProblem(ticket: unknown, maxHops: number): string | undefined {
  if (!ticket || typeof ticket !== 'object') return 'the job event has no ticket';
  const { jobId, hop } = ticket as Partial<JobTicket>;
  if (typeof jobId !== 'string' || !/^[0-9a-f-]{36}$/.test(jobId)) return 'the job event has no valid jobId';
  if (!Number.isInteger(hop) || (hop as number) < 1) return `the job event has no valid hop count, got ${JSON.stringify(hop)}`;
  if ((hop as number) > maxHops) return `the job is hop ${hop as number}, past maxHops ${maxHops}: a self-invocation loop was stopped`;
  return undefined;
}

// Which hop the invocation running now is, in the invocation scope of @fleece/retry: a job's
// invocation sets it, and a job started while that invocation runs is counted as the next hop.
const currentHop = invocationSlot<number>('@fleece/api-overflow:hop');

/** The hop of the job whose invocation is running now; 0 outside any job (an API request). */
export function hopNow(): number {
  return currentHop.get() ?? 0;
}

/** Records that the current invocation runs a job of hop `hop` (inside the invocation scope). */
export function enterHop(hop: number): void {
  currentHop.set(hop);
}
