import { randomUUID } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { joinInvocation, remainingMs, retry, RetryError } from '@fleece/retry';
import { defaultLambdaClient, defaultS3Client } from './clients.js';
import { normalizeResult, requestPath, seeOther, type HttpEvent, type HttpResult } from './http-result.js';
import { ASYNC_PAYLOAD_LIMIT_BYTES, enterHop, hopNow, isJobEvent, JOB_MARKER, jobPayload, MAX_HOPS_LIMIT, ticketProblem, type JobEvent, type JobTicket } from './job-payload.js';
import { JobStore, type JobState } from './job-store.js';

/** The structural logger fleece packages accept. */
export interface Logger {
  info(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
}

/** The context fields this package reads. */
export interface LongRunningContext {
  invokedFunctionArn: string;
  awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** Options of {@link longRunning}. Durations are milliseconds. */
export interface LongRunningOptions {
  /** Where job requests and results are kept; give `keyPrefix` a lifecycle rule. */
  bucket: string;
  /** The route that answers polls: `GET <pollPath>/<jobId>?backoff=<ms>`. Default `'/_jobs'`. */
  pollPath?: string;
  /** How long the first request waits for the result before redirecting. Default 25000. */
  waitMs?: number;
  /** The first poll's wait; each redirect multiplies it by `pollFactor`, up to `maxPollMs`. Default 1000. */
  firstPollMs?: number;
  /** Growth of the poll wait per redirect. Default 1.5 (the blog posts' backoff). */
  pollFactor?: number;
  /** The longest a poll waits: under API Gateway's 29 s integration timeout. Default 28000. */
  maxPollMs?: number;
  /** Kept free of the invocation's time when waiting, to answer before Lambda stops. Default 1000. */
  marginMs?: number;
  /**
   * A job still running this long after it started is answered as failed: its invocation died
   * (a crash, a timeout, a module that did not load) and will never write a result. Default
   * 900000, Lambda's longest timeout; set it to your function's timeout.
   */
  jobTimeoutMs?: number;
  /** Prepended to job object keys. Default `'jobs/'`. */
  keyPrefix?: string;
  /**
   * A request whose job payload fits in this many bytes travels inline in the asynchronous
   * invocation; a larger one (or one carrying credentials) goes through S3. Default 1048576,
   * Lambda's 1 MB limit for Event invocations; 0 sends every request through S3.
   */
  inlineLimitBytes?: number;
  /**
   * The most self-invocations one request may chain (a job that starts a job is hop 2); past it
   * the job fails with a clear error instead of looping. 1–12. Default 3.
   */
  maxHops?: number;
  lambdaClient?: LambdaClient;
  s3Client?: S3Client;
  /** Where failed jobs' details go (never to the client). Default `console`. */
  logger?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Raised inside the wait loop while a job is still running. */
class NotReady extends Error {}

/**
 * Runs requests that may outlive API Gateway's 29 s integration timeout: the first request starts
 * the work in an asynchronous invocation of the same function and waits up to `waitMs`; a result in
 * time is answered directly, otherwise the client is sent `303 See Other` to the poll route, which
 * waits a growing budget per hop and redirects again until the result is there.
 *
 * Compose with {@link overflow} so a large result is itself served from S3:
 * `overflow(longRunning(handler, options), overflowOptions)`.
 */
export function longRunning<E extends HttpEvent>(
  handler: (event: E, context: LongRunningContext) => Promise<unknown>,
  options: LongRunningOptions,
): (event: E | JobEvent, context: LongRunningContext) => Promise<HttpResult | undefined> {
  const settings = validate(options);
  const s3 = () => (settings.s3Client ? Promise.resolve(settings.s3Client) : defaultS3Client());
  const jobs = new JobStore(s3, settings.bucket, settings.keyPrefix);
  const logger = settings.logger ?? console;

  // Joins (or opens) the invocation scope, whose slot carries the hop count of a running job.
  return (event, context) =>
    joinInvocation(event, context, async () => {
      if (isJobEvent(event)) {
        await runJob(event[JOB_MARKER], context);
        return undefined;
      }
      const path = requestPath(event);
      const pollPrefix = `${settings.pollPath}/`;
      if (path.startsWith(pollPrefix)) return poll(event, path.slice(pollPrefix.length), context);
      return start(event as E, context);
    });

  async function start(event: E, context: LongRunningContext): Promise<HttpResult> {
    const jobId = randomUUID();
    const hop = hopNow() + 1;
    if (hop > settings.maxHops) {
      // A job's handler started another job, and so on: refuse before invoking, so no bug loops forever.
      const errorId = randomUUID();
      logger.error('long-running self-invocation refused: too many hops', { errorId, hop, maxHops: settings.maxHops, lambdaRequestId: context.awsRequestId });
      return failed(errorId);
    }
    const { payload, inline } = jobPayload(jobId, hop, event, settings.inlineLimitBytes);
    await jobs.create(jobId, inline ? undefined : event, Date.now());
    const { InvokeCommand } = await import('@aws-sdk/client-lambda');
    const lambda = settings.lambdaClient ?? (await defaultLambdaClient());
    try {
      await lambda.send(new InvokeCommand({ FunctionName: context.invokedFunctionArn, InvocationType: 'Event', Payload: Buffer.from(payload) }));
    } catch (error) {
      const errorId = randomUUID();
      logger.error('could not start the long-running job', { errorId, jobId, error, lambdaRequestId: context.awsRequestId });
      await jobs.finish(jobId, { status: 'failed', errorId });
      return failed(errorId);
    }
    return waitOrRedirect(event, jobId, settings.waitMs, settings.firstPollMs, context);
  }

  async function poll(event: HttpEvent, rest: string, context: LongRunningContext): Promise<HttpResult> {
    const jobId = rest.split('/')[0]!;
    if (!UUID.test(jobId)) return notFound();
    const requested = Number(new URLSearchParams(queryOf(event)).get('backoff'));
    const budget = Number.isFinite(requested) && requested > 0 ? Math.min(requested, settings.maxPollMs) : settings.firstPollMs;
    const next = Math.min(budget * settings.pollFactor, settings.maxPollMs);
    return waitOrRedirect(event, jobId, budget, next, context);
  }

  async function waitOrRedirect(event: HttpEvent, jobId: string, budgetMs: number, nextBudgetMs: number, context: LongRunningContext): Promise<HttpResult> {
    const state = await waitForResult(jobId, Math.min(budgetMs, context.getRemainingTimeInMillis() - settings.marginMs));
    if (state === undefined) return notFound();
    if (state.status === 'complete') return state.response;
    if (state.status === 'failed') return failed(state.errorId);
    if (Date.now() - state.startedAt > settings.jobTimeoutMs) {
      const errorId = randomUUID();
      logger.error('long-running job never finished', { errorId, jobId, startedAt: new Date(state.startedAt).toISOString(), lambdaRequestId: context.awsRequestId });
      await jobs.finish(jobId, { status: 'failed', errorId });
      return failed(errorId);
    }
    const location = `${stagePrefix(event)}${settings.pollPath}/${jobId}?backoff=${Math.round(nextBudgetMs)}`;
    return seeOther(location, undefined, { 'retry-after': String(Math.ceil(nextBudgetMs / 1000)) });
  }

  /** Reads the job's state until it is final or `budgetMs` has passed, on the kernel's backoff. */
  async function waitForResult(jobId: string, budgetMs: number): Promise<JobState | undefined> {
    let last: JobState | undefined;
    const deadline = Date.now() + Math.max(0, budgetMs);
    try {
      return await retry(
        async () => {
          last = await jobs.state(jobId);
          if (last?.status === 'running') throw new NotReady();
          return last;
        },
        // Stops at whichever comes first: this wait's budget or the invocation's own deadline.
        { retries: 1000, base: 100, cap: 1000, jitter: 'equal', deadline: () => Math.min(deadline - Date.now(), remainingMs()), retryOn: (error) => error instanceof NotReady },
      );
    } catch (error) {
      if (!(error instanceof RetryError)) throw error;
      if (error.cause instanceof NotReady) return last;
      // No time was left for even one read: look once, so the client still learns where the job is.
      if (error.attempts === 0) return jobs.state(jobId);
      throw error;
    }
  }

  async function runJob(ticket: JobTicket, context: LongRunningContext): Promise<void> {
    const problem = ticketProblem(ticket, settings.maxHops);
    if (problem) {
      const errorId = randomUUID();
      logger.error(`long-running job refused: ${problem}`, { errorId, lambdaRequestId: context.awsRequestId });
      // A ticket with a usable id still gets its failure recorded, so its client stops polling.
      if (typeof ticket?.jobId === 'string' && UUID.test(ticket.jobId)) await jobs.finish(ticket.jobId, { status: 'failed', errorId });
      return;
    }
    const { jobId, hop } = ticket;
    let state: Exclude<JobState, { status: 'running' }>;
    try {
      const request = ('request' in ticket ? ticket.request : await jobs.request(jobId)) as E;
      enterHop(hop);
      state = { status: 'complete', response: normalizeResult(await handler(request, context)) };
    } catch (error) {
      const errorId = randomUUID();
      logger.error('long-running job failed', { errorId, jobId, error, lambdaRequestId: context.awsRequestId });
      state = { status: 'failed', errorId };
    }
    await jobs.finish(jobId, state);
  }
}

function queryOf(event: HttpEvent & { queryStringParameters?: Record<string, string | undefined> | null }): string {
  if (typeof event.rawQueryString === 'string') return event.rawQueryString;
  return new URLSearchParams(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

/** `/dev` when a REST API is called through its stage URL, so the redirect keeps the stage. */
function stagePrefix(event: HttpEvent): string {
  const full = event.requestContext?.path;
  const path = event.path;
  if (event.version === '2.0' || !full || !path || !full.endsWith(path)) return '';
  return full.slice(0, full.length - path.length);
}

function failed(errorId: string): HttpResult {
  return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '500: Internal Server Error - the job failed', errorId }) };
}

function notFound(): HttpResult {
  return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '404: Not Found - no such job' }) };
}

