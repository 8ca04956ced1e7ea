import { join } from 'node:path';
import { HttpError, openapi, type ApiRequest, type OperationHandler } from '../src/index.js';
import { context, v1, v2 } from './events.js';

const SPEC = join(__dirname, 'fixtures', 'pets.yaml');

function makeApi(overrides: Record<string, OperationHandler> = {}, options: { validateResponses?: boolean; cors?: boolean | object } = {}) {
  const seen: ApiRequest[] = [];
  const record =
    (result: unknown): OperationHandler =>
    (request) => {
      seen.push(request);
      return result;
    };
  const errors: unknown[][] = [];
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (...args: unknown[]) => errors.push(args) };
  const handlers: Record<string, OperationHandler> = {
    listPets: record({ pets: [] }),
    createPet: (request) => {
      seen.push(request);
      return { statusCode: 201, headers: { location: '/pets/7' }, body: { id: 7, ...(request.body as object) } };
    },
    myPets: record(['mine']),
    getPet: record({ id: 1, name: 'Rex' }),
    deletePet: record(undefined),
    getSession: record({ ok: true }),
    putFile: (request) => {
      seen.push(request);
      return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: request.body };
    },
    boom: () => {
      throw new Error('database password is hunter2');
    },
    teapot: () => {
      throw new HttpError(418, 'no coffee here', { headers: { 'retry-after': '60' } });
    },
    ...overrides,
  };
  const api = openapi(SPEC, { handlers, logger, ...options });
  return { api, seen, errors };
}

const json = (result: { body?: string }) => JSON.parse(result.body!);

describe('routing', () => {
  it('routes by path template and method, with path parameters coerced', async () => {
    const { api, seen } = makeApi();
    const result = await api(v1('GET', '/pets/42'), context);
    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ id: 1, name: 'Rex' });
    expect(seen[0]!.operationId).toBe('getPet');
    expect(seen[0]!.params.path).toEqual({ petId: 42 });
  });

  it('prefers a literal segment over a template', async () => {
    const { api, seen } = makeApi();
    await api(v1('GET', '/pets/mine'), context);
    expect(seen[0]!.operationId).toBe('myPets');
  });

  it('matches parameters inside a segment and ignores a trailing slash', async () => {
    const { api, seen } = makeApi();
    const result = await api(v2('PUT', '/files/report.txt/', { headers: { 'content-type': 'text/plain' }, body: 'hi' }), context);
    expect(result.statusCode).toBe(200);
    expect(seen[0]!.params.path).toEqual({ name: 'report', ext: 'txt' });
    expect(seen[0]!.body).toBe('hi');
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    const { api } = makeApi();
    const missing = await api(v1('GET', '/owners'), context);
    expect(missing.statusCode).toBe(404);
    expect(json(missing).message).toBe('404: Not Found - no route for GET /owners');
    const wrong = await api(v1('PATCH', '/pets/3'), context);
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers!.allow).toBe('GET, DELETE');
  });

  it('answers HEAD through GET without a body', async () => {
    const { api } = makeApi();
    const result = await api(v1('HEAD', '/pets/3'), context);
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
  });
});

