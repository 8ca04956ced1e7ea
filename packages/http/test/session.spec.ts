import type { Delays } from 'got';
import * as http from '@fleece/http';
import { createSession, DEFAULT_TIMEOUT, get, setDefaultRetries, setDefaultTimeout, useHooks } from '@fleece/http';
import { fakeTime, startServer, type TestServer } from './servers.js';

let server: TestServer;
let seenTimeouts: Delays[];
let unhook: () => void;

beforeAll(async () => {
  server = await startServer((seen) => (seen.url.startsWith('/down') ? { status: 503 } : { status: 200, body: seen.method }));
});
afterAll(() => server.close());
beforeEach(() => {
  seenTimeouts = [];
  // Observe the effective got timeouts of every attempt, the way @fleece/xray observes requests.
  unhook = useHooks({ beforeRequest: (options) => void seenTimeouts.push({ ...options.timeout }) });
  server.requests.length = 0;
});
afterEach(() => {
  unhook();
  setDefaultTimeout(undefined);
  setDefaultRetries(undefined);
});

const asGot = (connect: number, read: number) => ({ lookup: connect, connect, secureConnect: connect, socket: read, response: read });

describe('timeout precedence: request, then session, then global, then built-in', () => {
  it('uses the built-in default when nothing is set', async () => {
    await get(server.url);
    expect(seenTimeouts).toEqual([asGot(DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read)]);
  });

  it('uses the global default for module functions and sessions that set none', async () => {
    const session = createSession();
    setDefaultTimeout(1111);
    await get(server.url);
    await session.get(server.url);
    expect(seenTimeouts).toEqual([asGot(1111, 1111), asGot(1111, 1111)]);
  });

  it("lets a session's default beat the global one, and a request's beat the session's", async () => {
    setDefaultTimeout(1111);
    const session = createSession({ timeout: 2222 });
    await session.get(server.url);
    await session.get(server.url, { timeout: 3333 });
    await get(server.url);
    expect(seenTimeouts).toEqual([asGot(2222, 2222), asGot(3333, 3333), asGot(1111, 1111)]);
  });

  it('fills each half of { connect, read } from the next layer that sets it', async () => {
    setDefaultTimeout({ read: 1111 });
    const session = createSession({ timeout: { connect: 444 } });
    await session.get(server.url);
    await session.get(server.url, { timeout: { read: 555 } });
    await get(server.url);
    expect(seenTimeouts).toEqual([asGot(444, 1111), asGot(444, 555), asGot(DEFAULT_TIMEOUT.connect, 1111)]);
  });

  it('restores the built-in default with setDefaultTimeout(undefined)', async () => {
    setDefaultTimeout(1111);
    setDefaultTimeout(undefined);
    await get(server.url);
    expect(seenTimeouts).toEqual([asGot(DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read)]);
  });
});

