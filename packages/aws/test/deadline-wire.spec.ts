import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { withDeadline } from '@fleece/retry';
import type { ServerResponse } from 'node:http';
import { AwsDeadlineError, client } from '../src/index.js';
import { fakeTime } from './fake-time.js';
import { item, local, stall, startDynamoServer, startNeverAcceptingServer, throttle, timed, warmUp, type DynamoServer } from './servers.js';

const get = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });
const inMs = (ms: number) => Date.now() + ms;

describe('the invocation deadline', () => {
  let throttling: DynamoServer;
  let stalling: DynamoServer;
  beforeAll(async () => {
    await warmUp((endpoint) => client(DynamoDBClient, { ...local, endpoint }), get());
    throttling = await startDynamoServer([throttle]);
    stalling = await startDynamoServer([stall]);
  });
  afterAll(async () => {
    await throttling.close();
    await stalling.close();
  });

  it('cuts retries short with a clear error instead of waiting past it', async () => {
    const time = fakeTime();
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: throttling.endpoint,
      retry: { retries: 5, base: 100, jitter: 'none', sleep: time.sleep },
    });
    const before = throttling.requests.length;
    // Throttling waits 500 ms before the first retry; only 300 ms are left.
    const deadlineAt = time.clock() + 300;
    const { error } = await timed(withDeadline(() => deadlineAt - time.clock(), () => dynamo.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    const cut = error as AwsDeadlineError;
    expect(cut.message).toMatch(
      /^DynamoDB\.GetItem stopped by the invocation deadline after 1 attempt: the next retry would wait 500 ms but 300 ms were left; last error ThrottlingException: Rate of requests exceeds the allowed throughput\.$/,
    );
    expect(cut).toMatchObject({ service: 'DynamoDB', operation: 'GetItem', attempts: 1, reason: 'deadline', remainingMs: 300 });
    expect(cut.$metadata).toMatchObject({ attempts: 1, httpStatusCode: 400 });
    expect(cut.cause).toMatchObject({ name: 'ThrottlingException' });
    expect(cut.errors).toEqual([cut.cause]);
    expect(throttling.requests.length - before).toBe(1);
    expect(time.sleeps).toEqual([]); // it gave up at once rather than sleeping into the deadline
    dynamo.destroy();
  });

  it('lets retries run while they fit, then cuts', async () => {
    const time = fakeTime();
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: throttling.endpoint,
      throttlingBase: 40,
      retry: { retries: 10, base: 40, factor: 2, cap: 10_000, jitter: 'none', sleep: time.sleep },
    });
    // Waits of 40, 80, 160 fit in 450 ms; the 320 ms wait after them does not (170 ms left).
    const deadlineAt = time.clock() + 450;
    const { error } = await timed(withDeadline(() => deadlineAt - time.clock(), () => dynamo.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    const cut = error as AwsDeadlineError;
    expect(cut.attempts).toBe(4);
    expect(cut.errors).toHaveLength(4);
    expect(cut.message).toMatch(/after 4 attempts: the next retry would wait 320 ms but 170 ms were left/);
    expect(cut.$metadata).toMatchObject({ attempts: 4, totalRetryDelay: 280 });
    expect(time.sleeps).toEqual([40, 80, 160]);
    dynamo.destroy();
  });

  it('explains a retry that found no time left to send', async () => {
    const time = fakeTime();
    // Every wait fits, but the clock then jumps past the deadline before the next attempt.
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: throttling.endpoint,
      retry: {
        retries: 3,
        jitter: 'none',
        sleep: async (ms) => {
          await time.sleep(ms);
          await time.sleep(1000);
        },
      },
    });
    const deadlineAt = time.clock() + 900;
    const { error } = await timed(withDeadline(() => deadlineAt - time.clock(), () => dynamo.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    const cut = error as AwsDeadlineError;
    expect(cut.message).toMatch(/^DynamoDB\.GetItem stopped by the invocation deadline after 2 attempts: no time was left to send the request$/);
    expect(cut.errors).toHaveLength(2);
    expect(cut.cause).toMatchObject({ name: 'ThrottlingException' });
    expect(cut.$metadata).toMatchObject({ attempts: 2, totalRetryDelay: 500 });
    dynamo.destroy();
  });

  it('bounds an attempt in flight: min(read timeout, time left)', async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, readTimeout: 5000 });
    const { ms, error } = await timed(withDeadline(inMs(1000), () => dynamo.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    expect((error as AwsDeadlineError).message).toMatch(
      /^DynamoDB\.GetItem stopped by the invocation deadline after 1 attempt: the deadline arrived \d+ ms into the request$/,
    );
    expect((error as AwsDeadlineError).cause).toMatchObject({ name: 'AbortError' });
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThanOrEqual(1200);
    dynamo.destroy();
  });

  it('bounds connecting too', async () => {
    const blackhole = await startNeverAcceptingServer();
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: blackhole.endpoint, connectTimeout: 5000 });
      const { ms, error } = await timed(withDeadline(inMs(1000), () => dynamo.send(get())));
      expect(error).toBeInstanceOf(AwsDeadlineError);
      expect(ms).toBeGreaterThanOrEqual(800);
      expect(ms).toBeLessThanOrEqual(1200);
      dynamo.destroy();
    } finally {
      await blackhole.close();
    }
  });

  it('leaves a shorter configured timeout in charge', async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, readTimeout: 200, retry: { retries: 0 } });
    const { ms, error } = await timed(withDeadline(inMs(5000), () => dynamo.send(get())));
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(ms).toBeLessThan(400);
    dynamo.destroy();
  });

  it('sends nothing once the deadline has passed', async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: throttling.endpoint });
    const before = throttling.requests.length;
    const { error } = await timed(withDeadline(inMs(-5), () => dynamo.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    expect((error as AwsDeadlineError).attempts).toBe(0);
    expect((error as AwsDeadlineError).message).toMatch(/after 0 attempts: the deadline had passed \d+ ms before the call/);
    expect(throttling.requests.length).toBe(before);
    dynamo.destroy();
  });

  it('cuts a response body that stalls after the headers', async () => {
    const server = await startDynamoServer([
      (_request, response: ServerResponse) => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '1000' });
        response.write('{"Item":');
      },
    ]);
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, readTimeout: 5000 });
      const { ms, error } = await timed(withDeadline(inMs(1000), () => dynamo.send(get())));
      expect(error).toBeInstanceOf(AwsDeadlineError);
      expect((error as AwsDeadlineError).operation).toBe('GetItem');
      expect(ms).toBeGreaterThanOrEqual(800);
      expect(ms).toBeLessThanOrEqual(1200);
      dynamo.destroy();
    } finally {
      await server.close();
    }
  });

  it('is read per request: one client serves calls with and without a deadline', async () => {
    const server = await startDynamoServer([stall, item]);
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, readTimeout: 5000 });
      await expect(withDeadline(inMs(200), () => dynamo.send(get()))).rejects.toBeInstanceOf(AwsDeadlineError);
      const output = await dynamo.send(get());
      expect(output.Item).toBeDefined();
      const inside = await withDeadline(inMs(2000), () => dynamo.send(get()));
      expect(inside.$metadata.attempts).toBe(1);
      dynamo.destroy();
    } finally {
      await server.close();
    }
  });

  it('honours a deadline set on the retry policy', async () => {
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: stalling.endpoint,
      readTimeout: 5000,
      retry: { deadline: () => 800 - (Date.now() - started) },
    });
    const started = Date.now();
    const { ms, error } = await timed(dynamo.send(get()));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    expect(ms).toBeLessThanOrEqual(1000);
    dynamo.destroy();
  });
});