describe('validation', () => {
  it('coerces query parameters, applies defaults and keeps multiple values', async () => {
    const { api, seen } = makeApi();
    await api(v1('GET', '/pets?tag=a&tag=b&ids=1,2,3'), context);
    expect(seen[0]!.params.query).toEqual({ limit: 20, tag: ['a', 'b'], ids: [1, 2, 3] });
    await api(v2('GET', '/pets?limit=5&tag=only'), context);
    expect(seen[1]!.params.query).toEqual({ limit: 5, tag: ['only'] });
  });

  it('reports every problem at once in a stable shape', async () => {
    const { api, seen } = makeApi();
    const result = await api(v1('GET', '/pets?limit=0&ids=1,x'), context);
    expect(result.statusCode).toBe(400);
    expect(json(result)).toEqual({
      message: '400: Bad Request - request validation failed',
      errors: [
        { in: 'query', name: 'limit', message: 'must be >= 1' },
        { in: 'query', name: 'ids', message: 'must be integer (at /1)' },
      ],
    });
    expect(seen).toHaveLength(0);
  });

  it('rejects two values for a single-valued parameter instead of picking one', async () => {
    const { api } = makeApi();
    const result = await api(v1('GET', '/pets?limit=1&limit=2'), context);
    expect(result.statusCode).toBe(400);
    expect(json(result).errors[0]).toMatchObject({ in: 'query', name: 'limit' });
  });

  it('validates path parameters', async () => {
    const { api } = makeApi();
    const result = await api(v1('GET', '/pets/abc'), context);
    expect(result.statusCode).toBe(400);
    expect(json(result).errors).toEqual([{ in: 'path', name: 'petId', message: 'must be integer' }]);
  });

  it('validates headers case-insensitively', async () => {
    const { api, seen } = makeApi();
    const missing = await api(v1('DELETE', '/pets/3'), context);
    expect(json(missing).errors).toEqual([{ in: 'header', name: 'X-Api-Key', message: 'is required' }]);
    const ok = await api(v2('DELETE', '/pets/3', { headers: { 'x-api-key': 'long-enough-key' } }), context);
    expect(ok.statusCode).toBe(204);
    expect(seen[0]!.params.header).toEqual({ 'X-Api-Key': 'long-enough-key' });
  });

  it('validates cookies from v1 headers and v2 cookie lists', async () => {
    const { api, seen } = makeApi();
    expect((await api(v1('GET', '/session', { headers: { Cookie: ['theme=dark; session=abc123'] } }), context)).statusCode).toBe(200);
    expect(seen[0]!.params.cookie).toEqual({ session: 'abc123' });
    const bad = await api(v2('GET', '/session', { cookies: ['session=NOT-HEX'] }), context);
    expect(json(bad).errors).toEqual([{ in: 'cookie', name: 'session', message: 'must match pattern "^[a-f0-9]+$"' }]);
  });

  it('validates JSON bodies without coercing them, following $refs', async () => {
    const { api, seen } = makeApi();
    const created = await api(v1('POST', '/pets', { headers: { 'Content-Type': ['application/json'] }, body: '{"name":"Rex","owner":{"friend":{"name":"Ann"}}}' }), context);
    expect(created.statusCode).toBe(201);
    expect(created.headers!.location).toBe('/pets/7');
    expect(seen[0]!.body).toEqual({ name: 'Rex', owner: { friend: { name: 'Ann' } } });

    const bad = await api(v1('POST', '/pets', { headers: { 'content-type': ['application/json'] }, body: '{"age":"3","extra":1,"owner":{"friend":{"name":5}}}' }), context);
    expect(bad.statusCode).toBe(400);
    expect(json(bad).errors).toEqual(
      expect.arrayContaining([
        { in: 'body', name: '/name', message: 'is required' },
        { in: 'body', name: '/age', message: 'must be integer' },
        { in: 'body', name: '/extra', message: 'is not allowed (additional property)' },
        { in: 'body', name: '/owner/friend/name', message: 'must be string' },
      ]),
    );
  });

  it('rejects a missing required body, invalid JSON and an undocumented content type', async () => {
    const { api } = makeApi();
    expect(json(await api(v1('POST', '/pets'), context)).errors).toEqual([{ in: 'body', name: '', message: 'is required' }]);
    expect(json(await api(v1('POST', '/pets', { headers: { 'content-type': ['application/json'] }, body: '{"name":' }), context)).errors).toEqual([
      { in: 'body', name: '', message: 'is not valid JSON' },
    ]);
    const xml = await api(v1('POST', '/pets', { headers: { 'content-type': ['application/xml'] }, body: '<pet/>' }), context);
    expect(xml.statusCode).toBe(415);
  });

  it('parses and coerces form bodies', async () => {
    const { api, seen } = makeApi();
    const result = await api(v1('POST', '/pets', { headers: { 'content-type': ['application/x-www-form-urlencoded'] }, body: 'name=Rex&age=3' }), context);
    expect(result.statusCode).toBe(201);
    expect(seen[0]!.body).toEqual({ name: 'Rex', age: 3 });
  });
});

