// The OpenTelemetry backend: finished spans become OpenTelemetry spans (@opentelemetry/sdk-trace-base)
// and go over OTLP/HTTP to the collector the ADOT Lambda layer runs (OTEL_EXPORTER_OTLP_ENDPOINT,
// default http://localhost:4318), or to any OTLP/HTTP endpoint.
//
// Context, ids and the X-Amzn-Trace-Id header stay this package's (src/tracer.ts), the same for
// both backends: X-Ray trace ids become OpenTelemetry's by dropping the dashes, span ids are the
// same 16 hex digits, so the header sent downstream names exactly the span exported here. That is
// why neither @opentelemetry/id-generator-aws-xray nor @opentelemetry/propagator-aws-xray is loaded:
// their work is done already, and every module not loaded is cold start saved. (Tests check that
// the header we write is the one AWSXRayPropagator reads.)
//
// Only the packages below load, only when this backend is chosen, on the first recorded span.
import type { Context, SpanContext, TracerProvider } from '@opentelemetry/api';
import type { IdGenerator, SpanExporter } from '@opentelemetry/sdk-trace-base';

import type { BackendHooks, FinishedSpan, TracingBackend } from '../backend.js';
import { SPAN_KIND, spanAttributes, spanKind, spanName, statusMessage } from './otel-attributes.js';
import { withGlobalRequire } from './global-require.js';
import { missingPeer } from './peer.js';

/** How long a handler waits at most for its spans to be sent, in ms. */
export const OTEL_FLUSH_TIMEOUT_MS = 1000;
/**
 * How long one export request may take before it is abandoned, in ms. Longer than the wait: a slow
 * collector delays no handler past the flush timeout, and still gets the spans if it answers.
 */
export const OTEL_EXPORT_TIMEOUT_MS = 5000;

type Protocol = 'http/protobuf' | 'http/json';

/** The OTLP/HTTP encoding from the standard variables; `grpc` is not offered (the ADOT layer listens on 4318 too). */
export function otlpProtocol(env: NodeJS.ProcessEnv = process.env): Protocol {
  const raw = (env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? '').trim();
  if (raw === '' || raw === 'http/protobuf') return 'http/protobuf';
  if (raw === 'http/json') return 'http/json';
  throw new TypeError(`@fleece/xray: OTEL_EXPORTER_OTLP_PROTOCOL must be "http/protobuf" or "http/json", got ${JSON.stringify(raw.slice(0, 40))}`);
}

/** `1-5759e988-bd862e3fe1be46a994272793` → `5759e988bd862e3fe1be46a994272793`. */
export function toOtelTraceId(xrayTraceId: string): string {
  return xrayTraceId.slice(2, 10) + xrayTraceId.slice(11);
}

