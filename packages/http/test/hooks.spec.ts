import { createSession, get, HttpRequestError, useHooks } from '@fleece/http';
import { closedPort, fakeTime, startServer, type TestServer } from './servers.js';

let server: TestServer;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  server = await startServer((seen, index) => (seen.url === '/flaky' && index % 3 < 2 ? { status: 503 } : { status: 200, body: 'ok' }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function hook(...args: Parameters<typeof useHooks>): () => void {
  const off = useHooks(...args);
  cleanups.push(off);
  return off;
}

describe('useHooks', () => {
  it('adds a beforeRequest hook to every request made afterwards, module and sessions alike', async () => {
    const session = createSession({ prefixUrl: server.url });
    await get(server.url);
    hook({
      beforeRequest: (options) => {
        options.headers['x-trace'] = 'Root=1-abc';
      },
    });
    await get(server.url);
    await session.get('s');
    await createSession().get(server.url);
    expect(server.requests.map((r) => r.headers['x-trace'])).toEqual([undefined, 'Root=1-abc', 'Root=1-abc', 'Root=1-abc']);
  });

  it('runs afterResponse on every attempt of a retried request', async () => {
    const statuses: number[] = [];
    hook({
      afterResponse: (response) => {
        statuses.push(response.statusCode);
        return response;
      },
    });
    const time = fakeTime();
    await get(`${server.url}/flaky`, { retries: { total: 2, statusForcelist: [503], sleep: time.sleep } });
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('runs beforeError when an attempt fails without a response', async () => {
    const codes: string[] = [];
    hook({
      beforeError: (error) => {
        codes.push(error.code);
        return error;
      },
    });
    const port = await closedPort();
    await expect(get(`http://127.0.0.1:${port}`)).rejects.toBeInstanceOf(HttpRequestError);
    expect(codes).toEqual(['ECONNREFUSED']);
  });

  it('runs the installed hooks before the request\'s own', async () => {
    const order: string[] = [];
    hook({ beforeRequest: () => void order.push('installed') });
    await get(server.url, { hooks: { beforeRequest: [() => void order.push('own')] } });
    expect(order).toEqual(['installed', 'own']);
  });

  it('unsubscribes exactly its own hooks, and twice is harmless', async () => {
    const calls: string[] = [];
    const offA = hook({ beforeRequest: () => void calls.push('a'), afterResponse: (r) => (calls.push('a-after'), r) });
    hook({ beforeRequest: () => void calls.push('b') });
    await get(server.url);
    offA();
    offA();
    await get(server.url);
    expect(calls).toEqual(['a', 'b', 'a-after', 'b']);
  });

  it('rejects what is not a hook with a TypeError', () => {
    expect(() => useHooks({ beforeRequest: 1 } as never)).toThrow(/option "hooks.beforeRequest" must be a function/);
    expect(() => useHooks({ onRequest: () => undefined } as never)).toThrow(/"hooks" has an unknown key "onRequest"/);
    expect(() => useHooks(null as never)).toThrow(/"hooks" must be an object of hook functions/);
  });
});
