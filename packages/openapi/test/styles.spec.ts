import { openapi, type ApiRequest } from '../src/index.js';
import { context, v1, v2 } from './events.js';

// Minimal documents written from OpenAPI 3.0.3 §4.7.12 (Parameter Object) and its style table.
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const arr = { type: 'array', items: { type: 'integer' } };
const obj = { type: 'object', properties: { role: { type: 'string' }, age: { type: 'integer' } } };

function api(parameters: object[], extra: object = {}) {
  const seen: ApiRequest[] = [];
  const document = {
    openapi: '3.0.3',
    info: { title: 'styles', version: '1' },
    components: { schemas: { Ids: arr } },
    paths: { '/items/{id}': { get: { operationId: 'get', parameters, responses: { '200': { description: 'ok' } }, ...extra } } },
  };
  const handler = openapi(document, { logger: quiet, handlers: { get: (request) => (seen.push(request), { ok: true }) } });
  return { handler, seen };
}
const pathParam = (style: string, explode: boolean, schema: object) => ({ name: 'id', in: 'path', required: true, style, explode, schema });

describe('OpenAPI 3.0.3 §4.7.12.4 style values: path', () => {
  it.each([
    ['simple', false, { type: 'integer' }, '5', 5],
    ['simple', false, arr, '3,4,5', [3, 4, 5]],
    ['simple', false, obj, 'role,admin,age,5', { role: 'admin', age: 5 }],
    ['simple', true, obj, 'role=admin,age=5', { role: 'admin', age: 5 }],
    ['label', false, { type: 'integer' }, '.5', 5],
    ['label', false, arr, '.3,4,5', [3, 4, 5]],
    ['label', true, arr, '.3.4.5', [3, 4, 5]],
    ['label', false, obj, '.role,admin,age,5', { role: 'admin', age: 5 }],
    ['label', true, obj, '.role=admin.age=5', { role: 'admin', age: 5 }],
    ['matrix', false, { type: 'integer' }, ';id=5', 5],
    ['matrix', false, arr, ';id=3,4,5', [3, 4, 5]],
    ['matrix', true, arr, ';id=3;id=4;id=5', [3, 4, 5]],
    ['matrix', false, obj, ';id=role,admin,age,5', { role: 'admin', age: 5 }],
    ['matrix', true, obj, ';role=admin;age=5', { role: 'admin', age: 5 }],
  ])('%s, explode %s: %j from %s', async (style, explode, schema, segment, expected) => {
    const { handler, seen } = api([pathParam(style, explode, schema)]);
    const result = await handler(v2('GET', `/items/${segment}`), context);
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.params.path.id).toEqual(expected);
  });

  it('decides splitting on the resolved schema: a $ref to an array is an array (/items/1,2,3)', async () => {
    const { handler, seen } = api([{ name: 'id', in: 'path', required: true, schema: { $ref: '#/components/schemas/Ids' } }]);
    await handler(v1('GET', '/items/1,2,3'), context);
    expect(seen[0]!.params.path.id).toEqual([1, 2, 3]);
  });

  it('answers 400 for a value not written in its style', async () => {
    const { handler } = api([pathParam('label', false, { type: 'integer' })]);
    const result = await handler(v1('GET', '/items/5'), context);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!).errors[0]).toEqual({ in: 'path', name: 'id', message: 'is not written in label style (.value)' });
  });
});

