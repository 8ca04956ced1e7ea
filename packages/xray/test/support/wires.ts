// One view of what either backend put on the wire, so the same test runs against both: X-Ray
// documents from the UDP collector, OpenTelemetry spans from the OTLP/HTTP receiver.
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from '@fleece/testing';

import { configureXray } from '../../src/index.js';
import { resetTracer } from '../../src/tracer.js';
import { startCollector, type Collector, type XrayDocument } from './collector.js';
import { lambdaEnvironment } from './trace.js';

/** A span as either wire carries it, in X-Ray terms. */
export interface WireSpan {
  traceId: string;
  id: string;
  parentId: string | undefined;
  name: string;
  annotations: Record<string, unknown>;
  failed: boolean;
  aws?: { service: string; operation: string };
  exception?: { type: string; message: string };
}

export interface Wire {
  readonly backend: 'xray-sdk' | 'otel';
  /** Spans of one trace (X-Ray trace id) received so far. */
  spans(traceId: string): WireSpan[];
  /** Every span received so far, of any trace. */
  count(): number;
  waitFor(traceId: string, count: number, timeoutMs?: number): Promise<WireSpan[]>;
  close(): Promise<void>;
}

/** `5759e988bd862e3fe1be46a994272793` → `1-5759e988-bd862e3fe1be46a994272793`. */
export function xrayTraceId(otel: string): string {
  return `1-${otel.slice(0, 8)}-${otel.slice(8)}`;
}

function fromXray(d: XrayDocument): WireSpan {
  const cause = typeof d.cause === 'object' && d.cause !== null ? d.cause.exceptions[0] : undefined;
  return {
    traceId: d.trace_id,
    id: d.id,
    parentId: d.parent_id,
    name: d.name,
    annotations: { ...d.annotations },
    failed: d.fault === true || d.error === true,
    ...(d.namespace === 'aws' ? { aws: { service: d.name, operation: String(d.aws?.['operation']) } } : {}),
    ...(cause === undefined ? {} : { exception: { type: cause.type, message: cause.message } }),
  };
}

function fromOtel(s: OtlpSpan): WireSpan {
  const keys = (s.attributes['aws.xray.annotations'] as string[] | undefined) ?? [];
  const annotations: Record<string, unknown> = {};
  for (const key of keys) annotations[key] = s.attributes[key];
  const exception = s.events.find((e) => e.name === 'exception');
  return {
    traceId: xrayTraceId(s.traceId),
    id: s.spanId,
    parentId: s.parentSpanId,
    name: s.attributes['rpc.system'] === 'aws-api' ? String(s.attributes['rpc.service']) : s.name,
    annotations,
    failed: s.status.code === 2,
    ...(s.attributes['rpc.system'] === 'aws-api' ? { aws: { service: String(s.attributes['rpc.service']), operation: String(s.attributes['rpc.method']) } } : {}),
    ...(exception === undefined
      ? {}
      : { exception: { type: String(exception.attributes['exception.type']), message: String(exception.attributes['exception.message']) } }),
  };
}

async function waitOn(list: () => WireSpan[], wait: (ok: () => boolean, ms: number) => Promise<void>, count: number, timeoutMs: number): Promise<WireSpan[]> {
  try {
    await wait(() => list().length >= count, timeoutMs);
  } catch (error) {
    throw new Error(`expected ${count} spans, got ${JSON.stringify(list())}`, { cause: error });
  }
  return list();
}

/** Starts the receiving end for `backend` and points a fresh tracer at it. */
export async function startWire(backend: 'xray-sdk' | 'otel'): Promise<Wire> {
  await resetTracer();
  if (backend === 'xray-sdk') {
    const collector: Collector = await startCollector();
    lambdaEnvironment(collector.address);
    configureXray({ backend });
    const list = (traceId: string) => collector.documents(traceId).map(fromXray);
    return {
      backend,
      spans: list,
      count: () => collector.documents().length,
      async waitFor(traceId, count, timeoutMs = 5000) {
        await collector.waitFor(traceId, count, timeoutMs);
        return list(traceId);
      },
      close: () => collector.close(),
    };
  }
  const receiver: OtlpReceiver = await startOtlpReceiver();
  process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = receiver.endpoint;
  process.env['LAMBDA_TASK_ROOT'] = '/var/task';
  configureXray({ backend });
  const list = (traceId: string) => receiver.spans(traceId.slice(2).replace('-', '')).map(fromOtel);
  return {
    backend,
    spans: list,
    count: () => receiver.spans().length,
    waitFor: (traceId, count, timeoutMs = 5000) => waitOn(() => list(traceId), (ok, ms) => receiver.waitFor(ok, ms), count, timeoutMs),
    async close() {
      await resetTracer();
      delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
      await receiver.stop();
      if (receiver.errors.length > 0) throw new Error(`bodies the receiver could not decode: ${receiver.errors.join('; ')}`);
    },
  };
}
