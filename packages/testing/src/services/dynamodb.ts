import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { AwsServiceError, type ServiceDefinition, type ServiceReply } from '../http-service.js';
import { JSON_AUTH_ERRORS, jsonError, targetOperation } from '../protocols/json.js';
import { callEngine, errorCode, keyNames, keyOf, TableLock, type EngineReply, type Item } from './dynamodb-engine.js';
import { TtlRegistry } from './dynamodb-ttl.js';
import { EngineError, TransactionCanceled, Transactions } from './dynamodb-transactions.js';

/** DynamoDB options of `startLocalAws`. */
export interface DynamoDbOptions {
  /** How long a new table stays CREATING, ms. Default 0: usable at once, unlike AWS. */
  createTableMs?: number;
  /** How long a deleted table stays DELETING, ms. Default 0. */
  deleteTableMs?: number;
  /** How long an updated table stays UPDATING, ms. Default 0. */
  updateTableMs?: number;
}

/** What a test can ask of the local DynamoDB beyond its API: `aws.dynamodb`. */
export interface LocalDynamoDb {
  /**
   * Runs what AWS's TTL background process does, now (AWS: typically within two days of expiry):
   * deletes every item of a TTL-enabled table whose TTL attribute is a Number of epoch seconds at
   * or before `nowMs` (and not more than five years before it). Until then, expired items are
   * still read, queried and scanned, as in AWS. Resolves to the number of items deleted.
   */
  deleteExpiredItems(nowMs?: number): Promise<number>;
}

/** The operations dynalite 4 serves itself. */
export const DYNALITE_OPERATIONS: readonly string[] = [
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable',
  'GetItem', 'ListTables', 'ListTagsOfResource', 'PutItem', 'Query', 'Scan', 'TagResource',
  'UntagResource', 'UpdateItem', 'UpdateTable',
];

/** The operations this package composes over dynalite. */
export const COMPOSED_OPERATIONS: readonly string[] = ['DescribeTimeToLive', 'TransactGetItems', 'TransactWriteItems', 'UpdateTimeToLive'];

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** State of one local DynamoDB that outlives single requests: TTL settings, the lock, transactions. */
export class DynamoDbState implements LocalDynamoDb {
  readonly ttl = new TtlRegistry();
  readonly lock = new TableLock();
  handler: RequestListener | undefined;
  private transactions: Transactions | undefined;

  get engine(): RequestListener {
    if (!this.handler) throw new TypeError("@fleece/testing: service 'dynamodb' was not started");
    return this.handler;
  }

  get transact(): Transactions {
    return (this.transactions ??= new Transactions(this.engine));
  }

  deleteExpiredItems(nowMs?: number): Promise<number> {
    return this.lock.withExclusive(() => this.ttl.deleteExpired(this.engine, nowMs));
  }
}

function json(reply: EngineReply | { status: number; body: Record<string, unknown> }): ServiceReply {
  return { status: reply.status, headers: { 'Content-Type': CONTENT_TYPE }, body: JSON.stringify(reply.body) };
}

/**
 * A write with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`: dynalite drops the item, so the
 * failed write and the read of the item it failed on run alone, as one step.
 */
async function writeReturningOld(state: DynamoDbState, operation: string, input: Record<string, unknown>): Promise<ServiceReply> {
  const reply = await callEngine(state.engine, operation, input);
  if (errorCode(reply) !== 'ConditionalCheckFailedException') return json(reply);
  const names = await keyNames(state.engine, String(input['TableName']));
  const key = operation === 'PutItem' ? keyOf(input['Item'] as Item, names ?? []) : input['Key'];
  const old = await callEngine(state.engine, 'GetItem', { TableName: input['TableName'], Key: key, ConsistentRead: true });
  return json({ status: reply.status, body: { ...reply.body, ...(old.body['Item'] ? { Item: old.body['Item'] } : {}) } });
}

async function composed(state: DynamoDbState, operation: string, input: Record<string, unknown>): Promise<ServiceReply> {
  try {
    switch (operation) {
      case 'UpdateTimeToLive':
        return json({ status: 200, body: await state.lock.withShared(() => state.ttl.update(state.engine, input)) });
      case 'DescribeTimeToLive':
        return json({ status: 200, body: await state.lock.withShared(() => state.ttl.describe(state.engine, input)) });
      case 'TransactWriteItems':
        return json({ status: 200, body: await state.lock.withExclusive(() => state.transact.write(input)) });
      case 'TransactGetItems':
        return json({ status: 200, body: await state.lock.withExclusive(() => state.transact.get(input)) });
      default:
        return await state.lock.withExclusive(() => writeReturningOld(state, operation, input));
    }
  } catch (error) {
    if (error instanceof EngineError) return json(error.reply);
    if (error instanceof TransactionCanceled) {
      return json({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', message: error.message, CancellationReasons: error.reasons } });
    }
    throw error;
  }
}

/** DynamoDB: dynalite in memory behind the shared signature check, with TTL and transactions composed over it. */
export async function dynamodbService(options: DynamoDbOptions = {}, state = new DynamoDbState()): Promise<ServiceDefinition> {
  const mod = (await import('dynalite')) as unknown as { default?: typeof import('dynalite') } & typeof import('dynalite');
  const dynalite = mod.default ?? mod;
  return {
    name: 'dynamodb',
    operations: [...DYNALITE_OPERATIONS, ...COMPOSED_OPERATIONS].sort(),
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
      state.handler = server.listeners('request')[0] as RequestListener;
      server.removeAllListeners('request');
      server.on('request', listener);
      return server;
    },
    async handle(request, res: ServerResponse) {
      const operation = targetOperation(request);
      let input: Record<string, unknown> | undefined;
      try {
        input = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        // dynalite answers SerializationException itself.
      }
      if (input && typeof input === 'object') {
        if (COMPOSED_OPERATIONS.includes(operation)) return composed(state, operation, input);
        if (WRITES.has(operation) && input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD') return composed(state, operation, input);
        if (operation === 'DeleteTable' && typeof input['TableName'] === 'string') state.ttl.forget(input['TableName']);
      }
      if (!DYNALITE_OPERATIONS.includes(operation)) {
        throw new AwsServiceError('UnknownOperationException', `@fleece/testing: DynamoDB operation ${operation} is not implemented (dynalite 4)`);
      }
      // The body was read to check its signature; dynalite reads it again from this stand-in.
      const replay = Object.assign(Readable.from(request.body.length > 0 ? [request.body] : []), {
        headers: request.headers,
        method: request.method,
        url: request.raw.url,
      }) as unknown as IncomingMessage;
      await state.lock.withShared(
        () =>
          new Promise<void>((resolve) => {
            res.once('finish', resolve);
            res.once('close', resolve);
            state.engine(replay, res);
          }),
      );
      return undefined;
    },
    renderError: (error) => jsonError(error, CONTENT_TYPE),
  };
}
