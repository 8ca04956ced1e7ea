import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { RetryBudget, RetryPolicy } from '@fleece/retry';
import { client, DEFAULT_RETRY_POLICY, setDefaultRetry } from '../src/index.js';
import { fakeTime } from './fake-time.js';
import { internalError, item, local, startDynamoServer, throttle, validationError, type Reply } from './servers.js';

const get = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

async function withServer(script: Reply[], body: (endpoint: string, requests: () => number) => Promise<void>) {
  const server = await startDynamoServer(script);
  try {
    await body(server.endpoint, () => server.requests.length);
  } finally {
    await server.close();
  }
}

afterEach(() => setDefaultRetry(undefined));

describe('retries on the kernel', () => {
  it('retries throttling twice then succeeds: 3 requests, $metadata.attempts 3, throttling delays', async () => {
    await withServer([throttle, throttle, item], async (endpoint, requests) => {
      const time = fakeTime();
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: { retries: 3, base: 10, jitter: 'none', ...time } });
      const output = await dynamo.send(get());
      expect(output.Item).toEqual({ pk: { S: 'a' }, n: { N: '1' } });
      expect(requests()).toBe(3);
      expect(output.$metadata.attempts).toBe(3);
      // Throttling backs off from 5 × base: 50, then 100.
      expect(time.sleeps).toEqual([50, 100]);
      expect(output.$metadata.totalRetryDelay).toBe(150);
      dynamo.destroy();
    });
  });

  it('sends truthful amz-sdk-request headers on each attempt', async () => {
    const server = await startDynamoServer([throttle, item]);
    const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, retry: { retries: 4, ...fakeTime() } });
    await dynamo.send(get());
    expect(server.requests.map((r) => r.headers['amz-sdk-request'])).toEqual(['attempt=1; max=5', 'attempt=2; max=5']);
    dynamo.destroy();
    await server.close();
  });

  it('retries a 500 with the ordinary base', async () => {
    await withServer([internalError, item], async (endpoint, requests) => {
      const time = fakeTime();
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: { base: 10, jitter: 'none', ...time } });
      const output = await dynamo.send(get());
      expect(requests()).toBe(2);
      expect(output.$metadata.attempts).toBe(2);
      expect(time.sleeps).toEqual([10]);
      dynamo.destroy();
    });
  });

  it('honours throttlingBase', async () => {
    await withServer([throttle, item], async (endpoint) => {
      const time = fakeTime();
      const dynamo = client(DynamoDBClient, { ...local, endpoint, throttlingBase: 7, retry: { base: 10, jitter: 'none', ...time } });
      await dynamo.send(get());
      expect(time.sleeps).toEqual([7]);
      dynamo.destroy();
    });
  });

  it('does not retry a client error', async () => {
    await withServer([validationError, item], async (endpoint, requests) => {
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: fakeTime() });
      await expect(dynamo.send(get())).rejects.toMatchObject({ name: 'ValidationException', $metadata: { attempts: 1 } });
      expect(requests()).toBe(1);
      dynamo.destroy();
    });
  });

  it('gives up after retries + 1 attempts with the service error and the true attempt count', async () => {
    await withServer([throttle], async (endpoint, requests) => {
      const time = fakeTime();
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: { retries: 2, ...time } });
      await expect(dynamo.send(get())).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
      expect(requests()).toBe(3);
      expect(time.sleeps).toHaveLength(2);
      dynamo.destroy();
    });
  });

  it('uses the built-in policy (2 retries) without any setting', async () => {
    expect(DEFAULT_RETRY_POLICY.retries).toBe(2);
    await withServer([internalError], async (endpoint, requests) => {
      setDefaultRetry({ retries: 0 });
      setDefaultRetry(undefined); // back to the built-in policy
      const dynamo = client(DynamoDBClient, { ...local, endpoint });
      await expect(dynamo.send(get())).rejects.toMatchObject({ $metadata: { attempts: 3 } });
      expect(requests()).toBe(3);
      dynamo.destroy();
    });
  });

  it('uses setDefaultRetry for clients made afterwards, not before', async () => {
    await withServer([internalError], async (endpoint, requests) => {
      const time = fakeTime();
      const before = client(DynamoDBClient, { ...local, endpoint, retry: { retries: 0 } });
      setDefaultRetry(new RetryPolicy({ retries: 1, ...time }));
      const after = client(DynamoDBClient, { ...local, endpoint });
      await expect(before.send(get())).rejects.toMatchObject({ $metadata: { attempts: 1 } });
      await expect(after.send(get())).rejects.toMatchObject({ $metadata: { attempts: 2 } });
      expect(requests()).toBe(3);
      before.destroy();
      after.destroy();
    });
  });

  it('takes maxAttempts as the attempt count when the client sets no retries of its own', async () => {
    await withServer([internalError], async (endpoint, requests) => {
      const dynamo = client(DynamoDBClient, { ...local, endpoint, maxAttempts: 4, retry: fakeTime() });
      await expect(dynamo.send(get())).rejects.toMatchObject({ $metadata: { attempts: 4 } });
      expect(requests()).toBe(4);
      dynamo.destroy();
    });
  });

  it('lets retryOn refuse a retry or choose its delay', async () => {
    await withServer([throttle, throttle, item], async (endpoint) => {
      const time = fakeTime();
      const seen: number[] = [];
      const dynamo = client(DynamoDBClient, {
        ...local,
        endpoint,
        retry: {
          ...time,
          retryOn: (_error, attempt) => {
            seen.push(attempt);
            return attempt === 1 ? 3 : false;
          },
        },
      });
      await expect(dynamo.send(get())).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 2 } });
      expect(seen).toEqual([1, 2]);
      expect(time.sleeps).toEqual([3]);
      dynamo.destroy();
    });
  });

  it('calls onRetry before each wait', async () => {
    await withServer([internalError, item], async (endpoint) => {
      const events: { attempt: number; delayMs: number; name: string }[] = [];
      const dynamo = client(DynamoDBClient, {
        ...local,
        endpoint,
        retry: {
          ...fakeTime(),
          base: 20,
          jitter: 'none',
          onRetry: ({ attempt, delayMs, error }) => events.push({ attempt, delayMs, name: (error as Error).name }),
        },
      });
      await dynamo.send(get());
      expect(events).toEqual([{ attempt: 1, delayMs: 20, name: 'InternalServerError' }]);
      dynamo.destroy();
    });
  });

  it('pays retries from a shared RetryBudget and stops when it is empty', async () => {
    await withServer([throttle], async (endpoint, requests) => {
      const budget = new RetryBudget({ capacity: 10, retryCost: 5 });
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: { retries: 5, budget, ...fakeTime() } });
      // Two retries drain the budget; the third retry is refused.
      await expect(dynamo.send(get())).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
      expect(budget.available).toBe(0);
      expect(budget.denied).toBe(1);
      // The next call fails after its first attempt instead of adding load.
      await expect(dynamo.send(get())).rejects.toMatchObject({ $metadata: { attempts: 1 } });
      expect(requests()).toBe(4);
      dynamo.destroy();
    });
  });

  it('refills the budget on success', async () => {
    await withServer([item], async (endpoint) => {
      const budget = new RetryBudget({ capacity: 10, retryCost: 5, successRefill: 2 });
      budget.tryAcquire();
      const dynamo = client(DynamoDBClient, { ...local, endpoint, retry: { budget } });
      await dynamo.send(get());
      expect(budget.available).toBe(7);
      dynamo.destroy();
    });
  });
});
