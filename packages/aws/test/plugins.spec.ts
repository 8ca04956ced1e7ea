import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Pluggable } from '@smithy/types';
import { withDeadline } from '@fleece/retry';
import { AwsDeadlineError, client, useClientPlugin, type AwsClient, type ClientInfo } from '../src/index.js';
import { item, local, stall, startDynamoServer, type DynamoServer } from './servers.js';

const get = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

describe('useClientPlugin', () => {
  let server: DynamoServer;
  beforeAll(async () => {
    server = await startDynamoServer([item]);
  });
  afterAll(() => server.close());

  it('acts on every client made afterwards; its middleware runs on every call', async () => {
    const calls: string[] = [];
    const made: { client: AwsClient; info: ClientInfo }[] = [];
    const stop = useClientPlugin((made_client, info) => {
      made.push({ client: made_client, info });
      made_client.middlewareStack.add(
        (next, context) => async (args) => {
          calls.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'testTracing' },
      );
    });
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint, timeout: 1500, retry: { retries: 1 } });
      expect(made).toHaveLength(1);
      expect(made[0]!.client).toBe(dynamo);
      expect(made[0]!.info.timeouts).toEqual({ connect: 1500, read: 1500 });
      expect(made[0]!.info.retry?.retries).toBe(1);
      expect(Object.isFrozen(made[0]!.info)).toBe(true);
      await dynamo.send(get());
      await dynamo.send(get());
      expect(calls).toEqual(['GetItemCommand', 'GetItemCommand']);
      dynamo.destroy();
    } finally {
      stop();
    }
  });

  it('does not touch clients made before, nor after unsubscribing', () => {
    const seen: AwsClient[] = [];
    const before = client(DynamoDBClient, local);
    const stop = useClientPlugin((c) => seen.push(c));
    const during = client(DynamoDBClient, local);
    stop();
    stop(); // idempotent
    const after = client(DynamoDBClient, local);
    expect(seen).toEqual([during]);
    for (const c of [before, during, after]) c.destroy();
  });

  it('accepts an SDK Pluggable and applies plugins in registration order', async () => {
    const order: string[] = [];
    const pluggable: Pluggable<object, object> = {
      applyToStack: (stack) => {
        order.push('pluggable');
        stack.add((next) => (args) => next(args), { step: 'build', name: 'testPluggable' });
      },
    };
    const stopFirst = useClientPlugin(() => order.push('function'));
    const stopSecond = useClientPlugin(pluggable);
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: server.endpoint });
      expect(order).toEqual(['function', 'pluggable']);
      expect(dynamo.middlewareStack.identify().some((entry) => entry.startsWith('testPluggable'))).toBe(true);
      dynamo.destroy();
    } finally {
      stopFirst();
      stopSecond();
    }
  });

  it('reports the SDK retry as retry: undefined when the caller chose it', () => {
    let info: ClientInfo | undefined;
    const stop = useClientPlugin((_c, i) => (info = i));
    client(DynamoDBClient, { ...local, retryMode: 'standard' }).destroy();
    stop();
    expect(info!.retry).toBeUndefined();
  });

  it('lets a failing plugin fail client() loudly', () => {
    const stop = useClientPlugin(() => {
      throw new Error('plugin broke');
    });
    try {
      expect(() => client(DynamoDBClient, local)).toThrow('plugin broke');
    } finally {
      stop();
    }
  });

  it('rejects what is not a plugin', () => {
    expect(() => useClientPlugin({} as never)).toThrow(/option "plugin" must be a function or an object with applyToStack\(\), got an object/);
    expect(() => useClientPlugin(null as never)).toThrow(TypeError);
  });

  it('the fleece middleware is named, so plugins can place theirs relative to it', () => {
    const dynamo = client(DynamoDBClient, local);
    expect(dynamo.middlewareStack.identify()).toContain('fleeceDeadlineMiddleware - initialize');
    dynamo.destroy();
  });

  it('carries over to a DocumentClient made from a fleece client', async () => {
    const stalling = await startDynamoServer([stall]);
    try {
      const dynamo = client(DynamoDBClient, { ...local, endpoint: stalling.endpoint, readTimeout: 5000 });
      const documents = DynamoDBDocumentClient.from(dynamo);
      const attempt = withDeadline(Date.now() + 200, () => documents.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })));
      await expect(attempt).rejects.toBeInstanceOf(AwsDeadlineError);
      dynamo.destroy();
    } finally {
      await stalling.close();
    }
  });
});
