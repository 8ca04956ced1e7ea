import fc from 'fast-check';
import { join } from 'node:path';
import { openapi } from '../src/index.js';
import { context, v1, v2 } from './events.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const api = openapi(join(__dirname, 'fixtures', 'pets.yaml'), {
  logger: quiet,
  cors: true,
  validateResponses: true,
  handlers: Object.fromEntries(
    ['listPets', 'createPet', 'myPets', 'getPet', 'deletePet', 'getSession', 'putFile', 'boom', 'teapot'].map((id) => [id, (request: { body: unknown }) => ({ echo: request.body ?? null })]),
  ),
});

const segment = fc.oneof(fc.constantFrom('pets', 'mine', 'files', 'a.png', 'session', '%', '%zz', '..', '{petId}', '1', '-1', ''), fc.string());
const path = fc.array(segment, { maxLength: 5 }).map((parts) => '/' + parts.join('/'));
const query = fc.array(fc.tuple(fc.constantFrom('limit', 'tag', 'ids', 'x', ''), fc.string()), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'BREW');
const body = fc.oneof(fc.constant(undefined), fc.string(), fc.json(), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)));
const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'multipart/form-data', '');

describe('robustness (property)', () => {
  it('always answers with a well-formed response, whatever the path, query, headers and body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), method, path, query, body, contentType, fc.string(), async (rest, m, p, q, b, ct, cookie) => {
        const target = q ? `${p}?${q}` : p;
        const event = rest
          ? v1(m, target, { headers: { 'content-type': [ct], cookie: [cookie], origin: ['https://a.example'] }, body: b })
          : v2(m, target, { headers: { 'content-type': ct, origin: 'https://a.example' }, cookies: [cookie], body: b });
        const result = await api(event, context);
        expect(Number.isInteger(result.statusCode)).toBe(true);
        expect(result.statusCode!).toBeGreaterThanOrEqual(200);
        expect(result.statusCode!).toBeLessThan(600);
        expect(typeof result.body).toBe('string');
        if (result.statusCode! >= 400 && m !== 'HEAD') expect(() => JSON.parse(result.body!)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