/** The resource of a Lambda function, in the semantic conventions' terms. */
export function lambdaResourceAttributes(env: NodeJS.ProcessEnv = process.env): Record<string, string | number> {
  const attributes: Record<string, string | number> = { 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' };
  const name = env['OTEL_SERVICE_NAME'] ?? env['AWS_LAMBDA_FUNCTION_NAME'];
  if (name !== undefined && name !== '') attributes['service.name'] = name;
  const copy: [string, string][] = [
    ['cloud.region', 'AWS_REGION'],
    ['faas.name', 'AWS_LAMBDA_FUNCTION_NAME'],
    ['faas.version', 'AWS_LAMBDA_FUNCTION_VERSION'],
    ['faas.instance', 'AWS_LAMBDA_LOG_STREAM_NAME'],
  ];
  for (const [attribute, variable] of copy) {
    const value = env[variable];
    if (value !== undefined && value !== '') attributes[attribute] = value;
  }
  const memoryMb = Number(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']);
  // The convention counts bytes; Lambda's variable counts megabytes.
  if (Number.isSafeInteger(memoryMb) && memoryMb > 0) attributes['faas.max_memory'] = memoryMb * 1024 * 1024;
  return attributes;
}

// Described, never dropped: OpenTelemetry's recordException wants name, message and stack.
function exceptionOf(error: unknown): { name: string; message: string; stack?: string } | string {
  if (error instanceof Error) return error;
  try {
    const e = error as { name?: unknown; message?: unknown; stack?: unknown } | null;
    if (typeof e === 'object' && e !== null && typeof e.message === 'string') {
      return { name: typeof e.name === 'string' ? e.name : 'Error', message: e.message, ...(typeof e.stack === 'string' ? { stack: e.stack } : {}) };
    }
  } catch {
    // A throwing getter: described by type below.
  }
  return typeof error === 'object' && error !== null ? 'non-error object thrown' : String(error);
}

/**
 * The SDK draws a span id when a span starts; ours exists already (children and downstream headers
 * use it). The id of the span being converted is lent for that one synchronous call.
 */
class LentIds implements IdGenerator {
  spanId = '';
  generateTraceId(): string {
    // Never called: every span is started under the invocation's remote parent.
    return '00000000000000000000000000000000';
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

async function importExporter(protocol: Protocol): Promise<new (config: { timeoutMillis: number }) => SpanExporter> {
  // Literal specifiers, so bundlers see exactly these modules (see missingPeer for the .catch).
  if (protocol === 'http/json') {
    const m = await import('@opentelemetry/exporter-trace-otlp-http').catch(missingPeer('@opentelemetry/exporter-trace-otlp-http', '^0.223.1'));
    return m.OTLPTraceExporter;
  }
  const m = await import('@opentelemetry/exporter-trace-otlp-proto').catch(missingPeer('@opentelemetry/exporter-trace-otlp-proto', '^0.223.1'));
  return m.OTLPTraceExporter;
}

// Counts what the exporter failed to deliver: the SDK would only report it to its diag logger.
function counted(inner: SpanExporter, hooks: BackendHooks): SpanExporter {
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        if (result.code !== 0) hooks.dropped(spans.length, result.error ?? new Error('OTLP export failed'));
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

function within(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, timeoutMs));
    // The timer must not keep a process alive that has nothing else to do.
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** Loads the OpenTelemetry SDK and an OTLP/HTTP exporter, and returns a backend sending through them. */
export async function loadOtelBackend(hooks: BackendHooks): Promise<TracingBackend> {
  const protocol = otlpProtocol();
  const [api, sdk, resources, Exporter] = await withGlobalRequire(() =>
    Promise.all([
      import('@opentelemetry/api').catch(missingPeer('@opentelemetry/api', '^1.9.1')),
      import('@opentelemetry/sdk-trace-base').catch(missingPeer('@opentelemetry/sdk-trace-base', '^2.12.1')),
      import('@opentelemetry/resources').catch(missingPeer('@opentelemetry/resources', '^2.12.1')),
      importExporter(protocol),
    ]),
  );
  const ids = new LentIds();
  const exporter = counted(new Exporter({ timeoutMillis: OTEL_EXPORT_TIMEOUT_MS }), hooks);
  const provider = new sdk.BasicTracerProvider({
    resource: resources.defaultResource().merge(resources.resourceFromAttributes(lambdaResourceAttributes())),
    idGenerator: ids,
    // Sampling was decided upstream (the trace header): only sampled spans reach a backend.
    sampler: new sdk.AlwaysOnSampler(),
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, {
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
        // Lambda invocations flush on their way out; the timer serves long-lived processes.
        scheduledDelayMillis: 1000,
        exportTimeoutMillis: OTEL_EXPORT_TIMEOUT_MS,
      }),
    ],
  });
  const tracer = (provider as TracerProvider).getTracer('@fleece/xray');

  // Many invocations in flight (Managed Instances) each flush on their way out. One flush at a
  // time, plus at most one queued behind it for spans that ended meanwhile: concurrent flushes
  // would each post a small batch, and past the exporter's concurrency limit batches are refused.
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const flushAll = (): Promise<void> => {
    if (running === undefined) {
      running = provider.forceFlush().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running.then(
      () => {
        queued = undefined;
        return flushAll();
      },
      () => {
        queued = undefined;
        return flushAll();
      },
    );
    return queued;
  };
  const parentContext = (span: FinishedSpan): Context => {
    const spanContext: SpanContext = {
      traceId: toOtelTraceId(span.traceId),
      spanId: span.parentId,
      traceFlags: api.TraceFlags.SAMPLED,
      isRemote: true,
    };
    return api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
  };

  return {
    name: 'opentelemetry',
    export(span) {
      ids.spanId = span.id;
      const otel = tracer.startSpan(
        spanName(span),
        { kind: spanKind(span) === SPAN_KIND.CLIENT ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, startTime: span.startTime, attributes: spanAttributes(span) },
        parentContext(span),
      );
      if (span.failure !== undefined && span.failure.recordedBy === undefined) otel.recordException(exceptionOf(span.failure.error), span.endTime);
      const message = statusMessage(span);
      if (span.error || span.fault) otel.setStatus({ code: api.SpanStatusCode.ERROR, ...(message === undefined ? {} : { message }) });
      otel.end(span.endTime);
    },
    flush(timeoutMs) {
      return within(flushAll(), timeoutMs);
    },
    async shutdown() {
      await within(provider.shutdown(), OTEL_FLUSH_TIMEOUT_MS);
    },
  };
}
