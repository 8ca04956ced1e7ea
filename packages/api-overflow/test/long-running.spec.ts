import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { apiGatewayV1Event, httpApiEvent, lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import { longRunning, overflow, type LongRunningOptions } from '../src/index.js';

const BUCKET = 'jobs-test';
const FUNCTION = 'slow-api';
let aws: LocalAws;
let s3: S3Client;
let lambda: LambdaClient;

beforeAll(async () => {
  aws = await startLocalAws({ services: ['s3', 'lambda'] });
  s3 = new S3Client(aws.clientConfig('s3'));
  lambda = new LambdaClient(aws.clientConfig('lambda'));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(async () => {
  await aws.lambda.settled();
  s3.destroy();
  lambda.destroy();
  await aws.stop();
}, 60_000);

type Result = { statusCode: number; headers: Record<string, string>; body: string };
const errors: unknown[][] = [];
const logger = { info: () => {}, error: (...args: unknown[]) => errors.push(args) };

/** Deploys `app` behind longRunning as the local function and returns the API-side entry point. */
function deploy(app: (event: { path?: string; rawPath?: string }) => Promise<unknown>, extra: Partial<LongRunningOptions> = {}) {
  const options: LongRunningOptions = { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, waitMs: 50, firstPollMs: 100, maxPollMs: 300, marginMs: 100, logger, ...extra };
  const handler = longRunning(app, options);
  aws.lambda.register(FUNCTION, handler, { timeoutMs: 10_000 });
  const context = () => lambdaContext({ functionName: FUNCTION, invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:${FUNCTION}`, timeoutMs: 29_000 });
  return { handler, context };
}

/** A client that follows 303s the way a browser or `curl -L` does, through the same handler. */
async function follow(entry: (event: never, context: never) => Promise<unknown>, context: () => unknown, first: unknown, onHop: (hops: number) => void = () => undefined) {
  const hops: string[] = [];
  let result = (await entry(first as never, context() as never)) as Result;
  while (result.statusCode === 303 && hops.length < 20) {
    const location = new URL(result.headers.location!, 'https://api.example.com');
    hops.push(location.pathname + location.search);
    onHop(hops.length);
    // API Gateway strips the stage from the path it hands a REST API's function.
    const path = location.pathname.replace(/^\/prod(?=\/)/, '');
    result = (await entry(apiGatewayV1Event({ path, query: location.search.slice(1) }) as never, context() as never)) as Result;
  }
  return { result, hops };
}

describe('longRunning', () => {
  it('answers directly when the job finishes within waitMs', async () => {
    const { handler, context } = deploy(async () => ({ statusCode: 200, body: 'quick' }), { waitMs: 2000 });
    const result = (await handler(apiGatewayV1Event({ path: '/report' }), context())) as Result;
    expect(result).toMatchObject({ statusCode: 200, body: 'quick' });
  });

  it('turns a job longer than several poll budgets into a chain of 303s ending in its result', async () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const { handler, context } = deploy(async (event) => {
      await done;
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: event.path }) };
    });
    // Released by the client's third redirect, not by a timer: a loaded machine cannot reorder it.
    const { result, hops } = await follow(handler, context, apiGatewayV1Event({ path: '/report' }), (n) => n === 3 && release());
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ path: '/report' });
    expect(hops.length).toBeGreaterThanOrEqual(3);
    // The first hop's budget, then ×1.5 per hop, capped.
    expect(hops[0]).toMatch(/^\/prod\/_jobs\/[0-9a-f-]{36}\?backoff=100$/);
    expect(hops[1]).toMatch(/backoff=150$/);
    expect(hops[hops.length - 1]).toMatch(/backoff=(225|300)$/);
  });

  it('answers a failed job with 500 and an error id; the details go to the log only', async () => {
    errors.length = 0;
    const { handler, context } = deploy(async () => {
      throw new Error('secret connection string postgres://u:p@db');
    });
    const { result } = await follow(handler, context, httpApiEvent({ path: '/fails' }));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/postgres|secret/);
    const { errorId } = JSON.parse(result.body);
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(errors.some(([, meta]) => (meta as { errorId: string }).errorId === errorId && String((meta as { error: Error }).error.message).includes('postgres'))).toBe(true);
  });

  it('answers a job whose invocation died (state left running) as failed once jobTimeoutMs has passed', async () => {
    errors.length = 0;
    const handler = longRunning(() => new Promise(() => {}), { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, waitMs: 50, firstPollMs: 100, maxPollMs: 200, marginMs: 100, jobTimeoutMs: 2000, logger });
    // The local Lambda kills the job's invocation after 200 ms, as Lambda would at its timeout.
    aws.lambda.register('dying-api', handler, { timeoutMs: 200 });
    const context = () => lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:dying-api`, timeoutMs: 29_000 });
    const { result, hops } = await follow(handler, context, apiGatewayV1Event({ path: '/never' }));
    expect(result.statusCode).toBe(500);
    expect(hops.length).toBeGreaterThanOrEqual(1);
    expect(errors.some(([message]) => message === 'long-running job never finished')).toBe(true);
  }, 30_000);

  it('reads the state once when no time is left to wait', async () => {
    const { handler } = deploy(async () => ({ statusCode: 200, body: 'late' }), { waitMs: 5000 });
    const nearlyOut = lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:${FUNCTION}`, timeoutMs: 50 });
    const result = (await handler(apiGatewayV1Event({ path: '/report' }), nearlyOut)) as Result;
    expect([200, 303]).toContain(result.statusCode);
  });

  it('answers 404 for an unknown or malformed job id', async () => {
    const { handler, context } = deploy(async () => 'never');
    expect(((await handler(apiGatewayV1Event({ path: '/_jobs/6f1c1b2e-0000-4000-8000-000000000000' }), context())) as Result).statusCode).toBe(404);
    expect(((await handler(apiGatewayV1Event({ path: '/_jobs/..%2Fsecrets' }), context())) as Result).statusCode).toBe(404);
  });

  it('answers 500 when the asynchronous invocation cannot start', async () => {
    errors.length = 0;
    const handler = longRunning(async () => 'x', { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, logger, waitMs: 10 });
    const context = lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:not-deployed` });
    const result = (await handler(apiGatewayV1Event({ path: '/x' }), context)) as Result;
    expect(result.statusCode).toBe(500);
    expect(errors[0]![0]).toBe('could not start the long-running job');
  });

  it('serves a large result through the overflow redirect when composed with overflow', async () => {
    const big = 'L'.repeat(20_000);
    const app = async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: big });
    const handler = overflow(longRunning(app, { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, waitMs: 3000, logger }), { bucket: BUCKET, s3Client: s3, thresholdBytes: 10_000 });
    aws.lambda.register('big-api', handler, { timeoutMs: 10_000 });
    const context = lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:big-api`, timeoutMs: 29_000 });
    const result = (await handler(httpApiEvent({ path: '/big.txt' }), context)) as Result;
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toMatch(/X-Amz-Signature=/);
    expect(await (await fetch(result.headers.location!)).text()).toBe(big);
  });

  type Ticket = { jobId: string; hop: number; request?: { body?: string } };
  const lastTicket = (name = FUNCTION) => (aws.lambda.invocations(name).filter((i) => i.invocationType === 'Event').at(-1)!.event as { fleeceLongRunningJob: Ticket }).fleeceLongRunningJob;
  const storedRequest = async (jobId: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `jobs/${jobId}/` }))).Contents ?? []).some((o) => o.Key!.endsWith('request.json'));
  const bodyLength = async (event: { body?: string }) => ({ statusCode: 200, body: String(event.body?.length ?? 0) });

  it('carries a request of up to 1 MB inline in the Event payload, and a larger one through S3', async () => {
    const { handler, context } = deploy(bodyLength as never, { waitMs: 5000 });
    const near = 'n'.repeat(1000 * 1000);
    const result = (await handler(httpApiEvent({ method: 'POST', path: '/upload', body: near }), context())) as Result;
    expect(result.body).toBe(String(near.length));
    const inline = lastTicket();
    expect(inline.hop).toBe(1);
    expect(inline.request?.body).toHaveLength(near.length);
    expect(await storedRequest(inline.jobId)).toBe(false);

    // Past 1 MiB the local Lambda, like Lambda, refuses an Event payload: this one must go through S3.
    const over = 'o'.repeat(1024 * 1024 + 10);
    const big = (await handler(httpApiEvent({ method: 'POST', path: '/upload', body: over }), context())) as Result;
    expect(big.body).toBe(String(over.length));
    const ticket = lastTicket();
    expect(ticket.request).toBeUndefined();
    expect(await storedRequest(ticket.jobId)).toBe(true);
  }, 30_000);

  it('sends a request carrying credentials through S3, never in the Event payload', async () => {
    const { handler, context } = deploy(bodyLength as never, { waitMs: 5000 });
    await handler(apiGatewayV1Event({ path: '/me', headers: { Authorization: 'Bearer s3cr3t' } }), context());
    expect(JSON.stringify(lastTicket())).not.toMatch(/s3cr3t/);
    expect(await storedRequest(lastTicket().jobId)).toBe(true);
    await handler(httpApiEvent({ path: '/me', cookies: { session: 'c00kie' } }), context());
    expect(JSON.stringify(lastTicket())).not.toMatch(/c00kie/);
    const { handler: viaS3 } = deploy(bodyLength as never, { waitMs: 5000, inlineLimitBytes: 0 });
    await viaS3(httpApiEvent({ path: '/small' }), context());
    expect(lastTicket().request).toBeUndefined();
  }, 30_000);

  it('stops a job that keeps starting jobs at maxHops, with a clear error', async () => {
    errors.length = 0;
    // A bug: the job's own code calls the API entry point again, which starts another job, and so on.
    const looping: ReturnType<typeof longRunning> = longRunning(async (event: unknown, context) => looping(event as never, context), { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, waitMs: 4000, maxHops: 2, logger });
    aws.lambda.register('looping-api', looping, { timeoutMs: 10_000 });
    const context = lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:looping-api`, timeoutMs: 29_000 });
    const result = (await looping(httpApiEvent({ path: '/loop' }), context)) as Result;
    await aws.lambda.settled();
    expect(aws.lambda.invocations('looping-api').filter((i) => i.invocationType === 'Event')).toHaveLength(2);
    expect(errors.some(([message, meta]) => message === 'long-running self-invocation refused: too many hops' && (meta as { hop: number }).hop === 3)).toBe(true);
    // The innermost refusal is the innermost job's answer, and travels back out as each job's result.
    expect(result.statusCode).toBe(500);
  }, 30_000);

  it('refuses a job event past maxHops or without a valid ticket, recording the failure', async () => {
    errors.length = 0;
    const { handler, context } = deploy(async () => 'never runs');
    const jobId = '6f1c1b2e-0000-4000-8000-00000000abcd';
    await handler({ fleeceLongRunningJob: { jobId, hop: 99, request: {} } } as never, context());
    expect(errors[0]![0]).toMatch(/hop 99, past maxHops 3/);
    const polled = (await handler(apiGatewayV1Event({ path: `/_jobs/${jobId}` }), context())) as Result;
    expect(polled.statusCode).toBe(500);
    await handler({ fleeceLongRunningJob: { jobId: '../x', hop: 1 } } as never, context());
    await handler({ fleeceLongRunningJob: { jobId, hop: 'one' } } as never, context());
    await handler({ fleeceLongRunningJob: null } as never, context());
    expect(errors.map(([m]) => m)).toEqual([
      expect.stringMatching(/past maxHops/),
      expect.stringMatching(/no valid jobId/),
      expect.stringMatching(/no valid hop count/),
      expect.stringMatching(/no ticket/),
    ]);
  }, 30_000);

  it.each([
    [{ bucket: 'b-b', inlineLimitBytes: 2 * 1024 * 1024 }, /"inlineLimitBytes" must be an integer from 0 to 1048576/],
    [{ bucket: 'b-b', maxHops: 0 }, /"maxHops" must be an integer from 1 to 12/],
    [{ bucket: 'b-b', maxHops: 13 }, /"maxHops"/],
    [{}, /"bucket"/],
    [{ bucket: 'b-b', pollPath: 'jobs' }, /"pollPath" must start with \//],
    [{ bucket: 'b-b', maxPollMs: 30_000 }, /under API Gateway's 29000 ms/],
    [{ bucket: 'b-b', waitMs: -1 }, /"waitMs"/],
    [{ bucket: 'b-b', pollFactor: 0.5 }, /"pollFactor"/],
    [{ bucket: 'b-b', jobTimeoutMs: Number.NaN }, /"jobTimeoutMs"/],
  ])('rejects %j when wrapping', (options, message) => {
    expect(() => longRunning(async () => 1, options as never)).toThrow(message);
  });
});
