// What user code can do with the subsegment it runs in.
import type { AnnotationValue } from './backend.js';
import { toSafeJson } from './safe-json.js';
import { currentRoot, currentSpan } from './tracer.js';

const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,500}$/;
const MAX_ANNOTATION_STRING = 1000;
/** Byte budget of one {@link addMetadata} value. */
export const METADATA_VALUE_BYTES = 8192;

/**
 * Adds an annotation (indexed, filterable in X-Ray: `annotation.tenant = "acme"`) to the current
 * subsegment. Does nothing outside a recorded subsegment. Strings longer than 1000 characters are cut.
 *
 * @returns whether a subsegment took it.
 * @throws TypeError when the key is not 1–500 letters, digits or `_`, or the value is not a string,
 *   finite number or boolean — also when nothing is traced, so the mistake shows in tests.
 */
export function addAnnotation(key: string, value: AnnotationValue): boolean {
  if (typeof key !== 'string' || !ANNOTATION_KEY.test(key)) {
    throw new TypeError(`addAnnotation: key must be 1-500 letters, digits or underscores, got ${JSON.stringify(String(key))}`);
  }
  if (!(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
    throw new TypeError(`addAnnotation: value of ${key} must be a string, a finite number or a boolean`);
  }
  const span = currentSpan();
  if (span === undefined) return false;
  span.annotate(key, typeof value === 'string' && value.length > MAX_ANNOTATION_STRING ? value.slice(0, MAX_ANNOTATION_STRING) : value);
  return true;
}

/**
 * Adds metadata (recorded, not indexed) to the current subsegment: any value, made JSON-safe
 * (secret-looking keys redacted, at most 8192 bytes). Does nothing outside a recorded subsegment.
 *
 * @param namespace - default `default`; names starting with `AWS.` are reserved by X-Ray.
 * @returns whether a subsegment took it.
 * @throws TypeError when the key or namespace is not a non-empty string, or the namespace starts with `AWS.`.
 */
export function addMetadata(key: string, value: unknown, namespace = 'default'): boolean {
  if (typeof key !== 'string' || key === '') throw new TypeError('addMetadata: key must be a non-empty string');
  if (typeof namespace !== 'string' || namespace === '') throw new TypeError('addMetadata: namespace must be a non-empty string');
  if (namespace.startsWith('AWS.')) throw new TypeError('addMetadata: namespaces starting with "AWS." are reserved by X-Ray');
  const span = currentSpan();
  if (span === undefined) return false;
  span.addMetadata(key, toSafeJson(value, METADATA_VALUE_BYTES), namespace);
  return true;
}

/**
 * The `X-Amzn-Trace-Id` value a downstream call made here should carry (to put in an SQS message
 * attribute, an event, a header `captureHttp` does not cover): the current subsegment as parent,
 * or the invocation's own header when no subsegment is open (an unsampled trace keeps `Sampled=0`,
 * so the callee does not sample what we did not). `undefined` outside a trace.
 */
export function currentTraceHeader(): string | undefined {
  const span = currentSpan();
  if (span !== undefined) return span.traceHeader();
  return currentRoot()?.traceHeader();
}
