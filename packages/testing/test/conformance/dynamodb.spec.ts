/**
 * DynamoDB as AWS documents it, through the AWS SDK v3. Sources: the DynamoDB API reference pages of
 * PutItem, UpdateItem, DeleteItem (ReturnValuesOnConditionCheckFailure), UpdateTimeToLive,
 * DescribeTimeToLive, TransactWriteItems, TransactGetItems, and the developer guide's
 * "Time to Live" and "Working with expired items".
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { startLocalAws, type LocalAws } from '../../src/index.js';

jest.setTimeout(60_000);

describe('DynamoDB conformance', () => {
  let aws: LocalAws;
  let db: DynamoDBClient;
  const table = async (name: string) =>
    db.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['dynamodb'] });
    db = new DynamoDBClient(aws.clientConfig('dynamodb'));
    await Promise.all(['conditions', 'ttl', 'ttl-twice', 'txn'].map(table));
  });

  afterAll(async () => {
    db.destroy();
    await aws.stop();
  });

  describe('ReturnValuesOnConditionCheckFailure', () => {
    beforeAll(async () => {
      await db.send(new PutItemCommand({ TableName: 'conditions', Item: { pk: { S: 'a' }, status: { S: 'COMPLETED' }, data: { S: 'stored' } } }));
    });

    it.each([
      ['PutItem', () => new PutItemCommand({ TableName: 'conditions', Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })],
      [
        'UpdateItem',
        () =>
          new UpdateItemCommand({
            TableName: 'conditions',
            Key: { pk: { S: 'a' } },
            UpdateExpression: 'SET #s = :s',
            ConditionExpression: '#s <> :done',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': { S: 'INPROGRESS' }, ':done': { S: 'COMPLETED' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
      ],
      ['DeleteItem', () => new DeleteItemCommand({ TableName: 'conditions', Key: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })],
    ])('%s with ALL_OLD returns the item the condition failed on in the exception', async (_name, command) => {
      const failure = await db.send(command() as never).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
      expect((failure as ConditionalCheckFailedException).Item).toEqual({ pk: { S: 'a' }, status: { S: 'COMPLETED' }, data: { S: 'stored' } });
      expect((failure as ConditionalCheckFailedException).$metadata.httpStatusCode).toBe(400);
    });

    it('without ALL_OLD (NONE is the default) the exception carries no item', async () => {
      const failure = (await db
        .send(new PutItemCommand({ TableName: 'conditions', Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' }))
        .catch((error: unknown) => error)) as ConditionalCheckFailedException;
      expect(failure.name).toBe('ConditionalCheckFailedException');
      expect(failure.Item).toBeUndefined();
    });

    it('answers a write whose condition holds as usual, in one request', async () => {
      aws.resetRequests();
      await db.send(new PutItemCommand({ TableName: 'conditions', Item: { pk: { S: 'b' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      expect(aws.requests('dynamodb').map((r) => `${r.operation} ${r.status}`)).toEqual(['PutItem 200']);
    });
  });

  describe('Time to Live', () => {
    it('is DISABLED until UpdateTimeToLive enables it, which answers the specification', async () => {
      expect((await db.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'DISABLED' });
      const updated = await db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } }));
      expect(updated.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
      // AWS passes through ENABLING for up to an hour; the local one is ENABLED at once (deliberate).
      expect((await db.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiration' });
    });

    it('refuses enabling twice, a second change within the hour, and unknown tables', async () => {
      await db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl-twice', TimeToLiveSpecification: { AttributeName: 'e', Enabled: true } }));
      // The message for enabling twice is observed, not documented.
      await expect(db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl-twice', TimeToLiveSpecification: { AttributeName: 'e', Enabled: true } }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'TimeToLive is already enabled',
      });
      await expect(db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl-twice', TimeToLiveSpecification: { AttributeName: 'e', Enabled: false } }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(db.send(new DescribeTimeToLiveCommand({ TableName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(db.send(new UpdateTimeToLiveCommand({ TableName: 'missing', TimeToLiveSpecification: { AttributeName: 'e', Enabled: true } }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    });

    it('still returns expired items from reads and scans until the TTL process deletes them', async () => {
      const now = Math.floor(Date.now() / 1000);
      const items = {
        expired: { N: String(now - 60) },
        future: { N: String(now + 3600) },
        ancient: { N: String(now - 6 * 365 * 24 * 3600) },
        text: { S: String(now - 60) },
      };
      for (const [pk, expiration] of Object.entries(items)) await db.send(new PutItemCommand({ TableName: 'ttl', Item: { pk: { S: pk }, expiration } }));
      const read = await db.send(new GetItemCommand({ TableName: 'ttl', Key: { pk: { S: 'expired' } }, ConsistentRead: true }));
      expect(read.Item).toBeDefined();
      expect((await db.send(new ScanCommand({ TableName: 'ttl' }))).Count).toBe(4);

      expect(await aws.dynamodb.deleteExpiredItems()).toBe(1);
      expect((await db.send(new GetItemCommand({ TableName: 'ttl', Key: { pk: { S: 'expired' } }, ConsistentRead: true }))).Item).toBeUndefined();
      // Not a Number, or more than five years past: AWS's TTL process leaves these alone.
      const left = (await db.send(new ScanCommand({ TableName: 'ttl' }))).Items!.map((i) => i['pk']!.S).sort();
      expect(left).toEqual(['ancient', 'future', 'text']);
    });
  });

  describe('transactions', () => {
    const put = (pk: string, extra = {}) => ({ Put: { TableName: 'txn', Item: { pk: { S: pk }, ...extra } } });

    it('TransactWriteItems applies every action, and TransactGetItems reads them in order ({} for an absent item)', async () => {
      await db.send(new TransactWriteItemsCommand({ TransactItems: [put('t1', { n: { N: '1' } }), put('t2')] }));
      await db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: 'txn', Key: { pk: { S: 't1' } }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
            { Delete: { TableName: 'txn', Key: { pk: { S: 't2' } } } },
            { ConditionCheck: { TableName: 'txn', Key: { pk: { S: 'nobody' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      const got = await db.send(
        new TransactGetItemsCommand({
          TransactItems: [{ Get: { TableName: 'txn', Key: { pk: { S: 't1' } } } }, { Get: { TableName: 'txn', Key: { pk: { S: 't2' } } } }, { Get: { TableName: 'txn', Key: { pk: { S: 'nobody' } } } }],
        }),
      );
      expect(got.Responses).toEqual([{ Item: { pk: { S: 't1' }, n: { N: '2' } } }, {}, {}]);
    });

    it('cancels all actions when one condition fails, with a reason per action and the old item for ALL_OLD', async () => {
      await db.send(new PutItemCommand({ TableName: 'txn', Item: { pk: { S: 'locked' }, owner: { S: 'someone' } } }));
      const failure = (await db
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              put('never'),
              { ConditionCheck: { TableName: 'txn', Key: { pk: { S: 'locked' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            ],
          }),
        )
        .catch((error: unknown) => error)) as TransactionCanceledException;
      expect(failure).toBeInstanceOf(TransactionCanceledException);
      expect(failure.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
      expect(failure.CancellationReasons).toEqual([
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { pk: { S: 'locked' }, owner: { S: 'someone' } } },
      ]);
      expect((await db.send(new GetItemCommand({ TableName: 'txn', Key: { pk: { S: 'never' } }, ConsistentRead: true }))).Item).toBeUndefined();
    });

    it('refuses two actions on one item, more than 100 actions, and an unknown table', async () => {
      await expect(db.send(new TransactWriteItemsCommand({ TransactItems: [put('same'), { Delete: { TableName: 'txn', Key: { pk: { S: 'same' } } } }] }))).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Transaction request cannot include multiple operations on one item',
      });
      await expect(db.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 101 }, (_, i) => put(`p${i}`)) }))).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(db.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'missing', Item: { pk: { S: 'x' } } } }] }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      expect((await db.send(new GetItemCommand({ TableName: 'txn', Key: { pk: { S: 'same' } }, ConsistentRead: true }))).Item).toBeUndefined();
    });

    it('treats a repeated ClientRequestToken as the same request, and a changed one as a mismatch', async () => {
      const token = 'token-1';
      await db.send(new TransactWriteItemsCommand({ ClientRequestToken: token, TransactItems: [{ Update: { TableName: 'txn', Key: { pk: { S: 'counter' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }] }));
      await db.send(new TransactWriteItemsCommand({ ClientRequestToken: token, TransactItems: [{ Update: { TableName: 'txn', Key: { pk: { S: 'counter' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }] }));
      expect((await db.send(new GetItemCommand({ TableName: 'txn', Key: { pk: { S: 'counter' } }, ConsistentRead: true }))).Item!['n']).toEqual({ N: '1' });
      await expect(db.send(new TransactWriteItemsCommand({ ClientRequestToken: token, TransactItems: [put('other')] }))).rejects.toMatchObject({ name: 'IdempotentParameterMismatchException' });
    });

    it('isolates a transaction from concurrent single writes', async () => {
      await db.send(new PutItemCommand({ TableName: 'txn', Item: { pk: { S: 'x' }, n: { N: '0' } } }));
      await db.send(new PutItemCommand({ TableName: 'txn', Item: { pk: { S: 'y' }, n: { N: '0' } } }));
      const add = (pk: string) => ({ Update: { TableName: 'txn', Key: { pk: { S: pk } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } });
      await Promise.all([
        ...Array.from({ length: 10 }, () => db.send(new TransactWriteItemsCommand({ TransactItems: [add('x'), add('y')] }))),
        ...Array.from({ length: 10 }, () => db.send(new UpdateItemCommand({ ...add('x').Update }))),
      ]);
      const got = await db.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'txn', Key: { pk: { S: 'x' } } } }, { Get: { TableName: 'txn', Key: { pk: { S: 'y' } } } }] }));
      expect(got.Responses!.map((r) => r.Item!['n']!.N)).toEqual(['20', '10']);
    });
  });
});
