import { openapi, SpecError, type ApiRequest, type OperationHandler } from '../src/index.js';
import { context, v1, v2 } from './events.js';

// Minimal documents written from the OpenAPI texts, one rule each; test names cite the section.
const logs: unknown[][] = [];
const logger = { debug: () => {}, info: () => {}, warn: (...a: unknown[]) => logs.push(['warn', ...a]), error: (...a: unknown[]) => logs.push(['error', ...a]) };
const json = { 'content-type': 'application/json' };

function build(version: string, schemas: object, body: object, options: { response?: object; handler?: OperationHandler; compile?: 'eager' } = {}) {
  const seen: ApiRequest[] = [];
  const document = {
    openapi: version,
    info: { title: 'doc', version: '1' },
    components: { schemas },
    paths: {
      '/things': {
        post: {
          operationId: 'post',
          requestBody: { required: true, content: { 'application/json': { schema: body } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: options.response ?? {} } } } },
        },
      },
    },
  };
  const handler = openapi(document, {
    logger,
    validateResponses: true,
    compile: options.compile,
    handlers: { post: options.handler ?? ((request) => (seen.push(request), request.body)) },
  });
  const send = async (value: unknown) => {
    const result = await handler(v2('POST', '/things', { headers: json, body: JSON.stringify(value) }), context);
    return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
  };
  return { send, seen };
}

describe('documents production APIs publish (issue 26)', () => {
  it('OpenAPI 3.0.3 §4.7.24 nullable beside $ref, allOf and anyOf without type', async () => {
    const { send } = build('3.0.3', { Owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }, {
      type: 'object',
      properties: {
        a: { nullable: true, allOf: [{ $ref: '#/components/schemas/Owner' }] },
        b: { nullable: true, anyOf: [{ type: 'string' }, { type: 'integer' }] },
        c: { type: 'string', nullable: true, enum: ['x', 'y'] },
        d: { $ref: '#/components/schemas/Owner' },
      },
    });
    expect((await send({ a: null, b: null, c: null })).status).toBe(200);
    expect((await send({ a: { name: 'n' }, b: 3, c: 'x' })).status).toBe(200);
    const bad = await send({ a: {}, c: 'z', d: null });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['/a/name', '/c', '/d']));
  });

  it('OpenAPI 3.0.3 §4.7.25 discriminator with mapping, and on an allOf base (the Pet/Cat example)', async () => {
    const schemas = {
      Pet: { type: 'object', required: ['petType'], properties: { petType: { type: 'string' } }, discriminator: { propertyName: 'petType', mapping: { cat: '#/components/schemas/Cat' } } },
      Cat: { allOf: [{ $ref: '#/components/schemas/Pet' }, { type: 'object', required: ['huntingSkill'], properties: { huntingSkill: { type: 'string', enum: ['lazy', 'aggressive'] } } }] },
      Dog: { allOf: [{ $ref: '#/components/schemas/Pet' }, { type: 'object', required: ['packSize'], properties: { packSize: { type: 'integer', minimum: 0 } } }] },
    };
    const { send } = build('3.0.3', schemas, {
      oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
      discriminator: { propertyName: 'petType', mapping: { cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog' } },
    });
    expect((await send({ petType: 'cat', huntingSkill: 'lazy' })).status).toBe(200);
    expect((await send({ petType: 'dog', packSize: 3 })).status).toBe(200);
    expect((await send({ petType: 'dog', packSize: -1 })).status).toBe(400);
  });

  it('OpenAPI 3.0.3 §4.7.24 / JSON Schema draft-04: boolean exclusiveMinimum and exclusiveMaximum', async () => {
    const { send } = build('3.0.3', {}, { type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: false } } });
    expect((await send({ n: 10 })).status).toBe(200);
    expect((await send({ n: 0 })).body.errors).toEqual([{ in: 'body', name: '/n', message: 'must be > 0' }]);
  });

  it('throws a SpecError naming the JSON pointer of a $ref outside the document, at construction', () => {
    expect(() => build('3.0.3', {}, { type: 'object', properties: { x: { $ref: 'other.yaml#/X' } } })).toThrow(SpecError);
    expect(() => build('3.0.3', {}, { type: 'object', properties: { x: { $ref: 'other.yaml#/X' } } })).toThrow(
      '#/paths/~1things/post/requestBody/content/application~1json/schema/properties/x/$ref: only refs inside the document are supported, got other.yaml#/X',
    );
  });

  it('compiles an operation on its first request; compile: eager names a broken schema at construction', async () => {
    const broken = { type: 'string', pattern: '(' };
    const { send } = build('3.0.3', {}, broken); // constructs: nothing compiled yet
    logs.length = 0;
    expect((await send('x')).status).toBe(500);
    expect(String((logs[0]![2] as { error: Error }).error.message)).toMatch(/#\/paths\/~1things\/post\/requestBody\/content\/application~1json\/schema: the schema cannot be compiled/);
    expect(() => build('3.0.3', {}, broken, { compile: 'eager' })).toThrow(SpecError);
  });

  it('OpenAPI 3.0.3 §4.7.24 readOnly properties are not required in requests, writeOnly ones not in responses', async () => {
    const User = { type: 'object', required: ['id', 'password', 'name'], properties: { id: { type: 'integer', readOnly: true }, password: { type: 'string', writeOnly: true }, name: { type: 'string' } } };
    const { send } = build('3.0.3', { User }, { $ref: '#/components/schemas/User' }, { response: { $ref: '#/components/schemas/User' }, handler: () => ({ id: 1, name: 'n' }) });
    expect((await send({ name: 'n', password: 'p' })).status).toBe(200);
    expect((await send({ name: 'n' })).body.errors).toEqual([{ in: 'body', name: '/password', message: 'is required' }]);
  });

  it('response validation never changes the response (no defaults injected)', async () => {
    const response = { type: 'object', properties: { extra: { type: 'string', default: 'injected' } } };
    const { send } = build('3.0.3', {}, {}, { response, handler: () => ({ ok: 1 }) });
    expect((await send({})).body).toEqual({ ok: 1 });
  });

  it('OpenAPI 3.1 §4.8.24: JSON Schema 2020-12 keywords are enforced (prefixItems, unevaluatedProperties, dependentRequired, $defs, type lists)', async () => {
    const schemas = {
      Point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false },
      // A schema with its own $id: `#/$defs/…` inside it is relative to that id, not to the document.
      Tag: { $id: 'https://example.com/schemas/tag', $defs: { Short: { type: 'string', maxLength: 3 } }, $ref: '#/$defs/Short' },
    };
    const { send } = build('3.1.0', schemas, {
      type: 'object',
      properties: { at: { $ref: '#/components/schemas/Point' }, card: { type: 'string' }, zip: { type: ['string', 'null'] }, tag: { $ref: '#/components/schemas/Tag' } },
      dependentRequired: { card: ['zip'] },
      unevaluatedProperties: false,
    });
    expect((await send({ at: [1, 2], card: 'c', zip: null, tag: 'abc' })).status).toBe(200);
    const bad = await send({ at: [1, 'x', 3], card: 'c', tag: 'long', other: 1 });
    expect(bad.body.errors.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['/at/1', '/at', '', '/tag']));
  });
});

