// A local OTLP/HTTP trace receiver: what the ADOT Lambda layer's collector (or any OpenTelemetry
// collector) listens for on port 4318, for tests that assert on the spans an application exports.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

import { decodeTraceRequest, OtlpDecodeError, type OtlpSpan, type OtlpValue } from './otlp-protobuf.js';
import { checkMs, checkObject, checkPort, invalid } from './validate.js';

export { decodeTraceRequest, OtlpDecodeError, type OtlpSpan, type OtlpValue };

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Default 0: a random free port on 127.0.0.1. */
  port?: number;
  /** Bodies over this many bytes are refused with 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** One POST the receiver answered. */
export interface OtlpRequestRecord {
  path: string;
  contentType: string;
  /** HTTP status answered: 200, or 4xx for a body it could not read. */
  status: number;
  spans: number;
}

/** A local OTLP/HTTP receiver recording every span posted to `/v1/traces`, JSON or protobuf. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: the value for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every span received, in order of arrival; with `traceId` (32 hex digits), that trace's only. */
  spans(traceId?: string): OtlpSpan[];
  /** Every request answered, in order. */
  requests(): OtlpRequestRecord[];
  /** Bodies the receiver could not decode, with the reason. */
  readonly errors: string[];
  /** Resolves once `predicate` holds (checked now and after every request); rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: (receiver: OtlpReceiver) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets everything received. */
  reset(): void;
  /** Closes the server and its connections. Safe to call more than once. */
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

function idOf(value: unknown, bytes: number): string {
  if (typeof value !== 'string' || value === '') return '';
  // OTLP/JSON carries ids as hex; tolerate base64 (protobuf's JSON mapping) too.
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  return Buffer.from(value, 'base64').toString('hex');
}

function nanos(value: unknown): bigint {
  try {
    return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) ? BigInt(value) : 0n;
  } catch {
    return 0n;
  }
}

function jsonValue(value: unknown): OtlpValue {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v['stringValue'] === 'string') return v['stringValue'];
  if (typeof v['boolValue'] === 'boolean') return v['boolValue'];
  if (v['intValue'] !== undefined) {
    const n = nanos(v['intValue']);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  }
  if (typeof v['doubleValue'] === 'number') return v['doubleValue'];
  if (typeof v['bytesValue'] === 'string') return Uint8Array.from(Buffer.from(v['bytesValue'], 'base64'));
  const array = v['arrayValue'] as { values?: unknown } | undefined;
  if (array !== undefined) return Array.isArray(array?.values) ? array.values.map(jsonValue) : [];
  const list = v['kvlistValue'] as { values?: unknown } | undefined;
  if (list !== undefined) return jsonAttributes(list?.values);
  return null;
}

function jsonAttributes(list: unknown): Record<string, OtlpValue> {
  const out = Object.create(null) as Record<string, OtlpValue>;
  if (!Array.isArray(list)) return out;
  for (const kv of list as { key?: unknown; value?: unknown }[]) {
    if (typeof kv?.key === 'string') out[kv.key] = jsonValue(kv.value);
  }
  return out;
}

const arrayOf = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((v) => v !== null && typeof v === 'object') : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Decodes an OTLP/JSON `ExportTraceServiceRequest` into its spans. @throws OtlpDecodeError on a body that is not JSON. */
export function decodeJsonTraceRequest(body: string): OtlpSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new OtlpDecodeError(`body is not JSON: ${(error as Error).message}`);
  }
  const spans: OtlpSpan[] = [];
  for (const rs of arrayOf((parsed as Record<string, unknown> | null)?.['resourceSpans'])) {
    const resource = jsonAttributes((rs['resource'] as Record<string, unknown> | undefined)?.['attributes']);
    for (const ss of arrayOf(rs['scopeSpans'])) {
      const sc = (ss['scope'] ?? {}) as Record<string, unknown>;
      const scope = { name: text(sc['name']), version: text(sc['version']) };
      for (const s of arrayOf(ss['spans'])) {
        const status = (s['status'] ?? {}) as Record<string, unknown>;
        spans.push({
          traceId: idOf(s['traceId'], 16),
          spanId: idOf(s['spanId'], 8),
          parentSpanId: idOf(s['parentSpanId'], 8) || undefined,
          name: text(s['name']),
          kind: typeof s['kind'] === 'number' ? s['kind'] : 0,
          startTimeUnixNano: nanos(s['startTimeUnixNano']),
          endTimeUnixNano: nanos(s['endTimeUnixNano']),
          attributes: jsonAttributes(s['attributes']),
          events: arrayOf(s['events']).map((e) => ({ name: text(e['name']), timeUnixNano: nanos(e['timeUnixNano']), attributes: jsonAttributes(e['attributes']) })),
          status: { code: typeof status['code'] === 'number' ? status['code'] : 0, message: text(status['message']) },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Starts an OTLP/HTTP receiver on 127.0.0.1 answering `POST /v1/traces` as a collector does:
 * `application/x-protobuf` or `application/json` bodies (gzip allowed), 200 with an empty
 * ExportTraceServiceResponse, 400 for a body it cannot decode, 415 for another type, 404 elsewhere.
 *
 * @throws TypeError naming the option when an option is invalid.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  checkObject('options', options);
  checkPort('port', options.port);
  const { maxBodyBytes = DEFAULT_MAX_BODY } = options;
  if (typeof maxBodyBytes !== 'number' || !Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) invalid('maxBodyBytes', 'a positive integer of bytes', maxBodyBytes);
  const spans: OtlpSpan[] = [];
  const records: OtlpRequestRecord[] = [];
  const errors: string[] = [];
  const waiters = new Set<() => void>();

  const answer = (response: ServerResponse, record: OtlpRequestRecord, body: string | Buffer): void => {
    records.push(record);
    response.writeHead(record.status, { 'content-type': record.contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
    response.end(body);
    for (const wake of [...waiters]) wake();
  };

  const server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const record = { path, contentType, status: 200, spans: 0 };
      if (request.method !== 'POST' || path !== '/v1/traces') return answer(response, { ...record, status: 404 }, '');
      let body = await readBody(request, maxBodyBytes);
      if (body === undefined) return answer(response, { ...record, status: 413 }, '');
      const json = contentType === 'application/json';
      if (!json && contentType !== 'application/x-protobuf') return answer(response, { ...record, status: 415 }, '');
      try {
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body, { maxOutputLength: maxBodyBytes });
        const received = json ? decodeJsonTraceRequest(body.toString('utf8')) : decodeTraceRequest(body);
        spans.push(...received);
        return answer(response, { ...record, spans: received.length }, json ? '{}' : Buffer.alloc(0));
      } catch (error) {
        errors.push(`${contentType}: ${(error as Error).message}`);
        return answer(response, { ...record, status: 400 }, '');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;

  const receiver: OtlpReceiver = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    spans: (traceId) => spans.filter((s) => traceId === undefined || s.traceId === traceId),
    requests: () => [...records],
    errors,
    waitFor(predicate, timeoutMs = 2000) {
      if (typeof predicate !== 'function') invalid('predicate', 'a function', predicate);
      checkMs('timeoutMs', timeoutMs);
      if (predicate(receiver)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => {
          if (!predicate(receiver)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`@fleece/testing: OTLP receiver condition not met within ${timeoutMs} ms (${spans.length} spans received)`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    reset() {
      spans.length = 0;
      records.length = 0;
      errors.length = 0;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
  return receiver;
}
