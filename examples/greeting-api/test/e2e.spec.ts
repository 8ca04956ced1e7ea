import { resolve } from 'node:path';
import { startServe, type RunningServe } from '@fleece/cli';

// The main job end to end: `fleece serve` (its source) serves src/handler.mjs, which loads the
// BUILT @fleece packages (run the packages' builds first: the test target depends on ^build),
// against the embedded local AWS made ready by src/local-setup.mjs. Every route is driven over
// real HTTP with fetch, redirects followed.

const root = resolve(__dirname, '..');
let running: RunningServe;
let stdout = '';
let stderr = '';

beforeAll(async () => {
  running = await startServe(
    {
      handler: { file: resolve(root, 'src/handler.mjs'), exportName: 'handler' },
      setup: { file: resolve(root, 'src/local-setup.mjs'), exportName: 'setup' },
      port: 0,
      timeoutMs: 60_000,
      watch: false,
    },
    {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      cwd: root,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
}, 60_000);

afterAll(async () => {
  await running?.stop();
});

/** The JSON log lines the handler wrote. */
function logLines(): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const get = (path: string, init?: RequestInit) => fetch(`${running.url}${path}`, init);

describe('GET /greeting', () => {
  it('answers the greeting of the encrypted configuration, with the name given or the default', async () => {
    const named = await get('/greeting?name=Ada');
    expect(named.status).toBe(200);
    expect(await named.json()).toEqual({ message: 'Hello, Ada! (from the encrypted local configuration)' });
    const anonymous = await get('/greeting');
    expect(await anonymous.json()).toEqual({ message: 'Hello, world! (from the encrypted local configuration)' });
  });

  it('logs JSON lines carrying the request ids, which the server returns and prints too', async () => {
    const response = await get('/greeting?name=Grace');
    const apiRequestId = response.headers.get('x-amzn-requestid');
    expect(apiRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const line = logLines().find((l) => l['message'] === 'greeting' && l['name'] === 'Grace');
    expect(line).toMatchObject({ level: 'info', logger: 'greeting-api', api_request_id: apiRequestId, lambda_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(stderr).toContain(`200 GET /greeting?name=Grace `);
    expect(stderr).toContain(`api_request_id=${apiRequestId} lambda_request_id=${line!['lambda_request_id']}`);
  });

  it('rejects an invalid parameter with every problem listed', async () => {
    const response = await get(`/greeting?name=${'x'.repeat(41)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: '400: Bad Request - request validation failed',
      errors: [{ in: 'query', name: 'name', message: 'must NOT have more than 40 characters' }],
    });
  });
});

describe('POST /orders', () => {
  const order = (key: string | undefined, items: unknown) =>
    get('/orders', { method: 'POST', headers: { 'content-type': 'application/json', ...(key && { 'Idempotency-Key': key }) }, body: JSON.stringify({ items }) });

  it('places an order once per Idempotency-Key: a retry gets the same order, another body a 422', async () => {
    const items = [
      { sku: 'tea', quantity: 2 },
      { sku: 'scone', quantity: 1 },
    ];
    const first = await order('order-e2e-1', items);
    expect(first.status).toBe(201);
    const placed = (await first.json()) as { orderId: string; totalCents: number };
    expect(placed.totalCents).toBe(2 * 350 + 275);
    expect(first.headers.get('location')).toBe(`/orders/${placed.orderId}`);

    const retry = await order('order-e2e-1', items);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(placed);
    expect(logLines().filter((l) => l['message'] === 'order placed' && l['orderId'] === placed.orderId)).toHaveLength(1);

    const reused = await order('order-e2e-1', [{ sku: 'coffee', quantity: 1 }]);
    expect(reused.status).toBe(422);
    expect(await reused.json()).toEqual({ message: 'the Idempotency-Key was already used with a different request' });

    const other = await order('order-e2e-2', items);
    expect(((await other.json()) as { orderId: string }).orderId).not.toBe(placed.orderId);
  });

  it('requires the Idempotency-Key header and a valid body', async () => {
    const noKey = await order(undefined, [{ sku: 'tea', quantity: 1 }]);
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ errors: [{ in: 'header', name: 'Idempotency-Key', message: 'is required' }] });
    const badBody = await order('order-e2e-3', [{ sku: 'cake', quantity: 0 }]);
    expect(badBody.status).toBe(400);
    expect(((await badBody.json()) as { errors: Array<{ in: string }> }).errors.every((e) => e.in === 'body')).toBe(true);
  });
});

describe('GET /report', () => {
  it('sends a report over Lambda\'s 6 MB limit through S3: 303 to a presigned URL that serves it', async () => {
    const redirect = await get('/report', { redirect: 'manual' });
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get('location')!;
    expect(location.startsWith(`${running.aws!.endpoint('s3')}/greeting-api-payloads/overflow/`)).toBe(true);
    expect(new URL(location).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);

    const followed = await get('/report');
    expect(followed.status).toBe(200);
    expect(followed.url.startsWith(running.aws!.endpoint('s3'))).toBe(true);
    expect(followed.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await followed.text();
    expect(Buffer.byteLength(csv)).toBeGreaterThan(6 * 1024 * 1024);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(200_001);
    expect(lines[0]).toBe('order,day,sku,quantity,unit_cents,total_cents');
    expect(lines[200_000]).toMatch(/^order-0200000,/);
  });

  it('answers a small report directly', async () => {
    const response = await get('/report?rows=2', { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('order,day,sku,quantity,unit_cents,total_cents\norder-0000001,2026-02-02,coffee,2,400,800\norder-0000002,2026-03-03,scone,3,275,825\n');
  });
});

describe('GET /slow', () => {
  it('redirects to the job\'s poll route, runs the work in an asynchronous self-invocation, and answers through the 303 chain', async () => {
    const started = Date.now();
    const first = await get('/slow?ms=2500', { redirect: 'manual' });
    expect(first.status).toBe(303);
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^\/_jobs\/[0-9a-f-]{36}\?backoff=1000$/);

    const result = await get(location);
    expect(result.status).toBe(200);
    expect(result.redirected).toBe(true);
    const body = (await result.json()) as { done: boolean; tookMs: number };
    expect(body.done).toBe(true);
    expect(body.tookMs).toBeGreaterThanOrEqual(2500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);

    const jobs = running.aws!.lambda.invocations(running.functionName).filter((i) => i.invocationType === 'Event');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ done: true, timedOut: false });
    expect(jobs[0]!.error).toBeUndefined();
  });
});

describe('X-Ray', () => {
  it('records a subsegment for the handler, and for its AWS calls, under the trace of each request', async () => {
    const response = await get('/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'Idempotency-Key': 'order-e2e-trace' }, body: '{"items":[{"sku":"coffee","quantity":1}]}' });
    expect(response.status).toBe(201);
    const traceId = /Root=([^;]+)/.exec(response.headers.get('x-amzn-trace-id')!)![1]!;
    const xray = running.xray!;
    await xray.waitFor((c) => c.subsegments().some((s) => s.trace_id === traceId && s.name === '## handler.handler'), 5000);
    await xray.waitFor((c) => c.subsegments().some((s) => s.trace_id === traceId && s.name === 'DynamoDB'), 5000);
    const names = xray.subsegments().filter((s) => s.trace_id === traceId).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['## handler.handler', 'DynamoDB']));
  });
});
