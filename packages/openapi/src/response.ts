import { bag } from './bag.js';
import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { EventFormat } from './request.js';

/** What a handler may return to control the answer fully. Any other value is sent as JSON with 200. */
export interface ApiResponse {
  statusCode: number;
  /** Single-valued headers. */
  headers?: Record<string, string | number | boolean>;
  /** Headers with several values (each sent apart in v1, joined with `, ` in v2). */
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  /** `Set-Cookie` values. */
  cookies?: string[];
  /** A string or bytes are sent as they are (bytes base64-encoded); anything else as JSON. */
  body?: unknown;
}

/** The answer in the shape the event's API expects. */
export type LambdaHttpResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2;

/** True when `value` is an {@link ApiResponse} rather than a body. */
export function isApiResponse(value: unknown): value is ApiResponse {
  return !!value && typeof value === 'object' && !Buffer.isBuffer(value) && typeof (value as ApiResponse).statusCode === 'number';
}

/** Turns a handler's return value into a full response: undefined is 204, a plain value is 200 JSON. */
export function toApiResponse(value: unknown): ApiResponse {
  if (isApiResponse(value)) return value;
  if (value === undefined) return { statusCode: 204 };
  return { statusCode: 200, body: value };
}

/** A JSON answer. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body };
}

/** Serialises a response for API Gateway v1 or v2 (HTTP API and Function URLs). */
export function formatResponse(response: ApiResponse, format: EventFormat, omitBody = false): LambdaHttpResult {
  const headers: Record<string, string> = bag<string>();
  const multi: Record<string, string[]> = bag<string[]>();
  for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) multi[name.toLowerCase()] = values.map(String);

  let body = '';
  let isBase64Encoded = false;
  const raw = response.body;
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) {
    body = Buffer.from(raw).toString('base64');
    isBase64Encoded = true;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof raw === 'string') {
    body = raw;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (raw !== undefined) {
    body = JSON.stringify(raw);
    headers['content-type'] ??= 'application/json';
  }
  if (omitBody) body = '';

  const cookies = [...(response.cookies ?? []), ...(multi['set-cookie'] ?? [])];
  delete multi['set-cookie'];
  if (format === 'v2') {
    for (const [name, values] of Object.entries(multi)) headers[name] = [headers[name], ...values].filter((v) => v !== undefined).join(', ');
    return { statusCode: response.statusCode, headers, ...(cookies.length ? { cookies } : {}), body, isBase64Encoded };
  }
  if (cookies.length) multi['set-cookie'] = cookies;
  return { statusCode: response.statusCode, headers, ...(Object.keys(multi).length ? { multiValueHeaders: multi } : {}), body, isBase64Encoded };
}
