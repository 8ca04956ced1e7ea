import { RetryBudget, RetryPolicy } from '@fleece/retry';
import { get, HttpError, HttpRequestError, patch, post, request, type RetryOptions } from '@fleece/http';
import { closedPort, fakeTime, startServer, startStallingServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('status retries', () => {
  it('503, 503, 200 with statusForcelist [503] makes exactly three requests and returns the 200 body', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200, body: 'finally' }]);
    const time = fakeTime();
    const response = await get(`${server.url}/thing`, {
      retries: { total: 3, statusForcelist: [503], backoffFactor: 100, sleep: time.sleep, clock: time.clock },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('finally');
    expect(server.requests).toHaveLength(3);
    // urllib3's rule in ms: backoffFactor × 2^(n−1).
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('waits for real between attempts when no sleep is injected', async () => {
    const server = await serve([{ status: 503 }, { status: 200, body: 'ok' }]);
    const started = Date.now();
    const response = await get(server.url, { retries: { total: 1, statusForcelist: [503], backoffFactor: 50 } });
    expect(response.body).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('gives up with an HttpError once retries are exhausted, naming the attempts', async () => {
    const server = await serve([{ status: 503 }]);
    const time = fakeTime();
    const error = await get(`${server.url}/x?token=SECRET`, {
      retries: { total: 2, statusForcelist: [503], sleep: time.sleep },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(503);
    expect(httpError.attempts).toBe(3);
    expect(httpError.retryReason).toBe('exhausted');
    expect(httpError.message).toBe(`GET ${server.url}/x answered 503 Service Unavailable (gave up after 3 attempts: retries exhausted)`);
    expect(server.requests).toHaveLength(3);
  });

  it('returns the last response instead when throwHttpErrors is false', async () => {
    const server = await serve([{ status: 503, body: 'still down' }]);
    const time = fakeTime();
    const response = await get(server.url, {
      throwHttpErrors: false,
      retries: { total: 2, statusForcelist: [503], sleep: time.sleep },
    });
    expect(response.statusCode).toBe(503);
    expect(response.body).toBe('still down');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a status outside the forcelist', async () => {
    const server = await serve([{ status: 404 }]);
    const error = (await get(server.url, { retries: { total: 3, statusForcelist: [503] } }).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(404);
    expect(error.attempts).toBe(1);
    expect(error.retryReason).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect((await get(server.url, { throwHttpErrors: false })).statusCode).toBe(404);
  });

  it('does not retry a forcelisted status when retries are 0', async () => {
    const server = await serve([{ status: 503 }]);
    await expect(get(server.url, { retries: { total: 0, statusForcelist: [503] } })).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('treats a forcelisted 2xx as retryable yet returns it when retries run out', async () => {
    const server = await serve([{ status: 202, body: 'accepted' }]);
    const time = fakeTime();
    const response = await get(server.url, { retries: { total: 1, statusForcelist: [202], sleep: time.sleep } });
    expect(response.statusCode).toBe(202);
    expect(server.requests).toHaveLength(2);
  });
});

describe('Retry-After', () => {
  const start = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('waits as delay-seconds say, instead of the backoff', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '2' } }, { status: 200, body: 'ok' }]);
    const time = fakeTime(start);
    const response = await get(server.url, { retries: { total: 3, statusForcelist: [503], backoffFactor: 100, sleep: time.sleep, clock: time.clock } });
    expect(response.body).toBe('ok');
    expect(time.sleeps).toEqual([2000]);
  });

  it('waits until an HTTP-date, on the injected clock', async () => {
    const at = new Date(start + 5000).toUTCString();
    const server = await serve([{ status: 503, headers: { 'retry-after': at } }, { status: 200 }]);
    const time = fakeTime(start);
    await get(server.url, { retries: { total: 1, statusForcelist: [503], sleep: time.sleep, clock: time.clock } });
    expect(time.sleeps).toEqual([5000]);
  });

  it('retries 429 and 413 that carry Retry-After even outside the forcelist (urllib3 rule)', async () => {
    const server = await serve([
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 413, headers: { 'retry-after': '3' } },
      { status: 200 },
    ]);
    const time = fakeTime();
    await get(server.url, { retries: { total: 2, sleep: time.sleep } });
    expect(time.sleeps).toEqual([1000, 3000]);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 429 without Retry-After outside the forcelist', async () => {
    const server = await serve([{ status: 429 }, { status: 200 }]);
    await expect(get(server.url, { retries: { total: 2 } })).rejects.toMatchObject({ status: 429 });
    expect(server.requests).toHaveLength(1);
  });

  it('waits at most maxRetryAfter', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '3600' } }, { status: 200 }]);
    const time = fakeTime();
    await get(server.url, { retries: { total: 1, statusForcelist: [503], maxRetryAfter: 1500, sleep: time.sleep } });
    expect(time.sleeps).toEqual([1500]);
  });

  it('falls back to the backoff when respectRetryAfter is false, and then ignores 429s', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '60' } }, { status: 200 }]);
    const time = fakeTime();
    await get(server.url, { retries: { total: 1, statusForcelist: [503], respectRetryAfter: false, backoffFactor: 250, sleep: time.sleep } });
    expect(time.sleeps).toEqual([250]);
    const throttled = await serve([{ status: 429, headers: { 'retry-after': '1' } }]);
    await expect(get(throttled.url, { retries: { total: 2, respectRetryAfter: false } })).rejects.toMatchObject({ status: 429, attempts: 1 });
  });

  it('ignores a malformed Retry-After and uses the backoff', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': 'tomorrow-ish' } }, { status: 200 }]);
    const time = fakeTime();
    await get(server.url, { retries: { total: 1, statusForcelist: [503], backoffFactor: 300, sleep: time.sleep } });
    expect(time.sleeps).toEqual([300]);
  });

  it('exposes the Retry-After ask on the final HttpError', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '7' } }]);
    const error = (await get(server.url).catch((e: unknown) => e)) as HttpError;
    expect(error.retryAfterMs).toBe(7000);
  });
});