describe('bodies and responses', () => {
  it('decodes base64 request bodies and base64-encodes binary responses', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 137, 80, 78, 71]);
    const { api } = makeApi();
    for (const event of [v1('PUT', '/files/pic.png', { headers: { 'content-type': ['application/octet-stream'] }, body: bytes }), v2('PUT', '/files/pic.png', { headers: { 'content-type': 'application/octet-stream' }, body: bytes })]) {
      const result = await api(event, context);
      expect(result.isBase64Encoded).toBe(true);
      expect(Buffer.from(result.body!, 'base64')).toEqual(bytes);
    }
  });

  it('sends cookies and multi-value headers in the shape of each API', async () => {
    const respond = () => ({ statusCode: 200, cookies: ['a=1; HttpOnly', 'b=2'], multiValueHeaders: { 'x-seen': ['one', 'two'] }, body: 'ok' });
    const { api } = makeApi({ myPets: respond });
    const rest = await api(v1('GET', '/pets/mine'), context);
    expect(rest).toMatchObject({ multiValueHeaders: { 'set-cookie': ['a=1; HttpOnly', 'b=2'], 'x-seen': ['one', 'two'] }, body: 'ok' });
    const http = await api(v2('GET', '/pets/mine'), context);
    expect(http).toMatchObject({ cookies: ['a=1; HttpOnly', 'b=2'], headers: { 'x-seen': 'one, two', 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('turns HttpError into its status with fleece-style text and its headers', async () => {
    const { api } = makeApi();
    const result = await api(v1('GET', '/teapot'), context);
    expect(result.statusCode).toBe(418);
    expect(result.headers!['retry-after']).toBe('60');
    expect(json(result)).toEqual({ message: "418: I'm a Teapot - no coffee here" });
  });

  it('turns any other throw into a 500 that leaks nothing, logged with the request ids', async () => {
    const { api, errors } = makeApi();
    const result = await api(v1('GET', '/boom'), context);
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/hunter2|database/);
    expect(json(result)).toEqual({ message: '500: Internal Server Error' });
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toMatchObject({ lambdaRequestId: 'lambda-req-1', apiRequestId: 'api-req-1' });
    expect(((errors[0]![1] as { error: Error }).error).message).toContain('hunter2');
  });

  it('validates responses when asked, answering 500 on a mismatch', async () => {
    const { api, errors } = makeApi({ getPet: () => ({ id: 'not a number', name: 'Rex' }) }, { validateResponses: true });
    expect((await api(v1('GET', '/pets/1'), context)).statusCode).toBe(500);
    expect(String((errors[0]![1] as { error: Error }).error.message)).toContain('/id');
    const { api: lenient } = makeApi({ getPet: () => ({ id: 'not a number', name: 'Rex' }) });
    expect((await lenient(v1('GET', '/pets/1'), context)).statusCode).toBe(200);
  });

  it('answers a non-HTTP event with a clear 400', async () => {
    const { api, errors } = makeApi();
    const result = await api({ Records: [] } as never, context);
    expect(result.statusCode).toBe(400);
    expect(String(errors[0]![0])).toMatch(/not an API Gateway/);
  });
});

describe('CORS', () => {
  it('answers preflights and adds the allowed origin', async () => {
    const { api } = makeApi({}, { cors: { origins: ['https://app.example'], credentials: true } });
    const preflight = await api(v2('OPTIONS', '/pets/1', { headers: { origin: 'https://app.example', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'x-api-key' } }), context);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, DELETE, OPTIONS',
      'access-control-allow-headers': 'x-api-key',
      'access-control-allow-credentials': 'true',
    });
    const other = await api(v2('GET', '/pets/1', { headers: { origin: 'https://evil.example' } }), context);
    expect(other.headers!['access-control-allow-origin']).toBeUndefined();
  });

  it('allows every origin with cors: true', async () => {
    const { api } = makeApi({}, { cors: true });
    const result = await api(v1('GET', '/pets/1', { headers: { Origin: ['https://x.example'] } }), context);
    expect(result.headers!['access-control-allow-origin']).toBe('*');
  });
});

describe('construction', () => {
  it('fails at cold start when an operation has no handler or a handler no operation', () => {
    expect(() => openapi(SPEC, { handlers: {} })).toThrow(/no function for operationId "listPets" \(GET \/pets\)/);
    const { api } = makeApi();
    expect(api).toBeInstanceOf(Function);
    expect(() => makeApi({ ghost: () => 1 })).toThrow(/names operationIds the document lacks: ghost/);
    expect(() => openapi(SPEC, {} as never)).toThrow(/"handlers"/);
  });

  it('names an unreadable, unparsable or foreign document', () => {
    expect(() => openapi('/nonexistent/api.yaml', { handlers: {} })).toThrow(/cannot read the spec file \/nonexistent\/api.yaml/);
    expect(() => openapi(join(__dirname, 'events.ts'), { handlers: {} })).toThrow(/neither OpenAPI 3.x|not valid YAML/);
    expect(() => openapi({ openapi: '3.0.0', paths: { '/x': { get: {} } } }, { handlers: {} })).toThrow(/GET \/x has no operationId/);
    expect(() => openapi({ openapi: '3.0.0', paths: { '/x': { get: { operationId: 'x', parameters: [{ $ref: '#/nope' }] } } } }, { handlers: { x: () => 1 } })).toThrow(/\$ref #\/nope points nowhere/);
    expect(() => openapi(42 as never, { handlers: {} })).toThrow(TypeError);
  });
});
