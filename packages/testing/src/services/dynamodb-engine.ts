import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** An attribute value map as DynamoDB's JSON protocol carries it. */
export type Item = Record<string, Record<string, unknown>>;

/** dynalite's answer to one call made from inside this package. */
export interface EngineReply {
  status: number;
  body: Record<string, unknown>;
}

/** The `__type` suffix of a dynalite error, e.g. `ConditionalCheckFailedException`; undefined on success. */
export function errorCode(reply: EngineReply): string | undefined {
  if (reply.status < 400) return undefined;
  const type = String(reply.body['__type'] ?? '');
  return type.slice(type.indexOf('#') + 1);
}

// dynalite checks that a signature is present, not that it is right: the caller's was checked already.
const INTERNAL_HEADERS = {
  authorization: 'AWS4-HMAC-SHA256 Credential=LOCAL/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20200101T000000Z',
  'content-type': 'application/x-amz-json-1.0',
};

/**
 * One lock over the table data: single requests share it, a transaction (and a write whose failed
 * condition must return the item it failed on) takes it alone, so no other request sees or makes
 * a change in between, as DynamoDB's isolation promises.
 */
export class TableLock {
  private shared = 0;
  private exclusive: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  /** Runs `work` beside other shared work, after any exclusive work. */
  async withShared<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.shared++;
    try {
      return await work();
    } finally {
      this.shared--;
      if (this.shared === 0) this.drained?.();
    }
  }

  /** Runs `work` alone: after shared work in flight drains, before shared work that arrives meanwhile. */
  async withExclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.shared > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await work();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}

/** Calls dynalite's request handler directly with a JSON body, for operations composed here. */
export function callEngine(handler: RequestListener, operation: string, input: Record<string, unknown>): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify(input));
    const req = Object.assign(Readable.from([body]), {
      headers: { ...INTERNAL_HEADERS, 'x-amz-target': `DynamoDB_20120810.${operation}` },
      method: 'POST',
      url: '/',
    }) as unknown as IncomingMessage;
    let status = 200;
    const res = {
      set statusCode(value: number) {
        status = value;
      },
      get statusCode() {
        return status;
      },
      setHeader() {
        // Headers (crc32, request id) matter on the wire only.
      },
      end(text?: string | Buffer) {
        try {
          resolve({ status, body: text && text.length > 0 ? (JSON.parse(String(text)) as Record<string, unknown>) : {} });
        } catch (error) {
          reject(error as Error);
        }
      },
    } as unknown as ServerResponse;
    handler(req, res);
  });
}

/** A table's key attribute names, hash first, from DescribeTable; undefined when the table does not exist. */
export async function keyNames(handler: RequestListener, table: string): Promise<string[] | undefined> {
  const described = await callEngine(handler, 'DescribeTable', { TableName: table });
  if (errorCode(described)) return undefined;
  const schema = (described.body['Table'] as { KeySchema: Array<{ AttributeName: string; KeyType: string }> }).KeySchema;
  return [...schema.filter((k) => k.KeyType === 'HASH'), ...schema.filter((k) => k.KeyType !== 'HASH')].map((k) => k.AttributeName);
}

/** The key part of an item. */
export function keyOf(item: Item, names: readonly string[]): Item {
  const key: Item = {};
  for (const name of names) if (item[name] !== undefined) key[name] = item[name];
  return key;
}