describe('methods', () => {
  it('does not retry POST by default, even on a forcelisted status', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const error = (await post(server.url, { json: { a: 1 }, retries: { total: 3, statusForcelist: [503] } }).catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.method).toBe('POST');
    expect(error.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body).toBe('{"a":1}');
  });

  it('does not retry PATCH by default', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    await expect(patch(server.url, { retries: { total: 3, statusForcelist: [503] } })).rejects.toBeInstanceOf(HttpError);
    expect(server.requests).toHaveLength(1);
  });

  it('retries POST when allowedMethods says so', async () => {
    const server = await serve([{ status: 503 }, { status: 201, body: 'made' }]);
    const time = fakeTime();
    const response = await post(server.url, {
      body: 'x',
      retries: { total: 3, statusForcelist: [503], allowedMethods: ['POST'], sleep: time.sleep },
    });
    expect(response.statusCode).toBe(201);
    expect(server.requests.map((r) => r.body)).toEqual(['x', 'x']);
  });

  it('does not retry a POST whose connection dropped after sending (it may have been applied)', async () => {
    const server = await serve(['destroy', { status: 200 }]);
    const error = (await post(server.url, { body: 'x', retries: { total: 3 } }).catch((e: unknown) => e)) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.code).toBe('ECONNRESET');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a GET whose connection dropped', async () => {
    const server = await serve(['destroy', 'destroy', { status: 200, body: 'ok' }]);
    const time = fakeTime();
    const response = await get(server.url, { retries: { total: 2, sleep: time.sleep } });
    expect(response.body).toBe('ok');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a POST that could not connect at all (the server never saw it)', async () => {
    const port = await closedPort();
    const time = fakeTime();
    const error = (await post(`http://127.0.0.1:${port}/x`, { body: 'x', retries: { total: 2, sleep: time.sleep } }).catch(
      (e: unknown) => e,
    )) as HttpRequestError;
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.attempts).toBe(3);
    expect(error.retryReason).toBe('exhausted');
    expect(error.message).toMatch(new RegExp(`^POST http://127.0.0.1:${port}/x failed: .*ECONNREFUSED.* \\(gave up after 3 attempts: retries exhausted\\)$`));
  });

  it('uppercases the method of request()', async () => {
    const server = await serve([{ status: 204 }]);
    await request(server.url, { method: 'options' as 'OPTIONS' });
    expect(server.requests[0]!.method).toBe('OPTIONS');
  });
});