describe('OpenAPI 3.0.3 §4.4 data types: formats', () => {
  it('int64 values beyond 2^53 are refused, not rounded; type string keeps them as strings', async () => {
    const { send, seen } = build('3.0.3', {}, { type: 'object', properties: { n: { type: 'integer', format: 'int64' }, s: { type: 'string', format: 'int64' } } });
    expect((await send({ n: 9007199254740991, s: '9007199254740993' })).status).toBe(200);
    expect(seen[0]!.body).toEqual({ n: 9007199254740991, s: '9007199254740993' });
    // What a client sends as 9007199254740993 arrives as 2^53 after JSON.parse: refused, not rounded.
    const big = await send({ n: 2 ** 53 + 2 });
    expect(big.body.errors).toEqual([{ in: 'body', name: '/n', message: 'must match format "int64"' }]);
  });

  it('knows int32, int64, float, double, byte, binary and password; reports an unknown format once', async () => {
    logs.length = 0;
    const props = { a: { type: 'integer', format: 'int32' }, b: { type: 'string', format: 'byte' }, c: { type: 'string', format: 'password' }, d: { type: 'string', format: 'x-ulid' }, e: { type: 'string', format: 'x-ulid' } };
    const { send } = build('3.0.3', {}, { type: 'object', properties: props }, { response: { type: 'object', properties: { d: { type: 'string', format: 'x-ulid' } } } });
    expect((await send({ a: 2147483647, b: 'aGk=', c: 'secret', d: 'anything' })).status).toBe(200);
    expect((await send({ a: 2147483648, b: 'not base64!' })).body.errors.map((e: { name: string }) => e.name)).toEqual(['/a', '/b']);
    expect(logs.filter(([level]) => level === 'warn')).toEqual([['warn', '@fleece/openapi: unknown format "x-ulid" is not checked']]);
  });
});

