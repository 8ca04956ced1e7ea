// The aws-xray-sdk-core backend: the SDK's subsegment model (exception capture, the AWS parameter
// allow-list) and its UDP emitter (daemon address from AWS_XRAY_DAEMON_ADDRESS, Lambda's
// one-socket-per-batch mode), without its context machinery.
//
// Only the modules needed are loaded, on the first recorded span: not `aws-xray-sdk-core` itself,
// whose entry point enables cls-hooked's async hooks for the whole process and, in Lambda, installs
// a single process-wide "facade" segment that cannot serve concurrent invocations. Context is ours
// (AsyncLocalStorage, src/tracer.ts).
import type { FinishedSpan, HttpCallData, TracingBackend } from '../backend.js';
import { withGlobalRequire } from './global-require.js';

interface SdkSubsegment {
  id: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  notTraced?: boolean;
  segment?: unknown;
  parent?: unknown;
  namespace?: string;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: unknown;
  aws?: unknown;
  http?: unknown;
  addError(error: unknown, remote?: boolean): void;
}

interface SdkModules {
  Subsegment: new (name: string) => SdkSubsegment;
  Aws: new (response: unknown, serviceName: string) => unknown;
  emitter: { send(segment: SdkSubsegment): void; disableReusableSocket(): void };
}

function defaultOf<T>(module: unknown): T {
  const m = module as { default?: T };
  return (m.default ?? module) as T;
}

async function importSdk(): Promise<SdkModules> {
  // Literal specifiers, so bundlers see and include exactly these modules.
  const [subsegment, aws, emitter] = await withGlobalRequire(() =>
    Promise.all([
      import('aws-xray-sdk-core/dist/lib/segments/attributes/subsegment.js'),
      import('aws-xray-sdk-core/dist/lib/segments/attributes/aws.js'),
      import('aws-xray-sdk-core/dist/lib/segment_emitter.js'),
    ]),
  );
  return {
    Subsegment: defaultOf<SdkModules['Subsegment']>(subsegment),
    Aws: defaultOf<SdkModules['Aws']>(aws),
    emitter: defaultOf<SdkModules['emitter']>(emitter),
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// The SDK's exception capture wants an object with name, message and stack; a thrown string,
// number or undefined is described instead of dropped.
function throwable(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    const e = error as { name?: unknown; message: string; stack?: unknown };
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: e.message, ...(typeof e.stack === 'string' ? { stack: e.stack } : {}) };
  }
  return { name: typeof error, message: String(error) };
}

function httpBlock(http: HttpCallData): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  if (http.method !== undefined) request['method'] = http.method;
  if (http.url !== undefined) request['url'] = http.url;
  if (http.traced === true) request['traced'] = true;
  const block: Record<string, unknown> = {};
  if (Object.keys(request).length > 0) block['request'] = request;
  if (http.status !== undefined || http.contentLength !== undefined) {
    const response: Record<string, unknown> = {};
    if (http.status !== undefined) response['status'] = http.status;
    if (http.contentLength !== undefined) response['content_length'] = http.contentLength;
    block['response'] = response;
  }
  return block;
}

// Span id → id of the exception its document carries. A span rethrowing a child's error names the
// child's exception (X-Ray's `cause` as a 16-digit exception id) instead of repeating its stack.
// Children end, and are sent, before their parents; a short memory is enough.
const EXCEPTION_MEMORY = 256;

function remember(memory: Map<string, string>, spanId: string, exceptionId: unknown): void {
  if (typeof exceptionId !== 'string') return;
  memory.set(spanId, exceptionId);
  if (memory.size > EXCEPTION_MEMORY) memory.delete(memory.keys().next().value as string);
}

function toSubsegment(sdk: SdkModules, span: FinishedSpan, exceptions: Map<string, string>): SdkSubsegment {
  const sub = new sdk.Subsegment(span.name);
  sub.id = span.id;
  sub.start_time = span.startTime / 1000;
  sub.end_time = span.endTime / 1000;
  delete sub.in_progress;
  delete sub.notTraced;
  // What the SDK's formatter reads to fill in trace_id and parent_id.
  sub.segment = { trace_id: span.traceId };
  sub.parent = { id: span.parentId };
  if (span.namespace !== undefined) sub.namespace = span.namespace;
  if (span.annotations !== undefined) sub.annotations = { ...span.annotations };
  if (span.metadata !== undefined) sub.metadata = span.metadata as Record<string, Record<string, unknown>>;
  if (span.failure !== undefined) {
    const recorded = span.failure.recordedBy === undefined ? undefined : exceptions.get(span.failure.recordedBy);
    if (recorded !== undefined) {
      sub.cause = recorded;
      remember(exceptions, span.id, recorded);
    } else {
      sub.addError(throwable(span.failure.error), span.failure.remote);
      remember(exceptions, span.id, (sub.cause as { exceptions?: { id?: unknown }[] } | undefined)?.exceptions?.[0]?.id);
    }
  }
  // addError always says fault; the span's own classification decides.
  delete sub.fault;
  if (span.fault) sub.fault = true;
  if (span.error) sub.error = true;
  if (span.throttle) sub.throttle = true;
  if (span.aws !== undefined) {
    const call = span.aws;
    sub.aws = new sdk.Aws(
      {
        requestId: call.requestId,
        extendedRequestId: call.extendedRequestId,
        retryCount: call.retries,
        data: call.output,
        request: {
          operation: lowerFirst(call.operation),
          params: call.input ?? {},
          httpRequest: { region: call.region },
        },
      },
      call.service,
    );
  }
  if (span.http !== undefined) sub.http = httpBlock(span.http);
  return sub;
}

/** Loads aws-xray-sdk-core's pieces and returns a backend sending through its emitter. */
export async function loadXraySdkBackend(): Promise<TracingBackend> {
  const sdk = await importSdk();
  // As the SDK does in Lambda: a socket per batch rather than one kept across freezes and thaws.
  if (process.env['LAMBDA_TASK_ROOT'] !== undefined) sdk.emitter.disableReusableSocket();
  const exceptions = new Map<string, string>();
  return {
    name: 'aws-xray-sdk-core',
    export(span) {
      sdk.emitter.send(toSubsegment(sdk, span, exceptions));
    },
  };
}
