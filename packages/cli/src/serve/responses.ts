import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { EventVersion } from './options.js';

/** An HTTP response ready to write: header values in order, several for a repeated name. */
export interface HttpAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
  /** Fields of the result API Gateway ignores for this payload version, to tell the user. */
  warnings?: string[];
}

/** A Lambda result API Gateway could not turn into a response (it answers 502). */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

// Connection-level headers belong to this server, not to the function (API Gateway remaps them).
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

type Scalar = string | number | boolean;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Turns a function's result (already through JSON, as Lambda returns it) into the HTTP response
 * API Gateway would send.
 *
 * - REST API (v1): `statusCode` is required; `headers` and `multiValueHeaders` merge (a value in
 *   both appears once); the body is text, or bytes when `isBase64Encoded`; `Content-Type`
 *   defaults to `application/json`.
 * - HTTP API (v2): the same, plus `cookies` as `Set-Cookie` headers; a result without `statusCode`
 *   is a `200` whose body is the result (a string as is, anything else as JSON).
 *
 * Fields the payload version does not have (`cookies` in v1, `multiValueHeaders` in v2) are
 * ignored, as API Gateway ignores them, and reported in `warnings`.
 *
 * @throws MalformedResponseError for a result API Gateway rejects (it answers 502).
 */
export function toHttpAnswer(result: unknown, version: EventVersion): HttpAnswer {
  if (version === 'v2' && !(isObject(result) && 'statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body ?? 'null', 'utf8') };
  }
  if (!isObject(result)) throw new MalformedResponseError(`the result must be an object with a statusCode, got ${describe(result)}`);
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded, cookies } = result;
  const status = typeof statusCode === 'string' && /^\d+$/.test(statusCode) ? Number(statusCode) : statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new MalformedResponseError(`statusCode must be an HTTP status (100-599), got ${describe(statusCode)}`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') throw new MalformedResponseError(`body must be a string, got ${describe(body)}`);
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') throw new MalformedResponseError(`isBase64Encoded must be a boolean, got ${describe(isBase64Encoded)}`);

  const warnings: string[] = [];
  const merged = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string, unique: boolean) => {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) return;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      throw new MalformedResponseError(`the header ${JSON.stringify(name)} has a name or value HTTP does not allow`);
    }
    const entry = merged.get(lower) ?? { name, values: [] };
    merged.set(lower, entry);
    if (!unique || !entry.values.includes(value)) entry.values.push(value);
  };
  if (version === 'v2' && multiValueHeaders !== undefined) {
    warnings.push('multiValueHeaders is ignored by HTTP APIs (v2): join values with commas in headers, and use cookies for Set-Cookie');
  } else if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isObject(multiValueHeaders)) throw new MalformedResponseError('multiValueHeaders must be an object of arrays');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) throw new MalformedResponseError(`multiValueHeaders.${name} must be an array of strings`);
      for (const value of values) add(name, String(value), false);
    }
  }
  if (headers !== undefined && headers !== null) {
    if (!isObject(headers)) throw new MalformedResponseError('headers must be an object');
    for (const [name, value] of Object.entries(headers)) {
      if (!isScalar(value)) throw new MalformedResponseError(`headers.${name} must be a string, got ${describe(value)}`);
      add(name, String(value), true);
    }
  }
  if (version === 'v1' && cookies !== undefined) {
    warnings.push('cookies is ignored by REST APIs (v1): set cookies in multiValueHeaders["Set-Cookie"]');
  } else if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) throw new MalformedResponseError('cookies must be an array of strings');
    for (const cookie of cookies) add('set-cookie', cookie, false);
  }
  if (version === 'v1' && !merged.has('content-type')) merged.set('content-type', { name: 'Content-Type', values: ['application/json'] });

  const text = typeof body === 'string' ? body : '';
  return {
    status,
    headers: [...merged.values()].flatMap(({ name, values }) => values.map((v): [string, string] => [name, v])),
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
    ...(warnings.length > 0 && { warnings }),
  };
}

/** The answers API Gateway gives on its own. */
export function gatewayAnswer(kind: 'error' | 'timeout' | 'too-large', version: EventVersion): HttpAnswer {
  const [status, message, type] =
    kind === 'timeout'
      ? [504, 'Endpoint request timed out', 'IntegrationTimeout']
      : kind === 'too-large'
        ? [413, 'Request Too Long', 'RequestTooLarge']
        : [502, version === 'v2' ? 'Internal Server Error' : 'Internal server error', 'InternalServerErrorException'];
  return {
    status,
    headers: [
      ['content-type', 'application/json'],
      ['x-amzn-ErrorType', type],
    ],
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `a string` : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