describe('OpenAPI 3.0.3 §4.7.14 media types: bytes and multipart', () => {
  const document = {
    openapi: '3.0.3',
    info: { title: 'files', version: '1' },
    paths: {
      '/upload': {
        post: {
          operationId: 'upload',
          requestBody: {
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              'image/png': {},
              'multipart/form-data': {
                schema: { type: 'object', required: ['file', 'count'], properties: { file: { type: 'string', format: 'binary' }, count: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, meta: { type: 'object', properties: { a: { type: 'integer' } } } } },
              },
            },
          },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  };
  const seen: ApiRequest[] = [];
  const handler = openapi(document, { logger, handlers: { upload: (r) => (seen.push(r), 1) } });

  it('binary bodies are bytes, passed through without being validated as objects', async () => {
    const bytes = Buffer.from([0, 255, 1, 2]);
    for (const type of ['application/octet-stream', 'image/png']) {
      seen.length = 0;
      expect((await handler(v1('POST', '/upload', { headers: { 'content-type': [type] }, body: bytes }), context)).statusCode).toBe(200);
      expect(Buffer.isBuffer(seen[0]!.body) && (seen[0]!.body as Buffer).equals(bytes)).toBe(true);
    }
  });

  it('multipart/form-data is parsed into fields and files and validated', async () => {
    const boundary = 'XyZ';
    const part = (headers: string, content: string | Buffer) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('Content-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream', Buffer.from([1, 2, 3])),
      part('Content-Disposition: form-data; name="count"', '7'),
      part('Content-Disposition: form-data; name="tags"', 'x'),
      part('Content-Disposition: form-data; name="tags"', 'y'),
      part('Content-Disposition: form-data; name="meta"\r\nContent-Type: application/json', '{"a":1}'),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    seen.length = 0;
    const headers = { 'content-type': [`multipart/form-data; boundary=${boundary}`] };
    expect((await handler(v1('POST', '/upload', { headers, body }), context)).statusCode).toBe(200);
    const received = seen[0]!.body as Record<string, unknown>;
    expect(received.count).toBe(7);
    expect(received.tags).toEqual(['x', 'y']);
    expect(received.meta).toEqual({ a: 1 });
    expect(received.file).toEqual({ filename: 'a.bin', contentType: 'application/octet-stream', data: Buffer.from([1, 2, 3]) });
    const missing = await handler(v1('POST', '/upload', { headers, body: Buffer.concat([part('Content-Disposition: form-data; name="count"', 'x'), Buffer.from(`--${boundary}--`)]) }), context);
    expect(JSON.parse(missing.body!).errors).toEqual(
      expect.arrayContaining([
        { in: 'body', name: '/file', message: 'is required' },
        { in: 'body', name: '/count', message: 'must be integer' },
      ]),
    );
    const garbage = await handler(v1('POST', '/upload', { headers, body: 'no parts here' }), context);
    expect(garbage.statusCode).toBe(400);
  });

  it('form-urlencoded bodies follow encoding: deepObject (metadata[order_id]=6735) and explode', async () => {
    const doc = {
      openapi: '3.0.3',
      info: { title: 'form', version: '1' },
      paths: {
        '/charge': {
          post: {
            operationId: 'charge',
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': {
                  schema: { type: 'object', properties: { amount: { type: 'integer' }, metadata: { type: 'object', additionalProperties: { type: 'string' } }, ids: { type: 'array', items: { type: 'integer' } } } },
                  encoding: { metadata: { style: 'deepObject', explode: true }, ids: { style: 'form', explode: false } },
                },
              },
            },
            responses: { '200': { description: 'ok' } },
          },
        },
      },
    };
    const got: ApiRequest[] = [];
    const charge = openapi(doc, { logger, handlers: { charge: (r) => (got.push(r), 1) } });
    const result = await charge(v2('POST', '/charge', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'amount=2000&metadata[order_id]=6735&ids=1,2' }), context);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(JSON.stringify(got[0]!.body))).toEqual({ amount: 2000, metadata: { order_id: '6735' }, ids: [1, 2] });
  });
});
