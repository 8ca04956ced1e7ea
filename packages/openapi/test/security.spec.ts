import { HttpError, openapi, type ApiRequest } from '../src/index.js';
import { context, v1, v2 } from './events.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const ok = { '200': { description: 'ok' } };

describe('OpenAPI 3.0.3 §4.7.5 servers and Swagger 2.0 basePath', () => {
  const paths = { '/pets': { get: { operationId: 'list', responses: ok } } };

  it('routes under the path of each servers[].url (variables at their defaults), as Swagger 2.0 basePath', async () => {
    const document = {
      openapi: '3.0.3',
      info: { title: 's', version: '1' },
      servers: [{ url: 'https://api.example.com/{version}/', variables: { version: { default: 'v2' } } }, { url: '/beta' }],
      paths,
    };
    const api = openapi(document, { logger: quiet, handlers: { list: () => [] } });
    expect((await api(v2('GET', '/v2/pets'), context)).statusCode).toBe(200);
    expect((await api(v2('GET', '/beta/pets'), context)).statusCode).toBe(200);
    expect((await api(v2('GET', '/pets'), context)).statusCode).toBe(404);
    const swagger = openapi({ swagger: '2.0', info: { title: 's', version: '1' }, basePath: '/v1/', paths }, { logger: quiet, handlers: { list: () => [] } });
    expect((await swagger(v1('GET', '/v1/pets'), context)).statusCode).toBe(200);
  });

  it('option basePath replaces the document’s; "" routes the paths as written', async () => {
    const document = { openapi: '3.0.3', info: { title: 's', version: '1' }, servers: [{ url: 'https://api.example.com/v1' }], paths };
    const bare = openapi(document, { logger: quiet, basePath: '', handlers: { list: () => [] } });
    expect((await bare(v2('GET', '/pets'), context)).statusCode).toBe(200);
    const staged = openapi(document, { logger: quiet, basePath: ['/prod', '/dev'], handlers: { list: () => [] } });
    expect((await staged(v2('GET', '/dev/pets'), context)).statusCode).toBe(200);
    expect((await staged(v2('GET', '/v1/pets'), context)).statusCode).toBe(404);
    expect(() => openapi(document, { basePath: 'v1', handlers: { list: () => [] } })).toThrow('@fleece/openapi: option "basePath" must be \'\' or a path starting with /, got "v1"');
  });
});