describe('OpenAPI 3.0.3 §4.7.12.4 style values: query', () => {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  it.each([
    ['form', true, arr, 'ids=3&ids=4&ids=5', [3, 4, 5]],
    ['form', false, arr, 'ids=3,4,5', [3, 4, 5]],
    ['spaceDelimited', false, arr, 'ids=3%204%205', [3, 4, 5]],
    ['pipeDelimited', false, arr, 'ids=3|4|5', [3, 4, 5]],
    ['form', false, obj, 'ids=role,admin,age,5', { role: 'admin', age: 5 }],
    ['form', true, obj, 'role=admin&age=5&other=1', { role: 'admin', age: 5 }],
  ])('%s, explode %s: %j from ?%s', async (style, explode, schema, query, expected) => {
    const { handler, seen } = api([id, { name: 'ids', in: 'query', style, explode, schema }, { name: 'other', in: 'query', schema: { type: 'integer' } }]);
    const result = await handler(v2('GET', `/items/x?${query}`), context);
    expect(result.statusCode).toBe(200);
    const ids = seen[0]!.params.query.ids;
    expect(Array.isArray(ids) ? ids : { ...(ids as object) }).toEqual(expected);
  });

  it('deepObject: filter[size]=3 gives { filter: { size: 3 } }, validated', async () => {
    const filter = { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', maximum: 10 }, tag: { type: 'string' } } } };
    const { handler, seen } = api([id, filter]);
    expect((await handler(v2('GET', '/items/x?filter[size]=3&filter%5Btag%5D=dog'), context)).statusCode).toBe(200);
    expect({ ...(seen[0]!.params.query.filter as object) }).toEqual({ size: 3, tag: 'dog' });
    const bad = await handler(v1('GET', '/items/x?filter[size]=30&filter[colour]=red'), context);
    expect(JSON.parse(bad.body!).errors).toEqual([
      { in: 'query', name: 'filter', message: 'must not have the property colour' },
      { in: 'query', name: 'filter', message: 'must be <= 10 (at /size)' },
    ]);
  });

  it('content: application/json parameters are JSON text', async () => {
    const { handler, seen } = api([id, { name: 'q', in: 'query', content: { 'application/json': { schema: { type: 'object', required: ['a'] } } } }]);
    await handler(v2('GET', `/items/x?q=${encodeURIComponent('{"a":[1]}')}`), context);
    expect(seen[0]!.params.query.q).toEqual({ a: [1] });
    expect((await handler(v2('GET', '/items/x?q=nope'), context)).statusCode).toBe(400);
  });
});

describe('OpenAPI 3.0.3 §4.7.12.1 header and cookie parameters', () => {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

  it('never splits a string header on commas; splits an array header (simple)', async () => {
    const { handler, seen } = api([id, { name: 'If-Modified-Since', in: 'header', schema: { type: 'string' } }, { name: 'X-Ids', in: 'header', schema: arr }]);
    await handler(v2('GET', '/items/x', { headers: { 'if-modified-since': 'Wed, 21 Oct 2015 07:28:00 GMT', 'x-ids': '1, 2,3' } }), context);
    expect(seen[0]!.params.header['If-Modified-Since']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(seen[0]!.params.header['X-Ids']).toEqual([1, 2, 3]);
  });

  it('ignores Accept, Content-Type and Authorization header parameters, as the text says', async () => {
    const { handler } = api([id, { name: 'Authorization', in: 'header', required: true, schema: { type: 'string' } }, { name: 'Accept', in: 'header', required: true, schema: { type: 'string' } }]);
    expect((await handler(v2('GET', '/items/x'), context)).statusCode).toBe(200);
  });

  it("a documented Cookie header parameter and cookie parameters see HTTP API v2's event.cookies", async () => {
    const { handler, seen } = api([id, { name: 'ids', in: 'cookie', explode: false, schema: arr }, { name: 'Cookie', in: 'header', schema: { type: 'string' } }]);
    await handler(v2('GET', '/items/x', { cookies: ['ids=1,2', 'b=c'] }), context);
    expect(seen[0]!.params.cookie.ids).toEqual([1, 2]);
    expect(seen[0]!.params.header.Cookie).toBe('ids=1,2; b=c');
  });
});

describe('Swagger 2.0 §Parameter Object: collectionFormat and formData', () => {
  const document = (collectionFormat: string) => ({
    swagger: '2.0',
    info: { title: 's', version: '1' },
    paths: {
      '/x': {
        get: { operationId: 'get', parameters: [{ name: 'ids', in: 'query', type: 'array', items: { type: 'integer' }, collectionFormat }], responses: { 200: { description: 'ok' } } },
        post: {
          operationId: 'post',
          consumes: ['application/x-www-form-urlencoded'],
          parameters: [
            { name: 'name', in: 'formData', type: 'string', required: true },
            { name: 'tags', in: 'formData', type: 'array', items: { type: 'string' }, collectionFormat: 'pipes' },
            { name: 'age', in: 'formData', type: 'integer', minimum: 0, exclusiveMinimum: true },
          ],
          responses: { 200: { description: 'ok' } },
        },
      },
    },
  });
  it.each([
    ['csv', 'ids=1,2,3'],
    ['ssv', 'ids=1%202%203'],
    ['tsv', 'ids=1%092%093'],
    ['pipes', 'ids=1|2|3'],
    ['multi', 'ids=1&ids=2&ids=3'],
  ])('%s', async (format, query) => {
    const seen: ApiRequest[] = [];
    const handler = openapi(document(format), { logger: quiet, handlers: { get: (r) => (seen.push(r), 1), post: () => 1 } });
    expect((await handler(v2('GET', `/x?${query}`), context)).statusCode).toBe(200);
    expect(seen[0]!.params.query.ids).toEqual([1, 2, 3]);
  });

  it('in: formData becomes a validated form body', async () => {
    const seen: ApiRequest[] = [];
    const handler = openapi(document('csv'), { logger: quiet, handlers: { get: () => 1, post: (r) => (seen.push(r), 1) } });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await handler(v2('POST', '/x', { headers: form, body: 'name=rex&tags=a|b&age=2' }), context)).statusCode).toBe(200);
    expect({ ...(seen[0]!.body as object) }).toEqual({ name: 'rex', tags: ['a', 'b'], age: 2 });
    const bad = await handler(v2('POST', '/x', { headers: form, body: 'age=0' }), context);
    expect(JSON.parse(bad.body!).errors).toEqual([
      { in: 'body', name: '/name', message: 'is required' },
      { in: 'body', name: '/age', message: 'must be > 0' },
    ]);
  });
});
