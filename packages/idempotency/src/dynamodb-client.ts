import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { ClientOptions } from '@fleece/aws';

/** The default client's configuration: DynamoDB's own plus @fleece/aws's timeouts and retry (ms). */
export type DynamoDBClientOptions = ClientOptions & DynamoDBClientConfig;

/** The SDK module, loaded at first use so that importing this package costs no SDK load. */
export type Sdk = typeof import('@aws-sdk/client-dynamodb');

/** A client and the SDK module its commands come from. */
export interface Connection {
  client: DynamoDBClient;
  sdk: Sdk;
}

/** Loads the SDK and makes the default client with @fleece/aws, unless one was given. */
export async function connect(options: { client?: DynamoDBClient; clientConfig?: DynamoDBClientOptions }): Promise<Connection> {
  const sdk: Sdk = await import('@aws-sdk/client-dynamodb');
  if (options.client) return { client: options.client, sdk };
  const aws = await import('@fleece/aws');
  return { client: aws.client(sdk.DynamoDBClient, { ...options.clientConfig }), sdk };
}

/** Whether `error` is DynamoDB's answer to a failed condition. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}
