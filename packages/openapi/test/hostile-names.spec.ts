import fc from 'fast-check';
import { join } from 'node:path';
import { openapi, type ApiRequest } from '../src/index.js';
import { context, functionUrl, v1, v2 } from './events.js';

// Issue 16, item 1: names a stranger picks are ordinary names, in every map that holds request data.
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const BUILT_IN = [
  ...new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Function.prototype),
    ...Object.getOwnPropertyNames(Array.prototype),
    ...Object.getOwnPropertyNames(String.prototype),
    'prototype',
  ]),
];
const DECLARED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

// A document that declares the dangerous names itself, in every location.
const params = (location: string) => DECLARED.map((name) => ({ name, in: location, schema: { type: 'integer' } }));
const document = {
  openapi: '3.0.3',
  info: { title: 'hostile', version: '1' },
  paths: {
    '/things/{constructor}': {
      post: {
        operationId: 'poke',
        parameters: [{ name: 'constructor', in: 'path', required: true, schema: { type: 'string' } }, ...params('query'), ...params('header'), ...params('cookie')],
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': { schema: { type: 'object', properties: Object.fromEntries(DECLARED.map((n) => [n, { type: 'integer' }])) } },
            'application/json': { schema: { type: 'object', required: ['toString'], properties: { toString: { type: 'string' } } } },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
  },
};
const seen: ApiRequest[] = [];
const hostileApi = openapi(document, { logger: quiet, handlers: { poke: (request) => (seen.push(request), { ok: true }) } });
const ids = ['listPets', 'createPet', 'myPets', 'getPet', 'deletePet', 'getSession', 'putFile', 'boom', 'teapot'];
const petsApi = openapi(join(__dirname, 'fixtures', 'pets.yaml'), { logger: quiet, handlers: Object.fromEntries(ids.map((id) => [id, () => ({})])) });

type Builder = (method: string, target: string, headers: Record<string, string>, cookies: string[], body?: string) => Parameters<typeof petsApi>[0];
const BUILDERS: Record<string, Builder> = {
  'REST v1': (m, t, h, c, b) => v1(m, t, { headers: Object.fromEntries(Object.entries({ ...h, ...(c.length ? { cookie: c.join('; ') } : {}) }).map(([k, v]) => [k, [v]])), body: b }),
  'HTTP API v2': (m, t, h, c, b) => v2(m, t, { headers: h, cookies: c, body: b }),
  'Function URL': (m, t, h, c, b) => functionUrl(m, t, { headers: h, cookies: c, body: b }),
};

function prototypeSnapshot(): string {
  const describe = (o: object) => Object.getOwnPropertyNames(o).map((n) => `${n}:${String(Object.getOwnPropertyDescriptor(o, n)!.value ?? 'accessor')}`).join('|');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describe).join('\n');
}

describe('hostile names (issue 16)', () => {
  for (const [version, build] of Object.entries(BUILDERS)) {
    for (const name of DECLARED) {
      it(`${version}: GET /pets?${name}=1, a header, a cookie and a form field named ${name} answer normally`, async () => {
        const query = await petsApi(build('GET', `/pets?${name}=1`, {}, []), context);
        expect(query.statusCode).toBe(200);
        const header = await petsApi(build('GET', '/pets', { [name]: '1' }, []), context);
        expect(header.statusCode).toBe(200);
        const cookie = await petsApi(build('GET', '/session', {}, [`${name}=1`, 'session=abc']), context);
        expect(cookie.statusCode).toBe(200);
        const form = await petsApi(build('POST', '/pets', { 'content-type': 'application/x-www-form-urlencoded' }, [], `name=rex&${name}=1`), context);
        // NewPet forbids extra properties: the stranger's field is reported like any other.
        expect(form.statusCode).toBe(400);
        expect(JSON.parse(form.body!).errors).toEqual([{ in: 'body', name: `/${name}`, message: 'is not allowed (additional property)' }]);
      });
    }

    it(`${version}: declared parameters called constructor, __proto__, toString … are validated like any other`, async () => {
      seen.length = 0;
      const target = `/things/x?constructor=1&__proto__=2&toString=3&hasOwnProperty=4&valueOf=5`;
      const ok = await hostileApi(build('POST', target, Object.fromEntries([['constructor', '6'], ['__proto__', '7'], ['tostring', '8']]), ['valueOf=9', '__proto__=10']), context);
      expect(ok.statusCode).toBe(200);
      const { params } = seen[0]!;
      expect(params.path.constructor).toBe('x');
      expect({ ...params.query }).toEqual(Object.fromEntries([['constructor', 1], ['__proto__', 2], ['toString', 3], ['hasOwnProperty', 4], ['valueOf', 5]]));
      expect(params.header.constructor).toBe(6);
      expect(Object.getOwnPropertyDescriptor(params.header, '__proto__')?.value).toBe(7);
      expect(params.cookie.valueOf).toBe(9);
      const bad = await hostileApi(build('POST', '/things/x?toString=abc', {}, []), context);
      expect(bad.statusCode).toBe(400);
      expect(JSON.parse(bad.body!).errors).toEqual([{ in: 'query', name: 'toString', message: 'must be integer' }]);
      // `{}` has no own `toString`, so a required `toString` is missing, not inherited.
      const json = await hostileApi(build('POST', '/things/x', { 'content-type': 'application/json' }, [], '{}'), context);
      expect(JSON.parse(json.body!).errors).toEqual([{ in: 'body', name: '/toString', message: 'is required' }]);
    });

    it(`${version}: a broken percent-escape in the path or query answers 400`, async () => {
      for (const target of ['/pets/%ZZ', '/things/%E0%A4%A']) {
        const result = await hostileApi(build('POST', target, {}, []), context);
        if (target.startsWith('/pets')) continue; // no such route in this document: 404 is fine
        expect(result.statusCode).toBe(400);
        expect(JSON.parse(result.body!).message).toMatch(/percent-encoding in the path/);
      }
      const path = await petsApi(build('GET', '/files/%ZZ.png', {}, []), context);
      expect([400, 405]).toContain(path.statusCode);
      const session = await petsApi(build('DELETE', '/pets/%ZZ', { 'x-api-key': '12345678' }, []), context);
      expect(session.statusCode).toBe(400);
      if (version !== 'REST v1') {
        // REST APIs hand over decoded query values; HTTP APIs and Function URLs the raw query string.
        const query = await petsApi(build('GET', '/pets?tag=%ZZ', {}, []), context);
        expect(query.statusCode).toBe(400);
        expect(JSON.parse(query.body!).message).toMatch(/percent-encoding in the query string/);
      }
    });
  }

  it('never throws, never answers 5xx and leaves the prototypes alone, whatever the names (property)', async () => {
    const before = prototypeSnapshot();
    const name = fc.oneof(fc.constantFrom(...BUILT_IN), fc.string({ maxLength: 12 }), fc.constantFrom('%ZZ', '%', '+', '=', '&', ';', ' '));
    const value = fc.oneof(fc.constantFrom('1', '', '%ZZ', '__proto__', '{}', '[]'), fc.string({ maxLength: 8 }));
    const pairs = fc.array(fc.tuple(name, value), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(BUILDERS)),
        fc.constantFrom(petsApi, hostileApi),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.constantFrom('/pets', '/session', '/things/x', '/pets/1'),
        pairs,
        pairs,
        pairs,
        pairs,
        fc.boolean(),
        async (version, api, method, path, query, headers, cookies, form, encode) => {
          const enc = (s: string) => (encode ? encodeURIComponent(s) : s);
          const qs = query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
          const headerMap = Object.fromEntries(headers.filter(([k]) => k).map(([k, v]) => [k.toLowerCase(), v]));
          headerMap['content-type'] = 'application/x-www-form-urlencoded';
          const event = BUILDERS[version]!(method, qs ? `${path}?${qs}` : path, headerMap, cookies.map(([k, v]) => `${k}=${v}`), form.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'));
          const result = await api(event, context);
          expect(result.statusCode).toBeGreaterThanOrEqual(200);
          expect(result.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
    expect(prototypeSnapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
