import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
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
async function follow(entry: (event: never, context: never) => Promise<unknown>, context: () => unknown, first: unknown) {
  const hops: string[] = [];
  let result = (await entry(first as never, context() as never)) as Result;
  while (result.statusCode === 303 && hops.length < 20) {
    const location = new URL(result.headers.location!, 'https://api.example.com');
    hops.push(location.pathname + location.search);
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
    setTimeout(release, 700);
    const { result, hops } = await follow(handler, context, apiGatewayV1Event({ path: '/report' }));
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
    const handler = longRunning(() => new Promise(() => {}), { bucket: BUCKET, s3Client: s3, lambdaClient: lambda, waitMs: 50, firstPollMs: 100, maxPollMs: 200, marginMs: 100, jobTimeoutMs: 400, logger });
    // The local Lambda kills the job's invocation after 200 ms, as Lambda would at its timeout.
    aws.lambda.register('dying-api', handler, { timeoutMs: 200 });
    const context = () => lambdaContext({ invokedFunctionArn: `arn:aws:lambda:us-east-1:${aws.account}:function:dying-api`, timeoutMs: 29_000 });
    const { result, hops } = await follow(handler, context, apiGatewayV1Event({ path: '/never' }));
    expect(result.statusCode).toBe(500);
    expect(hops.length).toBeGreaterThanOrEqual(1);
    expect(errors.some(([message]) => message === 'long-running job never finished')).toBe(true);
  });

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

  it.each([
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
