import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { withDeadline } from '@fleece/retry';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import { client } from '../src/index.js';

describe('a round trip through the local DynamoDB (dynalite)', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ services: ['dynamodb'], dynamodb: { createTableMs: 0 } });
  });
  afterAll(() => aws.stop());

  it('creates a table, writes and reads an item through a fleece client, inside a deadline', async () => {
    const dynamo = client(DynamoDBClient, { ...aws.clientConfig('dynamodb'), timeout: 2000, retry: { retries: 2 } });
    await withDeadline(Date.now() + 10_000, async () => {
      await dynamo.send(
        new CreateTableCommand({
          TableName: 'things',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await dynamo.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'a' }, n: { N: '42' } } }));
      const output = await dynamo.send(new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' } } }));
      expect(output.Item).toEqual({ pk: { S: 'a' }, n: { N: '42' } });
      expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
    });
    expect(aws.requests('dynamodb').map((r) => r.operation)).toEqual(['CreateTable', 'PutItem', 'GetItem']);
    dynamo.destroy();
  });
});
