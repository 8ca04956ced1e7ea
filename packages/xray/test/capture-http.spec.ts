import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { get, post } from '@fleece/http';
import got from 'got';

import { captureHttp, gotTracingHooks, traceSubsegment, tracingStatus } from '../src/index.js';
import { exceptionsOf, startCollector, type Collector, type XrayDocument } from './support/collector.js';
import { enterInvocation, lambdaEnvironment } from './support/trace.js';

let collector: Collector;
let server: Server;
let base: string;
const received: IncomingHttpHeaders[] = [];
// Statuses to answer with, in order; 200 once they run out.
let script: number[] = [];

beforeAll(async () => {
  collector = await startCollector();
  lambdaEnvironment(collector.address);
  server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    request.on('end', () => {
      const status = script.shift() ?? 200;
      const body = `status ${status}`;
      response.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await collector.close();
});

let stop: () => void;
beforeEach(() => {
  received.length = 0;
  script = [];
  stop = captureHttp();
});

afterEach(() => {
  stop();
  delete process.env['_X_AMZN_TRACE_ID'];
});

const httpDocs = (docs: XrayDocument[]) => docs.filter((d) => d.namespace === 'remote');

describe('captureHttp', () => {
  it('records a subsegment named after the host, without the query string, and the trace header reaches the server', async () => {
    const { traceId } = enterInvocation();
    const fetchItems = traceSubsegment(async () => (await get(`${base}/items?token=s3cr3t&page=2`)).body, { name: 'fetchItems' });
    await expect(fetchItems()).resolves.toBe('status 200');
    const docs = await collector.waitFor(traceId, 2);
    const caller = docs.find((d) => d.name === 'fetchItems')!;
    const [call] = httpDocs(docs);
    expect(call).toMatchObject({
      name: '127.0.0.1',
      parent_id: caller.id,
      http: { request: { method: 'GET', url: `${base}/items` }, response: { status: 200, content_length: 10 } },
    });
    expect(call!.error ?? call!.fault ?? call!.throttle).toBeUndefined();
    expect(JSON.stringify(docs)).not.toContain('s3cr3t');
    expect(received).toHaveLength(1);
    expect(received[0]!['x-amzn-trace-id']).toBe(`Root=${traceId};Parent=${call!.id};Sampled=1;Lineage=a87bd80c:0`);
  });

  it('flags 4xx as error, 429 as throttle, 5xx as fault — one subsegment per attempt', async () => {
    const { traceId } = enterInvocation();
    script = [404];
    await expect(get(`${base}/missing`)).rejects.toMatchObject({ name: 'HttpError' });
    script = [429];
    await expect(get(`${base}/busy`)).rejects.toMatchObject({ name: 'HttpError' });
    script = [503];
    await get(`${base}/flaky`, { retries: { total: 1, statusForcelist: [503], sleep: async () => undefined } });
    const docs = httpDocs(await collector.waitFor(traceId, 4));
    const byPath = (path: string) => docs.filter((d) => d.http!.request!['url'] === `${base}${path}`);
    expect(byPath('/missing')).toMatchObject([{ error: true, http: { response: { status: 404 } } }]);
    expect(byPath('/missing')[0]!.fault).toBeUndefined();
    expect(byPath('/busy')).toMatchObject([{ error: true, throttle: true, http: { response: { status: 429 } } }]);
    const flaky = byPath('/flaky').sort((a, b) => a.start_time - b.start_time);
    expect(flaky).toMatchObject([{ fault: true, http: { response: { status: 503 } } }, { http: { response: { status: 200 } } }]);
    expect(flaky[1]!.fault).toBeUndefined();
    // Each attempt told the server its own subsegment.
    expect(received.map((h) => h['x-amzn-trace-id'])).toEqual(
      [byPath('/missing')[0]!, byPath('/busy')[0]!, ...flaky].map((d) => `Root=${traceId};Parent=${d.id};Sampled=1;Lineage=a87bd80c:0`),
    );
  });

  it('records a request that got no answer as a fault with the remote exception, and the error reaches the caller', async () => {
    const { traceId } = enterInvocation();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await get(`http://127.0.0.1:${port}/gone`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    const [call] = httpDocs(await collector.waitFor(traceId, 1));
    expect(call).toMatchObject({ name: '127.0.0.1', fault: true, http: { request: { method: 'GET', url: `http://127.0.0.1:${port}/gone` } } });
    expect(call!.http!.response).toBeUndefined();
    expect(exceptionsOf(call!)[0]).toMatchObject({ remote: true });
    expect(exceptionsOf(call!)[0]!.message).toMatch(/ECONNREFUSED/);
  });

  it('keeps credentials out of the recorded URL and leaves a trace header the caller set', async () => {
    const { traceId } = enterInvocation();
    const withCredentials = new URL(`${base}/login`);
    withCredentials.username = 'ann';
    withCredentials.password = 'pa55word';
    await post(withCredentials, { headers: { 'X-Amzn-Trace-Id': 'Root=1-00000000-000000000000000000000000;Parent=0000000000000001;Sampled=0' } });
    const [call] = httpDocs(await collector.waitFor(traceId, 1));
    expect(call!.http!.request).toEqual({ method: 'POST', url: `${base}/login` });
    expect(JSON.stringify(call)).not.toContain('pa55word');
    expect(received[0]!['x-amzn-trace-id']).toBe('Root=1-00000000-000000000000000000000000;Parent=0000000000000001;Sampled=0');
  });

  it('sends the unsampled decision downstream and records nothing; outside a trace sends no header', async () => {
    const { traceId, parentId } = enterInvocation(false);
    const sent = tracingStatus().sent;
    await get(`${base}/quiet`);
    expect(received[0]!['x-amzn-trace-id']).toBe(`Root=${traceId};Parent=${parentId};Sampled=0;Lineage=a87bd80c:0`);
    delete process.env['_X_AMZN_TRACE_ID'];
    await get(`${base}/quiet`);
    expect(received[1]!['x-amzn-trace-id']).toBeUndefined();
    expect(tracingStatus().sent).toBe(sent);
  });

  it('is idempotent, and stops when told to', async () => {
    expect(captureHttp()).toBe(stop);
    const { traceId } = enterInvocation();
    await get(`${base}/once`);
    stop();
    await get(`${base}/untraced`);
    expect(received[1]!['x-amzn-trace-id']).toBeUndefined();
    const marker = enterInvocation();
    await traceSubsegment(async () => 1, { name: 'marker' })();
    await collector.waitFor(marker.traceId, 1);
    expect(httpDocs(collector.documents(traceId)).map((d) => d.http!.request!['url'])).toEqual([`${base}/once`]);
  });
});

describe('gotTracingHooks', () => {
  it('traces a got instance of your own', async () => {
    stop();
    const traced = got.extend({ hooks: gotTracingHooks() });
    const { traceId } = enterInvocation();
    await expect(traced(`${base}/raw?x=1`).text()).resolves.toBe('status 200');
    const [call] = httpDocs(await collector.waitFor(traceId, 1));
    expect(call).toMatchObject({ name: '127.0.0.1', http: { request: { method: 'GET', url: `${base}/raw` }, response: { status: 200 } } });
    expect(received[0]!['x-amzn-trace-id']).toBe(`Root=${traceId};Parent=${call!.id};Sampled=1;Lineage=a87bd80c:0`);
  });

  it('records got’s own HTTPError (throwHttpErrors) with its status', async () => {
    stop();
    const traced = got.extend({ hooks: gotTracingHooks(), retry: { limit: 0 } });
    const { traceId } = enterInvocation();
    script = [500];
    await expect(traced(`${base}/boom`)).rejects.toMatchObject({ name: 'HTTPError' });
    const [call] = httpDocs(await collector.waitFor(traceId, 1));
    expect(call).toMatchObject({ fault: true, http: { response: { status: 500 } } });
  });
});
