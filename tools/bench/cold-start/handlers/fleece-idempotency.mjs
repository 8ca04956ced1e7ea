// @fleece/idempotency: an API handler made idempotent on a header, DynamoDB persistence.
import { DynamoDBPersistence, idempotent } from '@fleece/idempotency';

const persistence = new DynamoDBPersistence({ tableName: process.env.BENCH_IDEMPOTENCY_TABLE_FLEECE });

export const handler = idempotent(async (event) => ({ statusCode: 201, body: event.body }), {
  persistence,
  key: 'headers."idempotency-key"',
  throwOnNoKey: true,
});