describe('OpenAPI 3.0.3 §4.7.27 security schemes and §4.7.30 security requirements', () => {
  const document = {
    openapi: '3.0.3',
    info: { title: 's', version: '1' },
    components: {
      securitySchemes: {
        key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        queryKey: { type: 'apiKey', in: 'query', name: 'key' },
        session: { type: 'apiKey', in: 'cookie', name: 'sid' },
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer' },
        oauth: { type: 'oauth2', flows: {} },
      },
    },
    security: [{ key: [] }],
    paths: {
      '/a': { get: { operationId: 'a', responses: ok } },
      '/b': { get: { operationId: 'b', security: [{ basic: [] }, { queryKey: [], session: [] }], responses: ok } },
      '/c': { get: { operationId: 'c', security: [{ bearer: [] }], responses: ok } },
      '/d': { get: { operationId: 'd', security: [{ oauth: ['pets:read'] }], responses: ok } },
      '/open': { get: { operationId: 'open', security: [], responses: ok } },
      '/optional': { get: { operationId: 'optional', security: [{}, { key: [] }], responses: ok } },
    },
  };
  const seen: ApiRequest[] = [];
  const handler = (r: ApiRequest) => (seen.push(r), { ok: true });
  const handlers = Object.fromEntries(['a', 'b', 'c', 'd', 'open', 'optional'].map((id) => [id, handler]));

  it('checks presence: 401 with WWW-Authenticate when no alternative is met', async () => {
    const api = openapi(document, { logger: quiet, handlers });
    expect((await api(v2('GET', '/a'), context)).statusCode).toBe(401);
    expect((await api(v2('GET', '/a', { headers: { 'x-api-key': 'k' } }), context)).statusCode).toBe(200);
    const basic = await api(v2('GET', '/b'), context);
    expect(basic.statusCode).toBe(401);
    expect(basic.headers!['www-authenticate']).toBe('Basic');
    expect((await api(v2('GET', '/b?key=k'), context)).statusCode).toBe(401); // needs the cookie too
    expect((await api(v2('GET', '/b?key=k', { cookies: ['sid=s'] }), context)).statusCode).toBe(200);
    expect((await api(v2('GET', '/c', { headers: { authorization: 'Basic eDp5' } }), context)).statusCode).toBe(401);
    expect((await api(v2('GET', '/c', { headers: { authorization: 'Bearer t' } }), context)).statusCode).toBe(200);
    expect((await api(v2('GET', '/d'), context)).headers!['www-authenticate']).toBe('Bearer');
    expect((await api(v2('GET', '/open'), context)).statusCode).toBe(200);
    expect((await api(v2('GET', '/optional'), context)).statusCode).toBe(200);
  });

  it('hands the credentials to authorize before the handler: false is 403, HttpError its answer, anything else is request.auth', async () => {
    const calls: unknown[] = [];
    const api = openapi(document, {
      logger: quiet,
      handlers,
      authorize: ({ operationId, credentials }) => {
        calls.push({ operationId, credentials });
        const value = credentials[0]?.value;
        if (value === 'forbidden') return false;
        if (value === 'user:wrong') throw new HttpError(401, 'bad password', { headers: { 'www-authenticate': 'Basic' } });
        return { user: value };
      },
    });
    seen.length = 0;
    expect((await api(v2('GET', '/b', { headers: { authorization: `Basic ${Buffer.from('user:pw').toString('base64')}` } }), context)).statusCode).toBe(200);
    expect(calls[0]).toEqual({ operationId: 'b', credentials: [{ scheme: 'basic', type: 'http', value: 'user:pw', scopes: [] }] });
    expect(seen[0]!.auth).toEqual({ user: 'user:pw' });
    expect((await api(v2('GET', '/a', { headers: { 'x-api-key': 'forbidden' } }), context)).statusCode).toBe(403);
    const wrong = await api(v2('GET', '/b', { headers: { authorization: `Basic ${Buffer.from('user:wrong').toString('base64')}` } }), context);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers!['www-authenticate']).toBe('Basic');
    await api(v2('GET', '/d', { headers: { authorization: 'Bearer tok' } }), context);
    expect(calls.at(-1)).toEqual({ operationId: 'd', credentials: [{ scheme: 'oauth', type: 'oauth2', value: 'tok', scopes: ['pets:read'] }] });
    calls.length = 0;
    await api(v2('GET', '/open'), context);
    expect(calls).toEqual([]);
  });

  it('Swagger 2.0 securityDefinitions: basic and apiKey', async () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 's', version: '1' },
      securityDefinitions: { basic: { type: 'basic' }, key: { type: 'apiKey', in: 'query', name: 'api_key' } },
      paths: { '/x': { get: { operationId: 'x', security: [{ basic: [] }, { key: [] }], responses: { 200: { description: 'ok' } } } } },
    };
    const api = openapi(swagger, { logger: quiet, handlers: { x: () => 1 } });
    expect((await api(v1('GET', '/x'), context)).statusCode).toBe(401);
    expect((await api(v1('GET', '/x?api_key=1'), context)).statusCode).toBe(200);
    expect((await api(v1('GET', '/x', { headers: { authorization: ['Basic eDp5'] } }), context)).statusCode).toBe(200);
  });

  it('validates the authorize option', () => {
    expect(() => openapi(document, { handlers, authorize: 'yes' as never })).toThrow('@fleece/openapi: option "authorize" must be a function, got string');
    expect(() => openapi(document, { handlers, compile: 'later' as never })).toThrow(/option "compile" must be 'lazy' or 'eager'/);
  });
});
