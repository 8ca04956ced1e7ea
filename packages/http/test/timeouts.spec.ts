import { get, HttpTimeoutError, post, setDefaultTimeout } from '@fleece/http';
import { fakeTime, startStallingServer, startUnacceptingServer, warmUp } from './servers.js';

beforeAll(() => warmUp(get));
afterEach(() => setDefaultTimeout(undefined));

/** Runs `fn`, expecting an HttpTimeoutError, and says how long it took. */
async function timed(fn: () => Promise<unknown>): Promise<{ error: HttpTimeoutError; elapsed: number }> {
  const started = Date.now();
  const error = await fn().then(
    () => {
      throw new Error('expected a timeout');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpTimeoutError);
  return { error: error as HttpTimeoutError, elapsed: Date.now() - started };
}

// Settings are 800 ms and more so that a loaded CI machine's event-loop lag stays inside the window.
function expectWithin20Percent(elapsed: number, setting: number): void {
  expect(elapsed).toBeGreaterThanOrEqual(setting * 0.8);
  expect(elapsed).toBeLessThanOrEqual(setting * 1.2);
}

describe('connect timeout', () => {
  let server: Awaited<ReturnType<typeof startUnacceptingServer>>;
  beforeAll(async () => {
    server = await startUnacceptingServer();
  });
  afterAll(() => server.close());

  it('fires within 20 % of the setting against a server that never accepts', async () => {
    const { error, elapsed } = await timed(() => get(`${server.url}/x?sig=SECRET`, { timeout: { connect: 1000, read: 5000 } }));
    expect(error.phase).toBe('connect');
    expect(error.timeoutMs).toBe(1000);
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.message).toBe(`GET ${server.url}/x timed out connecting (connect timeout 1000 ms)`);
    expectWithin20Percent(elapsed, 1000);
  });

  it('is retried even for POST: the request never reached the server', async () => {
    const time = fakeTime();
    const { error } = await timed(() => post(server.url, { body: 'x', timeout: { connect: 150 }, retries: { total: 1, sleep: time.sleep } }));
    expect(error.phase).toBe('connect');
    expect(error.attempts).toBe(2);
  });
});

describe('read timeout', () => {
  let server: Awaited<ReturnType<typeof startStallingServer>>;
  beforeAll(async () => {
    server = await startStallingServer();
  });
  afterAll(() => server.close());

  it('fires within 20 % of the setting against a server that accepts and stalls', async () => {
    const { error, elapsed } = await timed(() => get(server.url, { timeout: { connect: 5000, read: 1000 } }));
    expect(error.phase).toBe('read');
    expect(error.timeoutMs).toBe(1000);
    expect(error.message).toBe(`GET ${server.url}/ timed out waiting for data (read timeout 1000 ms)`);
    expectWithin20Percent(elapsed, 1000);
  });

  it('takes a number as the read timeout too', async () => {
    const { error, elapsed } = await timed(() => get(server.url, { timeout: 800 }));
    expect(error.phase).toBe('read');
    expectWithin20Percent(elapsed, 800);
  });

  it('uses the global default when the request sets none', async () => {
    setDefaultTimeout({ read: 800 });
    const { error, elapsed } = await timed(() => get(server.url));
    expect(error.timeoutMs).toBe(800);
    expectWithin20Percent(elapsed, 800);
  });

  it('passes a got timeout object through', async () => {
    const { error, elapsed } = await timed(() => get(server.url, { timeout: { request: 800 } }));
    expect(error.phase).toBe('request');
    expect(error.message).toMatch(/did not complete within its request timeout \(800 ms\)$/);
    expectWithin20Percent(elapsed, 800);
  });

  it('is not retried for POST, which may have been applied', async () => {
    const before = server.connections();
    const { error } = await timed(() => post(server.url, { body: 'x', timeout: 150, retries: 2 }));
    expect(error.attempts).toBe(1);
    expect(server.connections() - before).toBe(1);
  });

  it('is retried for GET', async () => {
    const before = server.connections();
    const time = fakeTime();
    const { error } = await timed(() => get(server.url, { timeout: 150, retries: { total: 1, sleep: time.sleep } }));
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(/\(gave up after 2 attempts: retries exhausted\)$/);
    expect(server.connections() - before).toBe(2);
  });
});
