import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { connect, isConditionFailure, type Connection, type DynamoDBClientOptions } from './dynamodb-client.js';
import { IdempotencyResultTooLargeError } from './errors.js';
import { DYNAMODB_ITEM_LIMIT_BYTES, itemSize, type SizedValue } from './item-size.js';
import type {
  ClaimOutcome,
  ClaimRequest,
  CompleteRequest,
  IdempotencyPersistence,
  IdempotencyRecord,
  IdempotencyStatus,
} from './persistence.js';
import { checkName, invalid } from './validate.js';

/** The attribute names of the idempotency table. The defaults are Powertools' (a table can be shared). */
export interface DynamoDBAttributeNames {
  /** The partition key (string). Default `'id'`. */
  keyAttr?: string;
  /** The record's expiry in epoch **seconds**: make it the table's TTL attribute. Default `'expiration'`. */
  expiryAttr?: string;
  /** When an in-progress claim lapses, epoch ms. Default `'in_progress_expiration'`. */
  inProgressExpiryAttr?: string;
  /** `'INPROGRESS'` or `'COMPLETED'`. Default `'status'`. */
  statusAttr?: string;
  /** The result as JSON text. Default `'data'`. */
  dataAttr?: string;
  /** The payload hash. Default `'validation'`. */
  validationAttr?: string;
  /** The random token of the claim that holds the key. Default `'claim'`. */
  tokenAttr?: string;
}

/** Options of {@link DynamoDBPersistence}. */
export interface DynamoDBPersistenceOptions extends DynamoDBAttributeNames {
  /** The table (see the README for its schema, or create it with `createIdempotencyTable`). Required. */
  tableName: string;
  /** Your own client. Default: `client(DynamoDBClient, clientConfig)` from @fleece/aws, made at first use. */
  client?: DynamoDBClient;
  /** Configuration of the default client (ignored with `client`). */
  clientConfig?: DynamoDBClientOptions;
}

/** The attribute names with their defaults applied. */
export type ResolvedAttributeNames = Required<DynamoDBAttributeNames>;

/** The default attribute names. */
export const DEFAULT_ATTRIBUTE_NAMES: Readonly<ResolvedAttributeNames> = Object.freeze({
  keyAttr: 'id',
  expiryAttr: 'expiration',
  inProgressExpiryAttr: 'in_progress_expiration',
  statusAttr: 'status',
  dataAttr: 'data',
  validationAttr: 'validation',
  tokenAttr: 'claim',
});

type Item = Record<string, AttributeValue>;

/**
 * Idempotency records in a DynamoDB table, with the low-level API:
 * - claim: one conditional PutItem, when the key is absent, expired, or in progress past its
 *   in-progress expiry (the expiry is compared in the condition: TTL deletion lags by up to days);
 * - complete: one UpdateItem, conditional on still holding the claim;
 * - release: one DeleteItem, conditional on still holding the claim;
 * - a lost claim costs one GetItem, unless DynamoDB returned the old item with the failure.
 *
 * The SDK is loaded at the first request, not at import.
 *
 * @throws TypeError naming the option when an option is invalid.
 */
export class DynamoDBPersistence implements IdempotencyPersistence {
  /** The table name. */
  readonly tableName: string;
  /** The attribute names in use. */
  readonly attributes: Readonly<ResolvedAttributeNames>;
  readonly #options: DynamoDBPersistenceOptions;
  #connection: Promise<Connection> | undefined;