type Settings = Required<Omit<LongRunningOptions, 'lambdaClient' | 's3Client' | 'logger'>> & Pick<LongRunningOptions, 'lambdaClient' | 's3Client' | 'logger'>;

function validate(options: LongRunningOptions): Settings {
  if (!options || typeof options !== 'object') throw new TypeError('@fleece/api-overflow: longRunning options must be an object with a "bucket"');
  if (typeof options.bucket !== 'string' || options.bucket.length < 3) throw new TypeError(`@fleece/api-overflow: option "bucket" must be an S3 bucket name, got ${JSON.stringify(options.bucket)}`);
  const settings: Settings = {
    ...options,
    pollPath: options.pollPath ?? '/_jobs',
    waitMs: options.waitMs ?? 25_000,
    firstPollMs: options.firstPollMs ?? 1000,
    pollFactor: options.pollFactor ?? 1.5,
    maxPollMs: options.maxPollMs ?? 28_000,
    marginMs: options.marginMs ?? 1000,
    jobTimeoutMs: options.jobTimeoutMs ?? 900_000,
    keyPrefix: options.keyPrefix ?? 'jobs/',
    inlineLimitBytes: options.inlineLimitBytes ?? ASYNC_PAYLOAD_LIMIT_BYTES,
    maxHops: options.maxHops ?? 3,
  };
  if (!Number.isInteger(settings.inlineLimitBytes) || settings.inlineLimitBytes < 0 || settings.inlineLimitBytes > ASYNC_PAYLOAD_LIMIT_BYTES) {
    throw new TypeError(`@fleece/api-overflow: option "inlineLimitBytes" must be an integer from 0 to ${ASYNC_PAYLOAD_LIMIT_BYTES}, got ${settings.inlineLimitBytes}`);
  }
  if (!Number.isInteger(settings.maxHops) || settings.maxHops < 1 || settings.maxHops > MAX_HOPS_LIMIT) {
    throw new TypeError(`@fleece/api-overflow: option "maxHops" must be an integer from 1 to ${MAX_HOPS_LIMIT}, got ${settings.maxHops}`);
  }
  if (!/^\/[^?#]*[^/?#]$/.test(settings.pollPath)) throw new TypeError(`@fleece/api-overflow: option "pollPath" must start with / and not end with one, got ${JSON.stringify(settings.pollPath)}`);
  for (const name of ['waitMs', 'firstPollMs', 'maxPollMs', 'marginMs', 'jobTimeoutMs'] as const) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`@fleece/api-overflow: option "${name}" must be a number of milliseconds >= 0, got ${value}`);
  }
  if (settings.maxPollMs >= 29_000) throw new TypeError(`@fleece/api-overflow: option "maxPollMs" must stay under API Gateway's 29000 ms integration timeout, got ${settings.maxPollMs}`);
  if (!(settings.pollFactor >= 1)) throw new TypeError(`@fleece/api-overflow: option "pollFactor" must be >= 1, got ${settings.pollFactor}`);
  return settings;
}
