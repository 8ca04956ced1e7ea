import { createHash } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { AwsServiceError } from '../http-service.js';
import { callEngine, errorCode, keyNames, keyOf, type EngineReply, type Item } from './dynamodb-engine.js';

/** DynamoDB's limit of actions in one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
// AWS: a ClientRequestToken is valid for 10 minutes after the first request that uses it.
const TOKEN_MS = 10 * 60 * 1000;

/** A dynalite error answer relayed to the caller as the whole request's error. */
export class EngineError extends Error {
  constructor(readonly reply: EngineReply) {
    super(String(reply.body['message'] ?? reply.body['__type']));
  }
}

type Action = { kind: 'ConditionCheck' | 'Put' | 'Update' | 'Delete' | 'Get'; input: Record<string, unknown> };
type Reason = { Code: string; Message?: string; Item?: Item };

const EXPRESSION_MEMBERS = ['ConditionExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues'] as const;

function pick(input: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (input[name] !== undefined) out[name] = input[name];
  return out;
}

function checkCount(items: unknown): unknown[] {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_TRANSACTION_ITEMS) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS} and greater than or equal to 1`,
    );
  }
  return items;
}

function actionOf(entry: unknown, kinds: readonly Action['kind'][]): Action {
  const present = kinds.filter((kind) => entry && typeof entry === 'object' && (entry as Record<string, unknown>)[kind]);
  if (present.length !== 1) throw new AwsServiceError('ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete');
  const kind = present[0]!;
  return { kind, input: (entry as Record<string, Record<string, unknown>>)[kind]! };
}

/** TransactWriteItems and TransactGetItems over dynalite, run under the exclusive table lock. */
export class Transactions {
  private readonly tokens = new Map<string, { digest: string; at: number }>();

  constructor(
    private readonly handler: RequestListener,
    private readonly now: () => number = Date.now,
  ) {}

  private async target(table: unknown, item: Item | undefined, key: unknown): Promise<{ table: string; key: Item; id: string }> {
    const names = typeof table === 'string' ? await keyNames(this.handler, table) : undefined;
    if (!names) throw new AwsServiceError('ResourceNotFoundException', 'Requested resource not found');
    const itemKey = item ? keyOf(item, names) : (key as Item);
    if (!itemKey || typeof itemKey !== 'object') throw new AwsServiceError('ValidationException', 'The provided key element does not match the schema');
    return { table: table as string, key: itemKey, id: JSON.stringify([table, names.map((n) => itemKey[n] ?? null)]) };
  }

  /** TransactWriteItems: all actions or none; a failed condition cancels with a reason per action. */
  async write(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = checkCount(input['TransactItems']);
    const token = input['ClientRequestToken'];
    const digest = createHash('sha256').update(JSON.stringify(entries)).digest('hex');
    if (typeof token === 'string') {
      const seen = this.tokens.get(token);
      if (seen && this.now() - seen.at < TOKEN_MS) {
        if (seen.digest !== digest) throw new AwsServiceError('IdempotentParameterMismatchException', 'Request parameters do not match the previous request with this ClientRequestToken');
        return {};
      }
    }
    const actions = entries.map((entry) => actionOf(entry, ['ConditionCheck', 'Put', 'Update', 'Delete']));
    const targets = await Promise.all(actions.map((a) => this.target(a.input['TableName'], a.kind === 'Put' ? (a.input['Item'] as Item) : undefined, a.input['Key'])));
    if (new Set(targets.map((t) => t.id)).size !== targets.length) {
      throw new AwsServiceError('ValidationException', 'Transaction request cannot include multiple operations on one item');
    }
    const undo: Array<() => Promise<unknown>> = [];
    const reasons: Reason[] = [];
    try {
      for (const [index, action] of actions.entries()) {
        const { table, key } = targets[index]!;
        const before = (await callEngine(this.handler, 'GetItem', { TableName: table, Key: key, ConsistentRead: true })).body['Item'] as Item | undefined;
        const restore = () => callEngine(this.handler, before ? 'PutItem' : 'DeleteItem', before ? { TableName: table, Item: before } : { TableName: table, Key: key });
        const reply = await callEngine(this.handler, ...this.request(action, table, key));
        const code = errorCode(reply);
        if (code === 'ConditionalCheckFailedException') {
          const item = action.input['ReturnValuesOnConditionCheckFailure'] === 'ALL_OLD' && before ? { Item: before } : {};
          reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...item });
          continue;
        }
        if (code) throw new EngineError(reply);
        undo.push(restore);
        // A condition check must change nothing: its stand-in write is undone at once.
        if (action.kind === 'ConditionCheck') await undo.pop()!();
        reasons.push({ Code: 'None' });
      }
    } catch (error) {
      await this.rollBack(undo);
      throw error;
    }
    if (reasons.some((r) => r.Code !== 'None')) {
      await this.rollBack(undo);
      throw new TransactionCanceled(reasons);
    }
    if (typeof token === 'string') this.tokens.set(token, { digest, at: this.now() });
    return {};
  }

  private request(action: Action, table: string, key: Item): [string, Record<string, unknown>] {
    const common = { TableName: table, ...pick(action.input, EXPRESSION_MEMBERS) };
    switch (action.kind) {
      case 'Put':
        return ['PutItem', { ...common, Item: action.input['Item'] }];
      case 'Update':
        return ['UpdateItem', { ...common, Key: key, UpdateExpression: action.input['UpdateExpression'] }];
      case 'Delete':
        return ['DeleteItem', { ...common, Key: key }];
      default:
        if (typeof action.input['ConditionExpression'] !== 'string') throw new AwsServiceError('ValidationException', 'ConditionCheck requires a ConditionExpression');
        return ['UpdateItem', { ...common, Key: key }];
    }
  }

  private async rollBack(undo: Array<() => Promise<unknown>>): Promise<void> {
    for (const step of undo.reverse()) await step();
  }

  /** TransactGetItems: every item read at one point in time; an absent item is `{}`. */
  async get(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const actions = checkCount(input['TransactItems']).map((entry) => actionOf(entry, ['Get']));
    const targets = await Promise.all(actions.map((a) => this.target(a.input['TableName'], undefined, a.input['Key'])));
    const responses = [];
    for (const [index, action] of actions.entries()) {
      const reply = await callEngine(this.handler, 'GetItem', {
        TableName: targets[index]!.table,
        Key: targets[index]!.key,
        ConsistentRead: true,
        ...pick(action.input, ['ProjectionExpression', 'ExpressionAttributeNames']),
      });
      if (errorCode(reply)) throw new EngineError(reply);
      responses.push(reply.body['Item'] ? { Item: reply.body['Item'] } : {});
    }
    return { Responses: responses };
  }
}

/** DynamoDB's TransactionCanceledException, with one reason per action in request order. */
export class TransactionCanceled extends Error {
  constructor(readonly reasons: Reason[]) {
    super(`Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`);
  }
}