  constructor(options: DynamoDBPersistenceOptions) {
    if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
    if (typeof options.tableName !== 'string' || !/^[a-zA-Z0-9_.-]{3,255}$/.test(options.tableName)) {
      invalid('tableName', 'a DynamoDB table name (3-255 of a-z, A-Z, 0-9, _ . -)', options.tableName);
    }
    if (options.client !== undefined && typeof (options.client as { send?: unknown })?.send !== 'function') {
      invalid('client', 'a DynamoDBClient', options.client);
    }
    if (options.clientConfig !== undefined && (options.clientConfig === null || typeof options.clientConfig !== 'object')) {
      invalid('clientConfig', 'an object', options.clientConfig);
    }
    this.tableName = options.tableName;
    this.attributes = resolveAttributeNames(options);
    this.#options = options;
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const { client, sdk } = await this.#connect();
    const a = this.attributes;
    const item: Item = {
      [a.keyAttr]: { S: request.key },
      [a.statusAttr]: { S: 'INPROGRESS' },
      [a.expiryAttr]: { N: String(Math.ceil(request.expiresAt / 1000)) },
      [a.inProgressExpiryAttr]: { N: String(request.inProgressExpiresAt) },
      [a.tokenAttr]: { S: request.token },
    };
    if (request.payloadHash !== undefined) item[a.validationAttr] = { S: request.payloadHash };
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression:
            'attribute_not_exists(#key) OR #expiry < :nowSeconds OR (#status = :inProgress AND #inProgressExpiry < :now)',
          ExpressionAttributeNames: {
            '#key': a.keyAttr,
            '#expiry': a.expiryAttr,
            '#status': a.statusAttr,
            '#inProgressExpiry': a.inProgressExpiryAttr,
          },
          ExpressionAttributeValues: {
            ':nowSeconds': { N: String(request.now / 1000) },
            ':now': { N: String(request.now) },
            ':inProgress': { S: 'INPROGRESS' },
          },
          // DynamoDB returns the record that won, saving the GetItem; dynalite does not (the runner reads then).
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = (error as { Item?: Item }).Item;
      return old && Object.keys(old).length > 0 ? { claimed: false, existing: this.#record(old) } : { claimed: false };
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const { client, sdk } = await this.#connect();
    const output = await client.send(
      new sdk.GetItemCommand({
        TableName: this.tableName,
        Key: { [this.attributes.keyAttr]: { S: key } },
        ConsistentRead: true,
      }),
    );
    return output.Item ? this.#record(output.Item) : undefined;
  }

  async complete(request: CompleteRequest): Promise<boolean> {
    const a = this.attributes;
    // The item as it will stand after the update, checked before anything is sent.
    const after: Record<string, SizedValue> = {
      [a.keyAttr]: { S: request.key },
      [a.statusAttr]: { S: 'COMPLETED' },
      [a.expiryAttr]: { N: '0' },
    };
    if (request.result !== undefined) after[a.dataAttr] = { S: request.result };
    if (request.payloadHash !== undefined) after[a.validationAttr] = { S: request.payloadHash };
    const size = itemSize(after);
    if (size > DYNAMODB_ITEM_LIMIT_BYTES) throw new IdempotencyResultTooLargeError(request.key, size, DYNAMODB_ITEM_LIMIT_BYTES);

    const { client, sdk } = await this.#connect();
    const names: Record<string, string> = {
      '#status': a.statusAttr,
      '#expiry': a.expiryAttr,
      '#token': a.tokenAttr,
      '#inProgressExpiry': a.inProgressExpiryAttr,
      '#data': a.dataAttr,
    };
    const values: Item = {
      ':completed': { S: 'COMPLETED' },
      ':expiry': { N: String(Math.ceil(request.expiresAt / 1000)) },
      ':token': { S: request.token },
    };
    const set = ['#status = :completed', '#expiry = :expiry'];
    // The token goes with the claim: a late release by this call then finds nothing to delete.
    const remove = ['#token', '#inProgressExpiry'];
    if (request.result === undefined) {
      remove.push('#data');
    } else {
      set.push('#data = :data');
      values[':data'] = { S: request.result };
    }
    if (request.payloadHash !== undefined) {
      set.push('#validation = :validation');
      names['#validation'] = a.validationAttr;
      values[':validation'] = { S: request.payloadHash };
    }
    try {
      await client.send(
        new sdk.UpdateItemCommand({
          TableName: this.tableName,
          Key: { [a.keyAttr]: { S: request.key } },
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(key: string, token: string): Promise<void> {
    const { client, sdk } = await this.#connect();
    try {
      await client.send(
        new sdk.DeleteItemCommand({
          TableName: this.tableName,
          Key: { [this.attributes.keyAttr]: { S: key } },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': this.attributes.tokenAttr },
          ExpressionAttributeValues: { ':token': { S: token } },
        }),
      );
    } catch (error) {
      // Another call took the key over after this claim lapsed: its record is not ours to delete.
      if (!isConditionFailure(error)) throw error;
    }
  }

  #connect(): Promise<Connection> {
    this.#connection ??= connect(this.#options).catch((error: unknown) => {
      // A failed load (a missing peer dependency) is not cached: the next call tries again.
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  #record(item: Item): IdempotencyRecord {
    const a = this.attributes;
    const key = item[a.keyAttr]?.S;
    const status = item[a.statusAttr]?.S;
    const expiry = Number(item[a.expiryAttr]?.N);
    if (key === undefined || (status !== 'INPROGRESS' && status !== 'COMPLETED') || !Number.isFinite(expiry)) {
      throw new TypeError(
        `@fleece/idempotency: the item in table ${this.tableName} is not an idempotency record (attributes ${Object.keys(item).join(', ')})`,
      );
    }
    const record: IdempotencyRecord = { key, status: status as IdempotencyStatus, expiresAt: expiry * 1000 };
    const inProgressExpiry = item[a.inProgressExpiryAttr]?.N;
    if (inProgressExpiry !== undefined) record.inProgressExpiresAt = Number(inProgressExpiry);
    const payloadHash = item[a.validationAttr]?.S;
    if (payloadHash !== undefined) record.payloadHash = payloadHash;
    const result = item[a.dataAttr]?.S;
    if (result !== undefined) record.result = result;
    return record;
  }
}

/** Applies the default attribute names and checks that they are distinct, non-empty strings. */
export function resolveAttributeNames(options: DynamoDBAttributeNames): ResolvedAttributeNames {
  const resolved = { ...DEFAULT_ATTRIBUTE_NAMES };
  for (const name of Object.keys(DEFAULT_ATTRIBUTE_NAMES) as (keyof DynamoDBAttributeNames)[]) {
    checkName(name, options[name]);
    if (options[name] !== undefined) resolved[name] = options[name] as string;
  }
  const seen = new Map<string, string>();
  for (const [option, attribute] of Object.entries(resolved)) {
    const other = seen.get(attribute);
    if (other) invalid(option, `an attribute name other than ${other}'s`, attribute);
    seen.set(attribute, option);
  }
  return resolved;
}
