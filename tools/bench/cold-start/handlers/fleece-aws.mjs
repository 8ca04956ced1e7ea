// @fleece/aws: a DynamoDB client with fleece timeouts and kernel retries, one GetItem.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { client } from '@fleece/aws';

const dynamodb = client(DynamoDBClient);

export const handler = async (event) => {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: process.env.BENCH_TABLE, Key: { id: { S: event.id } } }));
  return { ok: true, found: Item !== undefined };
};
