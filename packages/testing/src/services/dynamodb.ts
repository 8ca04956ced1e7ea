import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { JSON_AUTH_ERRORS, jsonError, targetOperation } from '../protocols/json.js';

/** DynamoDB options of `startLocalAws`. */
export interface DynamoDbOptions {
  /** How long a new table stays CREATING, ms. Default 0: usable at once, unlike AWS. */
  createTableMs?: number;
  /** How long a deleted table stays DELETING, ms. Default 0. */
  deleteTableMs?: number;
  /** How long an updated table stays UPDATING, ms. Default 0. */
  updateTableMs?: number;
}

// What dynalite 4 implements; everything else (transactions, PartiQL, TTL updates) is refused by name.
const DYNALITE_OPERATIONS = new Set([
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable',
  'DescribeTimeToLive', 'GetItem', 'ListTables', 'PutItem', 'Query', 'Scan', 'TagResource',
  'UntagResource', 'ListTagsOfResource', 'UpdateItem', 'UpdateTable',
]);

const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** DynamoDB: dynalite in memory, behind the shared signature check. */
export async function dynamodbService(options: DynamoDbOptions = {}): Promise<ServiceDefinition> {
  const mod = (await import('dynalite')) as unknown as { default?: typeof import('dynalite') } & typeof import('dynalite');
  const dynalite = mod.default ?? mod;
  let dynaliteHandler: RequestListener | undefined;
  return {
    name: 'dynamodb',
    signingName: 'dynamodb',
    escapePath: true,
    allowQueryAuth: false,
    bufferBody: true,
    maxBodyBytes: 16 * 1024 * 1024,
    authErrors: JSON_AUTH_ERRORS,
    operationOf: targetOperation,
    createServer(listener) {
      const server = dynalite({
        createTableMs: options.createTableMs ?? 0,
        deleteTableMs: options.deleteTableMs ?? 0,
        updateTableMs: options.updateTableMs ?? 0,
      });
      // Keep dynalite's server (its close() also closes the database) but put the signature check first.
      dynaliteHandler = server.listeners('request')[0] as RequestListener;
      server.removeAllListeners('request');
      server.on('request', listener);
      return server;
    },
    async handle(request, res: ServerResponse) {
      const operation = targetOperation(request);
      if (!DYNALITE_OPERATIONS.has(operation)) {
        throw new AwsServiceError('UnknownOperationException', `@fleece/testing: DynamoDB operation ${operation} is not implemented (dynalite 4)`);
      }
      // The body was read to check its signature; dynalite reads it again from this stand-in.
      const replay = Object.assign(Readable.from(request.body.length > 0 ? [request.body] : []), {
        headers: request.headers,
        method: request.method,
        url: request.raw.url,
      }) as unknown as IncomingMessage;
      (dynaliteHandler as RequestListener)(replay, res);
      return undefined;
    },
    renderError: (error) => jsonError(error, CONTENT_TYPE),
  };
}
