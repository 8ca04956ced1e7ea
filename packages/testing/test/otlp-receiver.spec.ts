import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

import { SpanKind, SpanStatusCode, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';

import { decodeTraceRequest, OtlpDecodeError, startOtlpReceiver, type OtlpReceiver } from '../src/index.js';

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.stop());
beforeEach(() => receiver.reset());

const TRACE = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

// One span with every kind of value, sent by OpenTelemetry's own exporter.
async function sendWith(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'faas.max_memory': 134217728 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: PARENT, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const span = provider.getTracer('scope-name', '1.2.3').startSpan(
    'DynamoDB.GetItem',
    {
      kind: SpanKind.CLIENT,
      startTime: 1_700_000_000_123.5,
      attributes: { text: 'ünïcode', count: 42, big: 2 ** 53 + 2, ratio: 0.25, ok: true, list: ['a', 'b'], __proto__: 'hostile', constructor: 'x' } as never,
    },
    parent,
  );
  span.recordException(new TypeError('widget'), 1_700_000_000_200);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'TypeError: widget' });
  span.end(1_700_000_000_300);
  await provider.forceFlush();
  await provider.shutdown();
}

describe.each([
  ['protobuf', 'application/x-protobuf', () => new ProtoExporter({ url: `${receiver.endpoint}/v1/traces` })],
  ['JSON', 'application/json', () => new JsonExporter({ url: `${receiver.endpoint}/v1/traces` })],
])('a span sent by OpenTelemetry as %s', (_label, contentType, exporter) => {
  it('arrives with ids, parent, name, kind, times, attributes, event, status, resource and scope', async () => {
    await sendWith(exporter());
    await receiver.waitFor((r) => r.spans().length === 1, 5000);
    expect(receiver.requests()).toEqual([{ path: '/v1/traces', contentType, status: 200, spans: 1 }]);
    const [span] = receiver.spans(TRACE);
    expect(span).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, name: 'DynamoDB.GetItem', kind: 3, status: { code: 2, message: 'TypeError: widget' } });
    expect(span!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span!.startTimeUnixNano).toBe(1_700_000_000_123_500_000n);
    expect(span!.endTimeUnixNano).toBe(1_700_000_000_300_000_000n);
    expect({ ...span!.attributes }).toEqual({ text: 'ünïcode', count: 42, big: '9007199254740994', ratio: 0.25, ok: true, list: ['a', 'b'], constructor: 'x' });
    expect(span!.events).toHaveLength(1);
    expect(span!.events[0]!.name).toBe('exception');
    expect(span!.events[0]!.attributes['exception.type']).toBe('TypeError');
    expect(span!.events[0]!.attributes['exception.message']).toBe('widget');
    expect(span!.resource['service.name']).toBe('orders');
    expect(span!.resource['faas.max_memory']).toBe(134217728);
    expect(span!.scope).toEqual({ name: 'scope-name', version: '1.2.3' });
    expect(receiver.errors).toEqual([]);
  });
});

function post(path: string, contentType: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${receiver.endpoint}${path}`, { method: 'POST', headers: { 'content-type': contentType, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the receiver as a collector answers', () => {
  it('404 elsewhere, 415 for another type, 400 for an undecodable body, and reads gzip', async () => {
    expect(await post('/v1/metrics', 'application/json', Buffer.from('{}'))).toBe(404);
    expect(await post('/v1/traces', 'text/plain', Buffer.from('{}'))).toBe(415);
    expect(await post('/v1/traces', 'application/x-protobuf', Buffer.from([0x0a, 0x05, 0x01]))).toBe(400);
    expect(await post('/v1/traces', 'application/json', Buffer.from('{'))).toBe(400);
    const json = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: PARENT, name: 'zipped', kind: 1 }] }] }] };
    expect(await post('/v1/traces', 'application/json', gzipSync(JSON.stringify(json)), { 'content-encoding': 'gzip' })).toBe(200);
    expect(receiver.spans().map((s) => s.name)).toEqual(['zipped']);
    expect(receiver.errors).toHaveLength(2);
  });

  it('413 past maxBodyBytes, and validates its options', async () => {
    const small = await startOtlpReceiver({ maxBodyBytes: 10 });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${small.endpoint}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(Buffer.alloc(100, 0x20));
      });
      expect(status).toBe(413);
    } finally {
      await small.stop();
    }
    await expect(startOtlpReceiver({ port: -1 })).rejects.toThrow('@fleece/testing: option "port" must be an integer port from 0 to 65535, got -1');
    await expect(startOtlpReceiver({ maxBodyBytes: 0 })).rejects.toThrow('option "maxBodyBytes"');
    await expect(receiver.waitFor(() => false, 10)).rejects.toThrow('OTLP receiver condition not met within 10 ms');
  });
});

describe('the protobuf decoder', () => {
  it('reads nothing from an empty body and skips unknown fields of every wire type', () => {
    expect(decodeTraceRequest(new Uint8Array())).toEqual([]);
    // field 9 varint, field 10 fixed64, field 11 fixed32, field 12 length-delimited: all unknown at the top.
    const unknown = Uint8Array.from([0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5d, 1, 2, 3, 4, 0x62, 0x01, 0x00]);
    expect(decodeTraceRequest(unknown)).toEqual([]);
  });

  it('fails only with OtlpDecodeError on hostile bytes, and always ends', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(Array.isArray(decodeTraceRequest(bytes))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(OtlpDecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
