// What only the OpenTelemetry backend has to prove: flushing on the way out, bounded by the
// deadline and a short timeout; many invocations at once in one process; the attribute mapping
// ADOT and the X-Ray OTLP endpoint read; the header OpenTelemetry's X-Ray propagator reads.
import { createServer, type Server } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { startOtlpReceiver, type OtlpReceiver } from '@fleece/testing';

import { addAnnotation, addMetadata, configureXray, currentTraceHeader, traceHandler, traceSubsegment, tracingStatus } from '../src/index.js';
import { OTEL_FLUSH_TIMEOUT_MS } from '../src/backends/otel.js';
import { resetColdStart } from '../src/trace-handler.js';
import { resetTracer } from '../src/tracer.js';
import { enterInvocation, newSegmentId, newTraceId } from './support/trace.js';
import { xrayTraceId } from './support/wires.js';

let receiver: OtlpReceiver;
const otelId = (xray: string) => xray.slice(2).replace('-', '');
const quiet = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env['_HANDLER'] = 'index.handler';
  process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'orders-api';
  process.env['AWS_REGION'] = 'eu-west-1';
  process.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'] = '256';
});

beforeEach(async () => {
  await resetTracer();
  resetColdStart();
  receiver.reset();
  process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = receiver.endpoint;
  quiet.warn.mockClear();
  configureXray({ logger: quiet });
});

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
  delete process.env['OTEL_EXPORTER_OTLP_PROTOCOL'];
});

afterAll(async () => {
  await resetTracer();
  await receiver.stop();
});

const context = (id: string, remainingMs = 30_000) => ({ awsRequestId: id, getRemainingTimeInMillis: () => remainingMs });

