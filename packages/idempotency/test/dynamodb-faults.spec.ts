import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createIdempotencyTable, DynamoDBPersistence, IdempotencyPersistenceError, idempotent } from '../src/index.js';

// Faults and answers dynalite cannot give: the old item with a failed condition (real DynamoDB's
// ALL_OLD), throttling, and a failing DeleteItem.
const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const dynamo = mockClient(client);
const NOW = 1_700_000_000_000;

afterEach(() => dynamo.reset());
afterAll(() => client.destroy());

const conditionFailed = (Item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(Item ? { Item } : {}) } as never);

describe('DynamoDBPersistence with DynamoDB-only answers', () => {
  it('uses the item returned with a failed condition instead of reading it (ALL_OLD)', async () => {
    dynamo.on(PutItemCommand).rejects(
      conditionFailed({
        id: { S: 'whatever' },
        status: { S: 'COMPLETED' },
        expiration: { N: String(NOW / 1000 + 60) },
        data: { S: '{"replayed":true}' },
      }),
    );
    const handler = idempotent(async () => ({ replayed: false }), {
      persistence: new DynamoDBPersistence({ tableName: 'table', client }),
      clock: () => NOW,
    });
    await expect(handler({ id: 1 }, undefined)).resolves.toEqual({ replayed: true });
    expect(dynamo.commandCalls(GetItemCommand)).toHaveLength(0);
    const put = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    expect(put.ExpressionAttributeValues).toEqual({
      ':nowSeconds': { N: String(NOW / 1000) },
      ':now': { N: String(NOW) },
      ':inProgress': { S: 'INPROGRESS' },
    });
  });

  it('reads the record when the failed condition came without it', async () => {
    dynamo.on(PutItemCommand).rejects(conditionFailed({}));
    dynamo.on(GetItemCommand).resolves({
      Item: { id: { S: 'k' }, status: { S: 'COMPLETED' }, expiration: { N: String(NOW / 1000 + 60) } },
    });
    const handler = idempotent(async () => 'ran', {
      persistence: new DynamoDBPersistence({ tableName: 'table', client }),
      clock: () => NOW,
    });
    await expect(handler({ id: 1 }, undefined)).resolves.toBeUndefined();
    expect(dynamo.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('turns throttling on the claim into IdempotencyPersistenceError, with the SDK error as cause', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    dynamo.on(PutItemCommand).rejects(throttled);
    const handler = idempotent(async () => 'ran', { persistence: new DynamoDBPersistence({ tableName: 'table', client }) });
    const error = await handler({ id: 1 }, undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyPersistenceError);
    expect((error as Error).cause).toBe(throttled);
  });

  it('surfaces a failed UpdateItem and a failed DeleteItem', async () => {
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(UpdateItemCommand).rejects(Object.assign(new Error('Internal'), { name: 'InternalServerError' }));
    dynamo.on(DeleteItemCommand).rejects(Object.assign(new Error('Denied'), { name: 'AccessDeniedException' }));
    const warn = jest.fn();
    const handler = idempotent(async () => 'ran', {
      persistence: new DynamoDBPersistence({ tableName: 'table', client }),
      logger: { debug() {}, info() {}, warn, error() {} },
    });
    await expect(handler({ id: 1 }, undefined)).rejects.toMatchObject({
      name: 'IdempotencyPersistenceError',
      message: expect.stringMatching(/could not store the result/),
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not release'), expect.objectContaining({ error: 'Denied' }));
    const update = dynamo.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toBe('#token = :token');
    expect(update.UpdateExpression).toBe('SET #status = :completed, #expiry = :expiry, #data = :data REMOVE #token, #inProgressExpiry');
  });
});

describe('createIdempotencyTable on DynamoDB', () => {
  const instant = { sleep: async () => undefined };

  it('waits for ACTIVE, then turns TTL on for the expiry attribute', async () => {
    dynamo.on(CreateTableCommand).resolves({});
    dynamo
      .on(DescribeTableCommand)
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    dynamo.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    dynamo.on(UpdateTimeToLiveCommand).resolves({});
    await expect(createIdempotencyTable({ tableName: 'table', client, expiryAttr: 'ttl', waitPolicy: instant })).resolves.toEqual({
      created: true,
      timeToLive: 'enabled',
    });
    expect(dynamo.commandCalls(DescribeTableCommand)).toHaveLength(3);
    expect(dynamo.commandCalls(CreateTableCommand)[0]!.args[0].input).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(dynamo.commandCalls(UpdateTimeToLiveCommand)[0]!.args[0].input.TimeToLiveSpecification).toEqual({
      Enabled: true,
      AttributeName: 'ttl',
    });
  });

  it('leaves TTL alone when it is already on for the expiry attribute', async () => {
    dynamo.on(CreateTableCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceInUseException' }));
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    dynamo.on(DescribeTimeToLiveCommand).resolves({
      TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' },
    });
    await expect(createIdempotencyTable({ tableName: 'table', client })).resolves.toEqual({ created: false, timeToLive: 'enabled' });
    expect(dynamo.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
  });

  it("rethrows AWS's refusals", async () => {
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    dynamo.on(CreateTableCommand).rejects(denied);
    await expect(createIdempotencyTable({ tableName: 'table', client })).rejects.toBe(denied);
    dynamo.reset();
    dynamo.on(CreateTableCommand).resolves({});
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    dynamo.on(DescribeTimeToLiveCommand).resolves({});
    const other = Object.assign(new Error('TTL is on for another attribute'), { name: 'ValidationException' });
    dynamo.on(UpdateTimeToLiveCommand).rejects(other);
    await expect(createIdempotencyTable({ tableName: 'table', client, waitPolicy: instant })).rejects.toBe(other);
  });
});

describe('the default client', () => {
  it('is made at the first request, so a bad clientConfig surfaces there, every time', async () => {
    const persistence = new DynamoDBPersistence({ tableName: 'table', clientConfig: { timeout: -5 } });
    await expect(persistence.get('k')).rejects.toThrow(/"timeout"/);
    await expect(persistence.get('k')).rejects.toThrow(/"timeout"/);
  });
});