describe('the three forms of retries', () => {
  it('a number is the total', async () => {
    const server = await serve(['destroy', 'destroy', { status: 200 }]);
    await get(server.url, { retries: 2 });
    expect(server.requests).toHaveLength(3);
    const down = await serve(['destroy']);
    await expect(get(down.url, { retries: 1 })).rejects.toMatchObject({ code: 'ECONNRESET', attempts: 2 });
  });

  it('a RetryPolicy drives the attempts with its own backoff, clock and sleep', async () => {
    const server = await serve(['destroy', 'destroy', { status: 200, body: 'ok' }]);
    const time = fakeTime();
    const onRetry = jest.fn();
    const policy = new RetryPolicy({ retries: 2, base: 50, jitter: 'none', sleep: time.sleep, clock: time.clock, onRetry });
    expect((await get(server.url, { retries: policy })).body).toBe('ok');
    expect(time.sleeps).toEqual([50, 100]);
    expect(onRetry).toHaveBeenCalledTimes(2);
    expect(onRetry.mock.calls[0][0]).toMatchObject({ attempt: 1, delayMs: 50 });
  });

  it("a RetryPolicy honours Retry-After and its own retryOn's veto", async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '4' } }, { status: 200 }]);
    const time = fakeTime();
    await get(server.url, { retries: new RetryPolicy({ retries: 1, sleep: time.sleep }) });
    expect(time.sleeps).toEqual([4000]);

    const vetoed = await serve(['destroy', { status: 200 }]);
    const error = (await get(vetoed.url, { retries: new RetryPolicy({ retries: 3, retryOn: () => false }) }).catch((e: unknown) => e)) as HttpRequestError;
    expect(error.retryReason).toBe('not-retryable');
    expect(vetoed.requests).toHaveLength(1);
  });

  it("a RetryPolicy's retryOn may set the delay", async () => {
    const server = await serve(['destroy', { status: 200 }]);
    const time = fakeTime();
    await get(server.url, { retries: new RetryPolicy({ retries: 1, retryOn: () => 777, sleep: time.sleep }) });
    expect(time.sleeps).toEqual([777]);
  });

  it('urllib3-style options report each wait to onRetry', async () => {
    const server = await serve([{ status: 500 }, { status: 500 }, { status: 200 }]);
    const time = fakeTime();
    const events: number[] = [];
    const retries: RetryOptions = { total: 5, statusForcelist: [500], backoffFactor: 40, sleep: time.sleep, onRetry: (e) => events.push(e.delayMs) };
    await get(server.url, { retries });
    expect(events).toEqual([40, 80]);
  });

  it('a shared RetryBudget stops retries when it runs dry', async () => {
    const server = await serve([{ status: 503 }]);
    const time = fakeTime();
    const budget = new RetryBudget({ capacity: 5, retryCost: 5, successRefill: 1 });
    const error = (await get(server.url, { retries: { total: 5, statusForcelist: [503], budget, sleep: time.sleep } }).catch(
      (e: unknown) => e,
    )) as HttpError;
    expect(error.retryReason).toBe('budget');
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(/gave up after 2 attempts: the retry budget refused another retry/);
    expect(budget.denied).toBe(1);
  });

  it('an abort stops the retries promptly, also mid-wait', async () => {
    const server = await serve([{ status: 503 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const started = Date.now();
    const error = (await get(server.url, {
      signal: controller.signal,
      retries: { total: 3, statusForcelist: [503], backoffFactor: 10_000 },
    }).catch((e: unknown) => e)) as HttpRequestError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error.code).toBe('ERR_ABORTED');
    expect(error.retryReason).toBe('aborted');
    expect(error.message).toMatch(/was aborted \(aborted after 1 attempt\)/);
    expect((error.cause as Error).message).toBe('shutting down');
  });

  it.each([
    ['without retries', undefined],
    ['with retries', 3],
  ])('an abort %s: nothing starts once aborted, and a request in flight stops', async (_label, retries) => {
    const server = await serve([{ status: 200 }]);
    const aborted = AbortSignal.abort(new Error('too late'));
    const before = (await get(server.url, { signal: aborted, retries }).catch((e: unknown) => e)) as HttpRequestError;
    expect(before).toMatchObject({ code: 'ERR_ABORTED', attempts: 0, retryReason: 'aborted' });
    expect(server.requests).toHaveLength(0);

    const stall = await startStallingServer();
    servers.push(stall);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    const during = (await get(stall.url, { signal: controller.signal, retries }).catch((e: unknown) => e)) as HttpRequestError;
    expect(during).toMatchObject({ code: 'ERR_ABORTED', attempts: 1, retryReason: 'aborted' });
    expect(during.message).toBe(`GET ${stall.url}/ was aborted (aborted after 1 attempt)`);
    expect(stall.connections()).toBe(1);
  });
});
