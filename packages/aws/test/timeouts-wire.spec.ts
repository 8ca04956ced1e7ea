import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { client, setDefaultTimeout } from '../src/index.js';
import { item, local, stall, startDynamoServer, startNeverAcceptingServer, timed, warmUp, type DynamoServer } from './servers.js';

const get = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });
const noRetry = { retries: 0 };

afterEach(() => setDefaultTimeout(undefined));
beforeAll(() => warmUp((endpoint) => client(DynamoDBClient, { ...local, endpoint }), get));

describe('read timeout', () => {
  let server: DynamoServer;
  beforeAll(async () => {
    server = await startDynamoServer([stall]);
  });
  afterAll(() => server.close());

  it('fails a request the server accepts and never answers, within 20 % of readTimeout', async () => {
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, readTimeout: 1500, retry: noRetry });
    const { ms, error } = await timed(dynamo.send(get));
    dynamo.destroy();
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toMatch(/timed out after 1500 ms of inactivity/);
    expect(ms).toBeGreaterThanOrEqual(1200);
    expect(ms).toBeLessThanOrEqual(1800);
  });

  it('takes the read timeout from setDefaultTimeout when the client sets none', async () => {
    setDefaultTimeout({ read: 1000 });
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, retry: noRetry });
    const { ms, error } = await timed(dynamo.send(get));
    dynamo.destroy();
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThanOrEqual(1200);
  });

  it('retries a timed-out attempt as transient and counts it in $metadata.attempts', async () => {
    const before = server.requests.length;
    const dynamo = client(DynamoDBClient, {
      ...local,
      endpoint: server.endpoint,
      readTimeout: 200,
      retry: { retries: 1, base: 1, jitter: 'none' },
    });
    const { error } = await timed(dynamo.send(get));
    dynamo.destroy();
    expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 2 } });
    expect(server.requests.length - before).toBe(2);
  });
});

describe('connect timeout', () => {
  it('fails a connection that is never accepted, within 20 % of connectTimeout', async () => {
    const blackhole = await startNeverAcceptingServer();
    try {
      const dynamo = client(DynamoDBClient, {
        ...local,
        endpoint: blackhole.endpoint,
        connectTimeout: 1500,
        readTimeout: 10_000,
        retry: noRetry,
      });
      const { ms, error } = await timed(dynamo.send(get));
      dynamo.destroy();
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect((error as Error).message).toMatch(/did not establish a connection with the server within the configured timeout of 1500 ms/);
      expect(ms).toBeGreaterThanOrEqual(1200);
      expect(ms).toBeLessThanOrEqual(1800);
    } finally {
      await blackhole.close();
    }
  });
});

describe('the configured handler', () => {
  it('builds the SDK handler with fleece timeouts and throwOnRequestTimeout', async () => {
    const server = await startDynamoServer([item]);
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, connectTimeout: 1234, readTimeout: 5678 });
      await dynamo.send(get);
      const handler = dynamo.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> };
      expect(handler.httpHandlerConfigs()).toMatchObject({
        connectionTimeout: 1234,
        socketTimeout: 5678,
        throwOnRequestTimeout: true,
      });
      dynamo.destroy();
    } finally {
      await server.close();
    }
  });

  it('applies setDefaultTimeout to clients made afterwards; earlier ones keep theirs', async () => {
    const server = await startDynamoServer([item]);
    try {
      setDefaultTimeout(1000);
      const before = client(DynamoDBClient, { ...local, endpoint: server.endpoint });
      setDefaultTimeout({ connect: 2000, read: 3000 });
      const after = client(DynamoDBClient, { ...local, endpoint: server.endpoint });
      await before.send(get);
      await after.send(get);
      const configs = (c: DynamoDBClient) =>
        (c.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> }).httpHandlerConfigs();
      expect(configs(before)).toMatchObject({ connectionTimeout: 1000, socketTimeout: 1000 });
      expect(configs(after)).toMatchObject({ connectionTimeout: 2000, socketTimeout: 3000 });
      before.destroy();
      after.destroy();
    } finally {
      await server.close();
    }
  });
});