describe('the otel backend', () => {
  it('is chosen by an OTLP endpoint alone, and has sent every span before the handler settles', async () => {
    const { traceId } = enterInvocation();
    const step = traceSubsegment(async () => delay(1), { name: 'step' });
    await traceHandler(async () => {
      await step();
      await step();
    })({}, context('r-1'));
    // No waiting: the flush happened before the handler's promise settled.
    expect(receiver.spans(otelId(traceId)).map((s) => s.name).sort()).toEqual(['## index.handler', 'step', 'step']);
    expect(tracingStatus()).toMatchObject({ backend: 'otel', state: 'ready', dropped: 0 });
    expect(receiver.requests()[0]!.contentType).toBe('application/x-protobuf');
  });

  it('maps annotations, metadata, cold start, request id, resource and the AWS/HTTP fields to the attributes X-Ray reads', async () => {
    const { traceId } = enterInvocation();
    await traceHandler(async () => {
      addAnnotation('tenant', 'acme');
      addAnnotation('__proto__', 'hostile');
      addAnnotation('constructor', 'ordinary');
      addMetadata('order', { id: 'o-1', password: 'hunter2' }, 'shop');
      return 'ok';
    })({}, context('req-42'));
    const [span] = receiver.spans(otelId(traceId));
    const a = span!.attributes;
    // `__proto__` cannot be an OpenTelemetry SDK attribute (plain objects); the X-Ray backend keeps it.
    expect(a['aws.xray.annotations']).toEqual(['ColdStart', 'tenant', 'constructor']);
    expect([a['tenant'], a['constructor'], a['ColdStart']]).toEqual(['acme', 'ordinary', true]);
    expect(JSON.parse(a['aws.xray.metadata.shop'] as string)).toEqual({ order: { id: 'o-1', password: '[redacted]' } });
    expect(a['faas.coldstart']).toBe(true);
    expect(a['faas.invocation_id']).toBe('req-42');
    expect(span!.kind).toBe(1);
    expect(span!.resource).toMatchObject({
      'service.name': 'orders-api',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'orders-api',
      'faas.max_memory': 256 * 1024 * 1024,
    });
    expect(JSON.stringify(receiver.spans(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('hunter2');
  });

  it('writes the header that OpenTelemetry\'s X-Ray propagator reads as the exported span', async () => {
    const { traceId } = enterInvocation();
    let header: string | undefined;
    await traceHandler(async () => {
      header = currentTraceHeader();
    })({}, context('prop'));
    const extracted = trace.getSpanContext(new AWSXRayPropagator().extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, defaultTextMapGetter));
    const [span] = receiver.spans(otelId(traceId));
    expect(extracted).toMatchObject({ traceId: span!.traceId, spanId: span!.spanId, traceFlags: 1 });
    expect(xrayTraceId(span!.traceId)).toBe(traceId);
  });

  it('sends OTLP/JSON when OTEL_EXPORTER_OTLP_PROTOCOL says http/json', async () => {
    process.env['OTEL_EXPORTER_OTLP_PROTOCOL'] = 'http/json';
    const { traceId } = enterInvocation();
    await traceHandler(async () => 1)({}, context('json'));
    expect(receiver.spans(otelId(traceId))).toHaveLength(1);
    expect(receiver.requests()[0]!.contentType).toBe('application/json');
  });

  it('ends a span ended in the wrong order once: a child outliving its parent', async () => {
    const { traceId } = enterInvocation();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let child: Promise<void> | undefined;
    const late = traceSubsegment(async () => gate, { name: 'late' });
    const parent = traceSubsegment(async () => {
      child = late(); // not awaited: the parent ends first
    }, { name: 'parent' });
    await traceHandler(async () => parent())({}, context('order'));
    release();
    await child;
    await receiver.waitFor((r) => r.spans(otelId(traceId)).length === 3, 5000);
    await delay(50);
    const spans = receiver.spans(otelId(traceId));
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(3);
    expect(spans).toHaveLength(3);
    const p = spans.find((s) => s.name === 'parent')!;
    const l = spans.find((s) => s.name === 'late')!;
    expect(l.parentSpanId).toBe(p.spanId);
    expect(l.endTimeUnixNano).toBeGreaterThan(p.endTimeUnixNano);
  });

  it('keeps 100 overlapping invocations apart: 100 traces, no span under the wrong parent', async () => {
    const store = await InvokeStore.getInstanceAsync(true);
    const keys = InvokeStoreBase.PROTECTED_KEYS;
    const step = traceSubsegment(async (i: number, depth: number): Promise<void> => {
      addAnnotation('invocation', i);
      await delay((i * 7 + depth) % 5);
      if (depth < 2) await step(i, depth + 1);
    }, { name: 'step' });
    const handler = traceHandler(async (event: { i: number }) => {
      addAnnotation('invocation', event.i);
      await Promise.all([step(event.i, 0), step(event.i, 1)]);
      return event.i;
    });
    const invocations = Array.from({ length: 100 }, (_, i) => ({ i, traceId: newTraceId(), parentId: newSegmentId() }));
    const results = await Promise.all(
      invocations.map(({ i, traceId, parentId }) =>
        store.run({ [keys.REQUEST_ID]: `req-${i}`, [keys.X_RAY_TRACE_ID]: `Root=${traceId};Parent=${parentId};Sampled=1` }, () =>
          handler({ i }, context(`req-${i}`)),
        ),
      ),
    );
    expect(results).toEqual(invocations.map(({ i }) => i));
    const perInvocation = 1 + 3 + 2; // handler, a chain of three steps, a chain of two
    await receiver.waitFor((r) => r.spans().length >= 100 * perInvocation, 30_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; status ${JSON.stringify(tracingStatus())}`);
    });
    const traces = new Set(receiver.spans().map((s) => s.traceId));
    expect(traces.size).toBe(100);
    for (const { i, traceId, parentId } of invocations) {
      const spans = receiver.spans(otelId(traceId));
      expect(spans).toHaveLength(perInvocation);
      const ids = new Set(spans.map((s) => s.spanId));
      for (const span of spans) {
        expect(span.attributes['invocation']).toBe(i);
        // Parented by the invocation's function segment or by a span of the same invocation.
        expect(span.parentSpanId === parentId || ids.has(span.parentSpanId!)).toBe(true);
      }
      expect(spans.filter((s) => s.parentSpanId === parentId).map((s) => s.name)).toEqual(['## index.handler']);
    }
    expect(tracingStatus().dropped).toBe(0);
  }, 60_000);
});

describe('an unreachable collector', () => {
  let blackhole: Server;
  let port: number;
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: the worst a collector can do.
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    port = (blackhole.address() as { port: number }).port;
  });
  afterAll(async () => {
    await resetTracer();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  it('costs at most the flush timeout, never an error, and counts what it dropped', async () => {
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${port}`;
    enterInvocation();
    const started = performance.now();
    await expect(traceHandler(async () => 'answered')({}, context('silent'))).resolves.toBe('answered');
    // Generous against a loaded machine, far below any exporter's own default (10 s).
    expect(performance.now() - started).toBeLessThan(OTEL_FLUSH_TIMEOUT_MS + 4000);
  });

  it('is not waited for past the invocation deadline', async () => {
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${port}`;
    enterInvocation();
    // 500 ms is the scope's margin: no time is left to flush, so the handler does not wait.
    let flushedAfter = 0;
    const started = performance.now();
    await traceHandler(async () => undefined)({}, context('late', 500));
    flushedAfter = performance.now() - started;
    expect(flushedAfter).toBeLessThan(OTEL_FLUSH_TIMEOUT_MS);
  });

  it('refused connections are counted as dropped and said once', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refused = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = `http://127.0.0.1:${refused}`;
    enterInvocation();
    await expect(traceHandler(async () => 1)({}, context('refused'))).resolves.toBe(1);
    await traceHandler(async () => 2)({}, context('refused-2'));
    // The exporter retries a refused connection until its own 5 s export timeout, in the background.
    for (let waited = 0; tracingStatus().dropped === 0 && waited < 20_000; waited += 50) await delay(50);
    expect(tracingStatus().dropped).toBeGreaterThanOrEqual(1);
    expect(quiet.warn).toHaveBeenCalledTimes(1);
    expect(quiet.warn.mock.calls[0]![0]).toMatch(/^@fleece\/xray: the opentelemetry backend could not deliver \d+ span\(s\)/);
  }, 30_000);
});
