import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions, HttpRequest, RetryStrategyV2 } from '@smithy/types';
import { withDeadline } from '@fleece/retry';
import { AwsDeadlineError, client, KernelRetryStrategy, setDefaultTimeout } from '../src/index.js';
import { item, local, stall, startDynamoServer, timed, type DynamoServer } from './servers.js';

const get = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });
type Configs = { httpHandlerConfigs(): Record<string, unknown> };

describe("the caller's configuration is kept", () => {
  let server: DynamoServer;
  let stalling: DynamoServer;
  beforeAll(async () => {
    server = await startDynamoServer([item]);
    stalling = await startDynamoServer([stall]);
  });
  afterAll(async () => {
    await server.close();
    await stalling.close();
  });
  afterEach(() => setDefaultTimeout(undefined));

  it('returns an instance of the class, signed with the given region and credentials', async () => {
    const dynamo = client(DynamoDBClient, {
      region: 'eu-west-3',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'AKIDCALLER', secretAccessKey: 'caller-secret' },
    });
    expect(dynamo).toBeInstanceOf(DynamoDBClient);
    await dynamo.send(get());
    const authorization = String(server.requests.at(-1)!.headers.authorization);
    expect(authorization).toMatch(/Credential=AKIDCALLER\/\d{8}\/eu-west-3\/dynamodb\/aws4_request/);
    expect(await dynamo.config.region()).toBe('eu-west-3');
    dynamo.destroy();
  });

  it("keeps request handler options, which win over fleece's timeouts", async () => {
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: server.endpoint,
      timeout: 2000,
      requestHandler: { connectionTimeout: 777, requestTimeout: 999, httpAgent: { maxSockets: 7 }, socketTimeout: undefined },
    });
    await dynamo.send(get());
    const configs = (dynamo.config.requestHandler as unknown as Configs).httpHandlerConfigs();
    expect(configs).toMatchObject({ connectionTimeout: 777, socketTimeout: 2000, requestTimeout: 999, throwOnRequestTimeout: true });
    expect((configs.httpAgent as { maxSockets: number }).maxSockets).toBe(7);
    dynamo.destroy();
  });

  it('makes a requestTimeout fail rather than warn', async () => {
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: stalling.endpoint,
      readTimeout: 5000,
      retry: { retries: 0 },
      requestHandler: { requestTimeout: 300 },
    });
    const { ms, error } = await timed(dynamo.send(get()));
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toMatch(/exceeded the configured 300 ms requestTimeout/);
    expect(ms).toBeLessThan(1000);
    dynamo.destroy();
  });

  it('merges request handler options given as a provider', async () => {
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: server.endpoint,
      readTimeout: 4321,
      // A provider of options: the SDK accepts it at run time, its types do not say so.
      requestHandler: (async () => ({ connectionTimeout: 321 })) as never,
    });
    await dynamo.send(get());
    expect((dynamo.config.requestHandler as unknown as Configs).httpHandlerConfigs()).toMatchObject({
      connectionTimeout: 321,
      socketTimeout: 4321,
    });
    dynamo.destroy();
  });

  it('uses a request handler instance as is, and still bounds it by the deadline', async () => {
    const handled: string[] = [];
    const inner = new NodeHttpHandler({ socketTimeout: 10_000 });
    const counting = {
      handle: (request: HttpRequest, options?: HttpHandlerOptions) => {
        handled.push(String(request.headers['x-amz-target']));
        return inner.handle(request as never, options);
      },
      destroy: () => inner.destroy(),
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    };
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, requestHandler: counting });
    await dynamo.send(get());
    expect(handled).toEqual(['DynamoDB_20120810.GetItem']);

    const stalled = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, requestHandler: counting });
    const { ms, error } = await timed(withDeadline(Date.now() + 300, () => stalled.send(get())));
    expect(error).toBeInstanceOf(AwsDeadlineError);
    expect(ms).toBeLessThan(500);
    dynamo.destroy();
  });

  it("unwraps another fleece client's handler instead of wrapping it twice", async () => {
    const first = client(DynamoDBClient, { ...local, endpoint: server.endpoint });
    const second = client(DynamoDBClient, { ...local, endpoint: server.endpoint, requestHandler: first.config.requestHandler });
    const inner = (h: unknown) => (h as { inner: unknown }).inner;
    expect(inner(second.config.requestHandler)).toBe(inner(first.config.requestHandler));
    await second.send(get());
    first.destroy();
  });

  it('keeps a retryStrategy of the caller instead of the kernel one', async () => {
    let refreshed = 0;
    const own: RetryStrategyV2 = {
      acquireInitialRetryToken: async () => ({ getRetryCount: () => 0, getRetryDelay: () => 0 }),
      refreshRetryTokenForRetry: async () => {
        refreshed++;
        throw new Error('no retries here');
      },
      recordSuccess: () => {},
    };
    const stalled = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, readTimeout: 200, retryStrategy: own });
    expect(await stalled.config.retryStrategy()).toBe(own);
    await expect(stalled.send(get())).rejects.toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 1 } });
    expect(refreshed).toBe(1);
    stalled.destroy();
  });

  it("keeps retryMode, so the SDK's own retries apply", async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, retryMode: 'adaptive' });
    const strategy = await dynamo.config.retryStrategy();
    expect(strategy).not.toBeInstanceOf(KernelRetryStrategy);
    expect((strategy as { mode?: string }).mode).toBe('adaptive');
    await dynamo.send(get());
    dynamo.destroy();
  });

  it('installs the kernel strategy otherwise', async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, retry: { retries: 4 } });
    const strategy = await dynamo.config.retryStrategy();
    expect(strategy).toBeInstanceOf(KernelRetryStrategy);
    expect((strategy as KernelRetryStrategy).policy.retries).toBe(4);
    expect(await dynamo.config.maxAttempts()).toBe(5);
    dynamo.destroy();
  });

  it("lets the client's own retries win over maxAttempts", async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, maxAttempts: 9, retry: { retries: 1 } });
    expect(((await dynamo.config.retryStrategy()) as KernelRetryStrategy).policy.retries).toBe(1);
    expect(await dynamo.config.maxAttempts()).toBe(9);
    dynamo.destroy();
  });

  it("passes the caller's abortSignal through", async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, readTimeout: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { ms, error } = await timed(dynamo.send(get(), { abortSignal: controller.signal }));
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(ms).toBeLessThan(1000);
    // Also inside a deadline, where fleece links its own signal to the caller's.
    const second = new AbortController();
    setTimeout(() => second.abort(), 100);
    const inside = await timed(withDeadline(Date.now() + 5000, () => dynamo.send(get(), { abortSignal: second.signal })));
    expect(inside.error).toMatchObject({ name: 'AbortError' });
    expect(inside.error).not.toBeInstanceOf(AwsDeadlineError);
    expect(inside.ms).toBeLessThan(1000);
    dynamo.destroy();
  });

  it('rejects invalid fleece options with a TypeError naming the option', () => {
    expect(() => client(DynamoDBClient, { timeout: -1 })).toThrow(/option "timeout" must be a finite number of milliseconds > 0, got -1/);
    expect(() => client(DynamoDBClient, { connectTimeout: 0 })).toThrow(/"connectTimeout"/);
    expect(() => client(DynamoDBClient, { readTimeout: Infinity })).toThrow(/"readTimeout"/);
    expect(() => client(DynamoDBClient, { readTimeout: '5' as unknown as number })).toThrow(TypeError);
    expect(() => client(DynamoDBClient, { throttlingBase: -1 })).toThrow(/"throttlingBase"/);
    expect(() => client(DynamoDBClient, { retry: { retries: -1 } })).toThrow(/"retries"/);
    expect(() => client('DynamoDBClient' as never)).toThrow(/option "ClientClass" must be an AWS SDK v3 client class/);
    expect(() => client(DynamoDBClient, null as never)).toThrow(/option "options" must be an object/);
  });
});
