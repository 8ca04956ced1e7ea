import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import {
  functionUrlEvent,
  installStreamingGlobal,
  invokeStreaming,
  lambdaContext,
  readStreamedResponse,
  startLocalAws,
  startStreamingFunctionUrl,
  type LocalAws,
  type StreamingHandler,
} from '@fleece/testing';
import { streamingResponse, StreamingError, type StreamingResponseOptions } from '../src/index.js';

const BUCKET = 'streaming-test';
let restore: () => void;
let aws: LocalAws;
let s3: S3Client;
const errors: unknown[][] = [];
const logger = { error: (...args: unknown[]) => errors.push(args) };

beforeAll(async () => {
  restore = installStreamingGlobal();
  aws = await startLocalAws({ services: ['s3'] });
  s3 = new S3Client(aws.clientConfig('s3'));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(async () => {
  s3.destroy();
  await aws.stop();
  restore();
}, 60_000);
beforeEach(() => (errors.length = 0));

const text = async (body: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Wraps `app` and reads what a client of the streaming front door would receive. */
function call(app: (event: unknown) => Promise<unknown>, options: StreamingResponseOptions = {}, timeoutMs = 10_000) {
  const handler = streamingResponse(app, { logger, ...options }) as unknown as StreamingHandler;
  const invocation = invokeStreaming(handler, functionUrlEvent({ path: '/x' }), { context: lambdaContext({ timeoutMs }) });
  return { invocation, response: readStreamedResponse(invocation) };
}

describe('streamingResponse', () => {
  it('sends status, headers and cookies as the prelude, then a string body', async () => {
    const { response, invocation } = call(async () => ({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Count': 3 }, cookies: ['a=1; HttpOnly'], body: 'created' }));
    const got = await response;
    expect(got.statusCode).toBe(201);
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers['x-count']).toBe('3');
    expect(got.cookies).toEqual(['a=1; HttpOnly']);
    expect(await text(got.body)).toBe('created');
    expect(await invocation.done).toEqual({});
  });

  it('sends REST multiValueHeaders, base64 bodies as their bytes, and bare values as JSON', async () => {
    const rest = await (await call(async () => ({ statusCode: 200, multiValueHeaders: { Vary: ['Origin', 'Accept'] }, body: Buffer.from('bytes!').toString('base64'), isBase64Encoded: true })).response);
    expect(rest.headers['vary']).toBe('Origin, Accept');
    expect(await text(rest.body)).toBe('bytes!');
    const bare = await call(async () => ({ items: [1, 2] })).response;
    expect(bare.headers['content-type']).toBe('application/json');
    expect(JSON.parse(await text(bare.body))).toEqual({ items: [1, 2] });
    const stream = await call(async () => Readable.from(['a', 'b'])).response;
    expect(stream.headers['content-type']).toBe('application/octet-stream');
    expect(await text(stream.body)).toBe('ab');
    const empty = await call(async () => ({ statusCode: 204 })).response;
    expect(empty.statusCode).toBe(204);
    expect(await text(empty.body)).toBe('');
  });

  it('streams an 8 MB S3 object (past the 6 MB buffered limit) to a client of a streaming Function URL, byte for byte', async () => {
    const bytes = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: bytes }));
    const handler = streamingResponse(async () => {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
      return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: object.Body as Readable };
    }, { logger });
    const server = await startStreamingFunctionUrl(handler as unknown as StreamingHandler);
    try {
      const response = await fetch(`${server.url}/big.bin`);
      expect(response.status).toBe(200);
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      const received = Buffer.from(await response.arrayBuffer());
      expect(received.length).toBe(bytes.length);
      expect(createHash('sha256').update(received).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await server.outcomes[0]).toEqual({});
    } finally {
      await server.close();
    }
  }, 30_000);

  it('reads the body no faster than the client: an unread response holds the producer back', async () => {
    let produced = 0;
    async function* endless() {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        yield Buffer.alloc(16 * 1024);
      }
    }
    const { invocation } = call(async () => ({ statusCode: 200, body: endless() }), { highWaterMark: 64 * 1024 });
    // Nobody reads: give the producer ample time to run ahead if backpressure were broken.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(produced * 16 * 1024).toBeLessThan(2 * 1024 * 1024);
    invocation.raw.destroy();
    const outcome = await invocation.done;
    expect(outcome.error).toBeDefined();
    expect(errors[0]![0]).toMatch(/after its first byte/);
  });

  it('holds no chunk the client has received: a long body streams in bounded memory', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const sent: WeakRef<Buffer>[] = [];
    let stillHeld = -1;
    async function* body() {
      for (let i = 0; i < 400; i++) {
        if (i === 300) {
          // The first 100 chunks reached the client long ago; nothing may keep them alive.
          gc();
          stillHeld = sent.slice(0, 100).filter((ref) => ref.deref() !== undefined).length;
        }
        const chunk = Buffer.alloc(64 * 1024, i % 251);
        sent.push(new WeakRef(chunk));
        yield chunk;
      }
    }
    const got = await call(async () => ({ statusCode: 200, body: body() })).response;
    let bytes = 0;
    for await (const chunk of got.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(400 * 64 * 1024);
    expect(stillHeld).toBe(0);
  }, 30_000);

  it('answers 500 with an errorId when the handler throws, logging the error only', async () => {
    const { response } = call(async () => {
      throw new Error('db password hunter2');
    });
    const got = await response;
    expect(got.statusCode).toBe(500);
    const body = await text(got.body);
    expect(body).not.toMatch(/hunter2/);
    const { errorId } = JSON.parse(body);
    expect(errors[0]![1]).toMatchObject({ errorId });
  });

  it.each([
    [{ statusCode: 99 }],
    [{ statusCode: 200, body: 42 }],
    [{ statusCode: 200, cookies: 'a=1' }],
    [{ statusCode: 200, headers: null }],
    [{ statusCode: 200, multiValueHeaders: { a: 'b' } }],
  ])('answers 500 for a result that is not a response: %j', async (result) => {
    expect((await call(async () => result).response).statusCode).toBe(500);
    expect(errors).toHaveLength(1);
  });

  it('cuts the response short and logs when the body fails after its first byte', async () => {
    async function* failing() {
      yield 'first part, ';
      throw new Error('upstream broke');
    }
    const { response, invocation } = call(async () => ({ statusCode: 200, body: failing() }));
    const got = await response;
    expect(got.statusCode).toBe(200);
    await expect(text(got.body)).rejects.toThrow(/upstream broke/);
    expect((await invocation.done).error).toEqual({ errorType: 'Error', errorMessage: 'upstream broke' });
    expect(errors[0]![0]).toMatch(/after its first byte/);
  });

  it('stops at maxBytes, and before the deadline, with a StreamingError', async () => {
    const big = call(async () => ({ statusCode: 200, body: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]) }), { maxBytes: 1000 });
    await expect(text((await big.response).body)).rejects.toThrow(/1000-byte limit/);
    expect((errors[0]![1] as { error: unknown }).error).toBeInstanceOf(StreamingError);
    errors.length = 0;
    async function* stalls() {
      yield 'x';
      await new Promise(() => {});
    }
    const slow = call(async () => ({ statusCode: 200, body: stalls() }), { marginMs: 100 }, 300);
    await expect(text((await slow.response).body)).rejects.toThrow(/ran out of time/);
  });

  it('rejects a chunk that is neither text nor bytes', async () => {
    const { response } = call(async () => ({ statusCode: 200, body: Readable.from([{ not: 'bytes' }]) }));
    await expect(text((await response).body)).rejects.toThrow(/object chunk/);
  });

  it('keeps any header name, __proto__ and constructor included, as an ordinary header', async () => {
    const name = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'tostring', 'hasownproperty'), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, fc.string({ maxLength: 30 }), { maxKeys: 6 }), async (headers) => {
        const got = await call(async () => ({ statusCode: 200, headers, body: '' })).response;
        for (const [k, v] of Object.entries(headers)) expect(got.headers[k]).toBe(v);
        expect(Object.getPrototypeOf({})).toBe(Object.prototype);
      }),
      { numRuns: 50 },
    );
  });

  it('needs the runtime global, and validates its options', () => {
    restore();
    try {
      expect(() => streamingResponse(async () => 1)).toThrow(/awslambda global/);
    } finally {
      restore = installStreamingGlobal();
    }
    expect(() => streamingResponse(async () => 1, { maxBytes: 300 * 1024 * 1024 })).toThrow(/"maxBytes"/);
    expect(() => streamingResponse(async () => 1, { marginMs: -1 })).toThrow(/"marginMs"/);
    expect(() => streamingResponse(async () => 1, { highWaterMark: 0 })).toThrow(/"highWaterMark"/);
    expect(() => streamingResponse(async () => 1, { logger: {} as never })).toThrow(/"logger"/);
    expect(() => streamingResponse('nope' as never)).toThrow(/handler function/);
  });
});
