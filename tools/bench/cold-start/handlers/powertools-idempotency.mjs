// Powertools idempotency without middy: makeIdempotent, the same key expression and table layout.
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.BENCH_IDEMPOTENCY_TABLE_POWERTOOLS });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'headers."idempotency-key"', throwOnNoIdempotencyKey: true });

export const handler = makeIdempotent(async (event) => ({ statusCode: 201, body: event.body }), { persistenceStore, config });
