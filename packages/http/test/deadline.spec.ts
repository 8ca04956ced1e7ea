import { withDeadline } from '@fleece/retry';
import { get, HttpError, HttpTimeoutError } from '@fleece/http';
import { fakeTime, startServer, startStallingServer, warmUp, type TestServer } from './servers.js';

const servers: TestServer[] = [];
beforeAll(() => warmUp(get));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

describe('the invocation deadline', () => {
  it('cuts retries short with a clear error instead of sleeping past it', async () => {
    const server = await serve([{ status: 503 }]);
    const started = Date.now();
    const error = (await withDeadline(Date.now() + 500, () =>
      get(`${server.url}/slow?key=SECRET`, { retries: { total: 5, statusForcelist: [503], backoffFactor: 1000 } }),
    ).catch((e: unknown) => e)) as HttpError;
    expect(Date.now() - started).toBeLessThan(400);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.retryReason).toBe('deadline');
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(
      new RegExp(
        `^GET ${server.url}/slow answered 503 Service Unavailable \\(gave up after 1 attempt: waiting 1000 ms \\(backoff\\) would pass the invocation deadline \\(\\d+ ms left\\)\\)$`,
      ),
    );
    expect(server.requests).toHaveLength(1);
  });

  it('fails at once rather than hang when Retry-After asks for more time than is left', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '30' } }, { status: 200 }]);
    const started = Date.now();
    const error = (await withDeadline(Date.now() + 2000, () => get(server.url, { retries: { total: 3 } })).catch((e: unknown) => e)) as HttpError;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.retryReason).toBe('deadline');
    expect(error.message).toMatch(/waiting 30000 ms \(Retry-After\) would pass the invocation deadline \(\d+ ms left\)/);
    expect(server.requests).toHaveLength(1);
  });

  it('honours a Retry-After that fits, then stops at the one that does not (injected clock)', async () => {
    const server = await serve([
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 503, headers: { 'retry-after': '4' } },
      { status: 200 },
    ]);
    const time = fakeTime();
    const end = time.clock() + 5000;
    const error = (await withDeadline(
      () => end - time.clock(),
      () => get(server.url, { retries: { total: 5, sleep: time.sleep, clock: time.clock } }),
    ).catch((e: unknown) => e)) as HttpError;
    expect(time.sleeps).toEqual([2000]);
    expect(error.attempts).toBe(2);
    expect(error.retryReason).toBe('deadline');
    expect(error.message).toMatch(/waiting 4000 ms \(Retry-After\) would pass the invocation deadline \(3000 ms left\)/);
  });

  it('bounds each attempt by the time left when that is shorter than the timeout', async () => {
    const server = await startStallingServer();
    servers.push(server);
    const started = Date.now();
    const error = (await withDeadline(Date.now() + 400, () => get(server.url, { timeout: 10_000, retries: 3 })).catch(
      (e: unknown) => e,
    )) as HttpTimeoutError;
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error.phase).toBe('deadline');
    expect(error.retryReason).toBe('deadline');
    expect(error.attempts).toBe(1);
    expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/ was cut off by the invocation deadline after \d+ ms$/);
    expect(elapsed).toBeGreaterThanOrEqual(400 * 0.8);
    expect(elapsed).toBeLessThanOrEqual(400 * 1.2);
    expect(server.connections()).toBe(1);
  });

  it('starts nothing once the deadline has passed', async () => {
    const server = await serve([{ status: 200 }]);
    const error = (await withDeadline(Date.now() - 1, () => get(server.url)).catch((e: unknown) => e)) as HttpTimeoutError;
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error.phase).toBe('deadline');
    expect(error.attempts).toBe(0);
    expect(error.message).toBe(`GET ${server.url}/ was not started: no time left before the invocation deadline`);
    expect(server.requests).toHaveLength(0);
  });

  it('leaves requests alone when the deadline is far away', async () => {
    const server = await serve([{ status: 200, body: 'ok' }]);
    expect((await withDeadline(Date.now() + 60_000, () => get(server.url))).body).toBe('ok');
  });
});
