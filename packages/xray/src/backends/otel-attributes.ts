// How a finished span reads in OpenTelemetry: the attribute names the ADOT collector's X-Ray
// exporter and the X-Ray OTLP endpoint turn back into X-Ray fields, and the semantic conventions
// other OTLP backends read.
//
//   annotation k = v          → attribute k = v, and k listed in `aws.xray.annotations`
//   metadata ns.k = v         → `aws.xray.metadata.<ns>` = JSON of { k: v, … }
//   ColdStart annotation      → also `faas.coldstart`; the request id → `faas.invocation_id`
//   AWS SDK call              → `rpc.system` = aws-api, `rpc.service`, `rpc.method`, `aws.region`,
//                               `aws.request_id`, `aws.extended_request_id`, `aws.xray.retries`
//   HTTP call                 → `http.request.method`, `url.full`, `http.response.status_code`,
//                               `http.response.body.size`
//   error / fault / throttle  → span status ERROR (X-Ray derives the three from the status code)
//
// Pure functions over FinishedSpan: no OpenTelemetry module is needed to compute them.
import type { FinishedSpan } from '../backend.js';

/** An OTLP attribute value as this package produces them. */
export type AttributeValue = string | number | boolean | string[];

/** The attribute naming the keys that X-Ray indexes as annotations. */
export const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
/** The prefix of attributes X-Ray reads as a metadata namespace (a JSON object). */
export const METADATA_PREFIX = 'aws.xray.metadata.';

/** OpenTelemetry span kinds used here (the numeric values of `@opentelemetry/api`'s SpanKind). */
export const SPAN_KIND = Object.freeze({ INTERNAL: 0, CLIENT: 2 });

/** AWS and HTTP calls are CLIENT spans (X-Ray: a remote subsegment); local code is INTERNAL. */
export function spanKind(span: FinishedSpan): number {
  return span.namespace === undefined ? SPAN_KIND.INTERNAL : SPAN_KIND.CLIENT;
}

/**
 * The span's name: `Service.Operation` for an AWS call, as OpenTelemetry's AWS SDK instrumentation
 * names it (X-Ray shows the service alone, from `rpc.service`); the recorded name otherwise.
 */
export function spanName(span: FinishedSpan): string {
  return span.aws === undefined ? span.name : `${span.aws.service}.${span.aws.operation}`;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    // Metadata is made JSON-safe when recorded; this only guards the backend's promise not to throw.
    return 'null';
  }
}

/** The span's attributes, in a prototype-less object (annotation keys are user input). */
export function spanAttributes(span: FinishedSpan): Record<string, AttributeValue> {
  const attributes = Object.create(null) as Record<string, AttributeValue>;
  if (span.annotations !== undefined) {
    // The SDK keeps attributes in plain objects, where `__proto__` cannot be a key: that one
    // annotation is left out rather than listed without a value.
    const keys = Object.keys(span.annotations).filter((key) => key !== '__proto__');
    for (const key of keys) attributes[key] = span.annotations[key] as AttributeValue;
    if (keys.length > 0) attributes[ANNOTATIONS_ATTRIBUTE] = keys;
  }
  if (span.metadata !== undefined) {
    for (const namespace of Object.keys(span.metadata)) attributes[METADATA_PREFIX + namespace] = json(span.metadata[namespace]);
  }
  if (span.invocation !== undefined) {
    attributes['faas.coldstart'] = span.invocation.coldStart;
    if (span.invocation.requestId !== undefined) attributes['faas.invocation_id'] = span.invocation.requestId;
  }
  const call = span.aws;
  if (call !== undefined) {
    attributes['rpc.system'] = 'aws-api';
    attributes['rpc.service'] = call.service;
    attributes['rpc.method'] = call.operation;
    if (call.region !== undefined) attributes['aws.region'] = call.region;
    if (call.requestId !== undefined) attributes['aws.request_id'] = call.requestId;
    if (call.extendedRequestId !== undefined) attributes['aws.extended_request_id'] = call.extendedRequestId;
    if (call.retries > 0) attributes['aws.xray.retries'] = call.retries;
  }
  const http = span.http;
  if (http !== undefined) {
    if (http.method !== undefined) attributes['http.request.method'] = http.method;
    if (http.url !== undefined) attributes['url.full'] = http.url;
    if (http.status !== undefined) attributes['http.response.status_code'] = http.status;
    if (http.contentLength !== undefined) attributes['http.response.body.size'] = http.contentLength;
  }
  return attributes;
}

/** The span status message for a failed span: the error's name and message, never its stack. */
export function statusMessage(span: FinishedSpan): string | undefined {
  if (!span.error && !span.fault) return undefined;
  const error = span.failure?.error;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (error === undefined) return span.http?.status === undefined ? undefined : `HTTP ${span.http.status}`;
  return typeof error === 'object' && error !== null ? describeObject(error) : String(error);
}

function describeObject(error: object): string {
  try {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
  } catch {
    // A throwing getter: fall through to the generic description.
  }
  return 'non-error object thrown';
}
