import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ExecuteStatementCommand,
} from '@aws-sdk/client-dynamodb';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local DynamoDB (dynalite)', () => {
  let aws: LocalAws;
  let client: DynamoDBClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['dynamodb'] });
    client = new DynamoDBClient(aws.clientConfig('dynamodb'));
    await client.send(
      new CreateTableCommand({
        TableName: 'items',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });

  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  it('listens on loopback and serves the real wire protocol', async () => {
    expect(aws.endpoint('dynamodb')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await client.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
    const got = await client.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }));
    expect(got.Item).toEqual({ pk: { S: 'a' }, n: { N: '1' } });
  });

  it('enforces conditional writes', async () => {
    const put = () =>
      client.send(
        new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'once' } }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('names an operation dynalite does not implement', async () => {
    await expect(
      client.send(new ExecuteStatementCommand({ Statement: "SELECT * FROM items WHERE pk = 't'" })),
    ).rejects.toMatchObject({ name: 'UnknownOperationException', message: expect.stringContaining('ExecuteStatement') });
  });

  it('refuses unsigned requests and wrong secrets', async () => {
    const unsigned = await fetch(aws.endpoint('dynamodb'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });

    const wrong = new DynamoDBClient({
      ...aws.clientConfig('dynamodb'),
      credentials: { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    await expect(wrong.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const stranger = new DynamoDBClient({
      ...aws.clientConfig('dynamodb'),
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    wrong.destroy();
    stranger.destroy();
  });

  it('counts requests per operation', async () => {
    aws.resetRequests();
    await client.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }));
    await client.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'b' } } }));
    expect(aws.requests('dynamodb').map((r) => [r.operation, r.status])).toEqual([
      ['GetItem', 200],
      ['GetItem', 200],
    ]);
    expect(aws.requests('kms')).toEqual([]);
  });
});