describe('retries precedence: request, then session, then global, then none', () => {
  it('does not retry by default', async () => {
    await expect(get(`${server.url}/down`)).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('applies the global retries, a session its own, and a request its own', async () => {
    const time = fakeTime();
    setDefaultRetries({ total: 1, statusForcelist: [503], sleep: time.sleep });
    const session = createSession({ retries: { total: 3, statusForcelist: [503], sleep: time.sleep } });

    await expect(get(`${server.url}/down`)).rejects.toMatchObject({ attempts: 2 });
    await expect(session.get(`${server.url}/down`)).rejects.toMatchObject({ attempts: 4 });
    await expect(session.get(`${server.url}/down`, { retries: 0 })).rejects.toMatchObject({ attempts: 1 });
    await expect(createSession().get(`${server.url}/down`)).rejects.toMatchObject({ attempts: 2 });
    expect(server.requests).toHaveLength(2 + 4 + 1 + 2);
  });

  it('resets with setDefaultRetries(undefined)', async () => {
    setDefaultRetries({ total: 4, statusForcelist: [503] });
    setDefaultRetries(undefined);
    await expect(get(`${server.url}/down`)).rejects.toMatchObject({ attempts: 1 });
  });
});

describe('sessions', () => {
  it('carry got defaults (prefixUrl, headers) to every request', async () => {
    const session = createSession({ prefixUrl: server.url, headers: { 'x-team': 'fleece' } });
    await session.get('a');
    await session.post('b', { headers: { 'x-extra': '1' } });
    expect(server.requests.map((r) => [r.method, r.url, r.headers['x-team'], r.headers['x-extra']])).toEqual([
      ['GET', '/a', 'fleece', undefined],
      ['POST', '/b', 'fleece', '1'],
    ]);
  });

  it('expose their defaults, frozen', () => {
    const session = createSession({ timeout: 100, headers: { a: 'b' } });
    expect(session.defaults).toEqual({ timeout: 100, headers: { a: 'b' } });
    expect(Object.isFrozen(session.defaults)).toBe(true);
  });

  it('send every method, with bound helpers', async () => {
    const { get: sget, post, put, patch, delete: sdelete, head, request } = createSession({ prefixUrl: server.url });
    const bodies = [
      (await sget('x')).body,
      (await post('x')).body,
      (await put('x')).body,
      (await patch('x')).body,
      (await sdelete('x')).body,
      (await request('x', { method: 'OPTIONS' })).body,
    ];
    expect(bodies).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    expect((await head('x')).statusCode).toBe(200);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
  });

  it('use their session-wide throwHttpErrors', async () => {
    const session = createSession({ throwHttpErrors: false });
    expect((await session.get(`${server.url}/down`)).statusCode).toBe(503);
  });

  it('reject bad defaults at creation with a TypeError naming the option', () => {
    expect(() => createSession({ timeout: -1 })).toThrow(/option "defaults.timeout" must be/);
    expect(() => createSession({ retries: { total: -1 } })).toThrow(/"defaults.retries.total" must be an integer >= 0/);
    expect(() => createSession({ retry: { limit: 2 } } as never)).toThrow(/"defaults.retry" must be absent: got's own retry is off here, use "retries"/);
    expect(() => createSession('https://x' as never)).toThrow(/"defaults" must be an options object/);
  });
});

describe('module functions', () => {
  it('send every method, with delete exported as both del and delete', async () => {
    const url = server.url;
    const bodies = [
      (await http.get(url)).body,
      (await http.post(url)).body,
      (await http.put(url)).body,
      (await http.patch(url)).body,
      (await http.del(url)).body,
      (await http.delete(url)).body,
      (await http.request(url)).body,
    ];
    expect(bodies).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'DELETE', 'GET']);
    expect((await http.head(url)).body).toBe('');
    expect(http.delete).toBe(http.del);
  });

  it.each([
    [{ isStream: true }, /"options.isStream" must be absent/],
    [{ resolveBodyOnly: true }, /"options.resolveBodyOnly" must be absent: read response.body/],
    [{ url: 'http://x' }, /"options.url" must be absent: pass the URL as the first argument/],
    [{ retry: { limit: 1 } }, /"options.retry" must be absent/],
    [{ timeout: 'soon' }, /"options.timeout" must be/],
    [{ retries: { backoff_factor: 0.3 } }, /unknown key "backoff_factor" \(did you mean "backoffFactor"\?\)/],
  ])('reject bad options %p with a TypeError naming the option', async (options, message) => {
    const before = server.requests.length;
    await expect(get(server.url, options as never)).rejects.toThrow(message);
    await expect(get(server.url, options as never)).rejects.toBeInstanceOf(TypeError);
    expect(server.requests.length).toBe(before);
  });

  it('reject a non-object options argument', async () => {
    await expect(get(server.url, 5 as never)).rejects.toThrow(/"options" must be an options object, got 5/);
  });

  it('validate global defaults when set', () => {
    expect(() => setDefaultTimeout(0)).toThrow(/"timeout" must be a finite number of milliseconds > 0/);
    expect(() => setDefaultRetries({ backoffFactor: 2 })).toThrow(/backoffFactor: 2000/);
  });
});
