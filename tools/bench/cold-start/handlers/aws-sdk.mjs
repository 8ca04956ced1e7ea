// The plain AWS SDK v3 DynamoDB client, one GetItem: what @fleece/aws wraps.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const dynamodb = new DynamoDBClient({});

export const handler = async (event) => {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: process.env.BENCH_TABLE, Key: { id: { S: event.id } } }));
  return { ok: true, found: Item !== undefined };
};
