import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { retry, RetryPolicy, type RetryPolicyOptions } from '@fleece/retry';
import { connect, type DynamoDBClientOptions } from './dynamodb-client.js';
import { resolveAttributeNames, type DynamoDBAttributeNames } from './dynamodb-persistence.js';
import { invalid } from './validate.js';

/** Options of {@link createIdempotencyTable}. */
export interface CreateIdempotencyTableOptions extends Pick<DynamoDBAttributeNames, 'keyAttr' | 'expiryAttr'> {
  /** The table to create. Required. */
  tableName: string;
  /** Your own client. Default: `client(DynamoDBClient, clientConfig)` from @fleece/aws. */
  client?: DynamoDBClient;
  /** Configuration of the default client (ignored with `client`). */
  clientConfig?: DynamoDBClientOptions;
  /** How DescribeTable is polled until the table is ACTIVE. Default `{ base: 100, cap: 2000, retries: 60 }`. */
  waitPolicy?: RetryPolicy | RetryPolicyOptions;
}

/** What {@link createIdempotencyTable} did. */
export interface CreateIdempotencyTableResult {
  /** `false` when the table was there already (it is left as it is, apart from TTL). */
  created: boolean;
  /**
   * `'enabled'` when TTL deletes expired records on the expiry attribute; `'unsupported'` on a
   * local emulator without TTL (dynalite), where expired records stay but are still ignored.
   */
  timeToLive: 'enabled' | 'unsupported';
}

class TableNotActive extends Error {
  override readonly name = 'TableNotActive';
}

/**
 * Creates the idempotency table (on-demand, partition key `id` as a string), waits until it is
 * ACTIVE and turns TTL on for the expiry attribute. Safe to call again: an existing table counts.
 * Meant for scripts, tests and local runs; in production declare the table in your IaC.
 *
 * @throws TypeError naming the option when an option is invalid; the SDK's error when AWS refuses.
 */
export async function createIdempotencyTable(options: CreateIdempotencyTableOptions): Promise<CreateIdempotencyTableResult> {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  if (typeof options.tableName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(options.tableName)) {
    invalid('tableName', 'a DynamoDB table name (3-255 of a-z, A-Z, 0-9, _ . -)', options.tableName);
  }
  const { keyAttr, expiryAttr } = resolveAttributeNames(options);
  const waitPolicy = new RetryPolicy({ base: 100, cap: 2000, retries: 60, ...policyOptions(options.waitPolicy) });
  const { client, sdk } = await connect(options);
  const TableName = options.tableName;

  let created = true;
  try {
    await client.send(
      new sdk.CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: keyAttr, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: keyAttr, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    created = false;
  }

  await retry(
    async () => {
      const { Table } = await client.send(new sdk.DescribeTableCommand({ TableName }));
      if (Table?.TableStatus !== 'ACTIVE') throw new TableNotActive(`table ${TableName} is ${Table?.TableStatus}`);
    },
    waitPolicy.with({ retryOn: (error) => error instanceof TableNotActive }),
  );

  const { TimeToLiveDescription: ttl } = await client.send(new sdk.DescribeTimeToLiveCommand({ TableName }));
  if (ttl?.AttributeName === expiryAttr && (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING')) {
    return { created, timeToLive: 'enabled' };
  }
  try {
    await client.send(
      new sdk.UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: expiryAttr },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'UnknownOperationException') return { created, timeToLive: 'unsupported' };
    throw error;
  }
  return { created, timeToLive: 'enabled' };
}

function policyOptions(policy: RetryPolicy | RetryPolicyOptions | undefined): RetryPolicyOptions {
  return policy instanceof RetryPolicy ? policy.options : (policy ?? {});
}
