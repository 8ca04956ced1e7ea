// The README's example, run against the local DynamoDB and a stalling server.
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { lambdaDeadline, withDeadline } from '@fleece/retry';
import { lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import { AwsDeadlineError, client, setDefaultTimeout } from '../src/index.js';
import { stall, startDynamoServer } from './servers.js';

function makeHandler(dynamo: DynamoDBClient) {
  return async function handler(event: { id: string }, context: { getRemainingTimeInMillis(): number }) {
    return withDeadline(lambdaDeadline(context, 500), async () => {
      try {
        const { Item } = await dynamo.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: event.id } } }));
        return { statusCode: Item ? 200 : 404 };
      } catch (error) {
        if (error instanceof AwsDeadlineError) return { statusCode: 503 };
        throw error;
      }
    });
  };
}

describe('the README example', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ services: ['dynamodb'] });
    const setup = new DynamoDBClient(aws.clientConfig('dynamodb'));
    await setup.send(
      new CreateTableCommand({
        TableName: 'things',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await setup.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'known' } } }));
    setup.destroy();
  });
  afterAll(async () => {
    setDefaultTimeout(undefined);
    await aws.stop();
  });

  it('answers 200 and 404 from the table', async () => {
    setDefaultTimeout({ connect: 1000, read: 5000 });
    const dynamo = client(DynamoDBClient, { ...aws.clientConfig('dynamodb'), readTimeout: 2000, retry: { retries: 4 } });
    const handler = makeHandler(dynamo);
    await expect(handler({ id: 'known' }, lambdaContext({ timeoutMs: 3000 }))).resolves.toEqual({ statusCode: 200 });
    await expect(handler({ id: 'other' }, lambdaContext({ timeoutMs: 3000 }))).resolves.toEqual({ statusCode: 404 });
    dynamo.destroy();
  });

  it('answers 503 before Lambda would time out when DynamoDB stalls', async () => {
    const stalling = await startDynamoServer([stall]);
    try {
      const dynamo = client(DynamoDBClient, { ...aws.clientConfig('dynamodb'), endpoint: stalling.endpoint, readTimeout: 2000 });
      const handler = makeHandler(dynamo);
      const started = Date.now();
      // 800 ms of Lambda time, 500 kept back: the call gets 300 ms, less than its read timeout.
      await expect(handler({ id: 'known' }, lambdaContext({ timeoutMs: 800 }))).resolves.toEqual({ statusCode: 503 });
      expect(Date.now() - started).toBeLessThan(800);
      dynamo.destroy();
    } finally {
      await stalling.close();
    }
  });
});
