import { createSession, get } from '@fleece/http';
import { startServer, type TestServer } from './servers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer([{ status: 200, body: 'hello' }]);
});
afterAll(() => server.close());

describe('loading got', () => {
  it('reaches the ESM-only got through dynamic import()', async () => {
    const got = await import('got');
    expect(typeof got.default).toBe('function');
    expect(typeof got.default.extend).toBe('function');
  });

  it('makes a real request through the module functions and a session', async () => {
    expect((await get(`${server.url}/a`)).body).toBe('hello');
    const session = createSession({ prefixUrl: server.url });
    expect((await session.get('b')).body).toBe('hello');
    expect(server.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });
});
