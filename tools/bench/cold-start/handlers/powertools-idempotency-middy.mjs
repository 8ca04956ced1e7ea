// Powertools idempotency as its docs show it with middy: makeHandlerIdempotent middleware.
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import middy from '@middy/core';

const persistenceStore = new DynamoDBPersistenceLayer({ tableName: process.env.BENCH_IDEMPOTENCY_TABLE_POWERTOOLS });
const config = new IdempotencyConfig({ eventKeyJmesPath: 'headers."idempotency-key"', throwOnNoIdempotencyKey: true });

export const handler = middy(async (event) => ({ statusCode: 201, body: event.body })).use(makeHandlerIdempotent({ persistenceStore, config }));
