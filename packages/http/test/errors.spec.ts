import { inspect } from 'node:util';
import { get, HttpError, HttpRequestError, HttpTimeoutError, post } from '@fleece/http';
import { closedPort, startServer, startStallingServer, type TestServer } from './servers.js';

// got turns URL credentials into a Basic Authorization header: its base64 must not leak either.
const SECRETS = ['QUERY_SECRET', 'AUTH_SECRET', 'PASSWORD_SECRET', 'FRAGMENT_SECRET', Buffer.from('user:PASSWORD_SECRET').toString('base64')];
let server: TestServer;
beforeAll(async () => {
  server = await startServer((seen) =>
    seen.url.startsWith('/json') ? { status: 200, headers: { 'content-type': 'application/json' }, body: '<html>not json' } : { status: 500, body: 'body' },
  );
});
afterAll(() => server.close());

/** Everything a logger could print of an error: message, stack, enumerable fields, causes. */
function everythingPrintable(error: unknown): string {
  const walked: unknown[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object' || walked.includes(value)) return;
    walked.push(value);
    for (const key in value) walk((value as Record<string, unknown>)[key], depth + 1);
    if (value instanceof Error) walk(value.cause, depth + 1);
  };
  walk(error, 0);
  const texts = walked.map((v) => (v instanceof Error ? `${v.message}\n${v.stack}` : ''));
  let json = '';
  try {
    json = JSON.stringify(error);
  } catch {
    json = '[circular]';
  }
  return [inspect(error, { depth: 8 }), json, ...texts, ...walked.map((v) => safeJson(v))].join('\n');
}
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
function expectNoSecrets(error: unknown): void {
  const printable = everythingPrintable(error);
  for (const secret of SECRETS) expect(printable).not.toContain(secret);
}

const secretUrl = (base: string, path = '/x', withUser = false) =>
  (withUser ? base.replace('://', '://user:PASSWORD_SECRET@') : base) + `${path}?api_key=QUERY_SECRET#FRAGMENT_SECRET`;
const auth = { authorization: 'Bearer AUTH_SECRET' };

describe('errors carry what a user needs and no secrets', () => {
  it('HttpError: status, method, URL without query; response kept but not enumerable', async () => {
    const error = (await get(secretUrl(server.url), { headers: auth }).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HttpError');
    expect(error.status).toBe(500);
    expect(error.statusText).toBe('Internal Server Error');
    expect(error.method).toBe('GET');
    expect(error.url).toBe(`${server.url}/x`);
    expect(error.code).toBe('ERR_NON_2XX_3XX_RESPONSE');
    expect(error.message).toBe(`GET ${server.url}/x answered 500 Internal Server Error`);
    expect(error.response.body).toBe('body');
    expect(Object.keys(error)).not.toContain('response');
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer AUTH_SECRET');
    expectNoSecrets(error);
  });

  it('drops credentials from the URL (got sends them as Basic auth)', async () => {
    const error = (await get(secretUrl(server.url, '/x', true)).catch((e: unknown) => e)) as HttpError;
    expect(server.requests.at(-1)!.headers.authorization).toBe(`Basic ${SECRETS[4]}`);
    expect(error.url).toBe(`${server.url}/x`);
    expectNoSecrets(error);
  });

  it('HttpRequestError for a refused connection', async () => {
    const port = await closedPort();
    const error = (await post(secretUrl(`http://127.0.0.1:${port}`, '/x', true), { headers: auth, json: { a: 1 } }).catch((e: unknown) => e)) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.name).toBe('HttpRequestError');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.url).toBe(`http://127.0.0.1:${port}/x`);
    expect((error.cause as Error & { code: string }).code).toBe('ECONNREFUSED');
    expectNoSecrets(error);
  });

  it('HttpTimeoutError for a stalled server', async () => {
    const stall = await startStallingServer();
    try {
      const error = (await get(secretUrl(stall.url, '/x', true), { headers: auth, timeout: 100 }).catch((e: unknown) => e)) as HttpTimeoutError;
      expect(error).toBeInstanceOf(HttpTimeoutError);
      expect(error.name).toBe('HttpTimeoutError');
      expect(error.phase).toBe('read');
      expect((error.cause as Error).name).toBe('TimeoutError');
      expect(String(error.stack)).toMatch(/^HttpTimeoutError: GET /);
      expectNoSecrets(error);
    } finally {
      await stall.close();
    }
  });

  it("redacts got's own messages, which can hold the full URL (a body that does not parse)", async () => {
    const error = (await get(secretUrl(server.url, '/json'), { headers: auth, responseType: 'json' }).catch((e: unknown) => e)) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.code).toBe('ERR_BODY_PARSE_FAILURE');
    expect(error.message).toContain(`in "${server.url}/json"`);
    expect((error.cause as Error).name).toBe('ParseError');
    expectNoSecrets(error);
  });

  it('lets a thrown error stack be reassigned, as error tooling does', async () => {
    const port = await closedPort();
    const error = (await get(`http://127.0.0.1:${port}`).catch((e: unknown) => e)) as HttpRequestError;
    const cause = error.cause as Error;
    cause.stack = 'replaced';
    expect(cause.stack).toBe('replaced');
  });
});
