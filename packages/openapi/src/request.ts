import { bag } from './bag.js';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** Which event shape a request came in, so the answer goes out in the matching shape. */
export type EventFormat = 'v1' | 'v2';

/** An API Gateway REST (v1), HTTP API (v2) or Function URL event, normalised. */
export interface HttpRequest {
  format: EventFormat;
  method: string;
  path: string;
  /** Every value of every query parameter, in order (`?a=1&a=2` keeps both). */
  query: Record<string, string[]>;
  /** Every value of every header, names lower-cased. */
  headers: Record<string, string[]>;
  cookies: Record<string, string>;
  /** The raw body bytes, base64 decoded when the event says so. */
  body: Buffer | undefined;
  /** API Gateway's request id, when the event carries one. */
  requestId: string | undefined;
}

/** A v1 or v2 proxy event. */
export type ApiEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** Thrown when the event is neither a v1 nor a v2 proxy event. */
export class UnsupportedEventError extends Error {
  override readonly name = 'UnsupportedEventError';
}

/** Thrown when a request cannot be read (broken percent-encoding); it is answered with a 400. */
export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
}

/** Normalises a proxy event; throws {@link UnsupportedEventError} for anything else. */
export function parseEvent(event: ApiEvent): HttpRequest {
  if (event && typeof event === 'object' && (event as APIGatewayProxyEventV2).version === '2.0') return parseV2(event as APIGatewayProxyEventV2);
  if (event && typeof event === 'object' && typeof (event as APIGatewayProxyEvent).httpMethod === 'string') return parseV1(event as APIGatewayProxyEvent);
  throw new UnsupportedEventError('@fleece/openapi: the event is not an API Gateway REST (v1), HTTP API (v2) or Function URL event');
}

function parseV1(event: APIGatewayProxyEvent): HttpRequest {
  const headers = mergeMulti(event.headers, event.multiValueHeaders, true);
  return {
    format: 'v1',
    method: event.httpMethod.toUpperCase(),
    path: event.path || '/',
    query: mergeMulti(event.queryStringParameters, event.multiValueQueryStringParameters, false),
    headers,
    cookies: parseCookieHeaders(headers.cookie ?? []),
    body: decodeBody(event.body, event.isBase64Encoded),
    requestId: event.requestContext?.requestId,
  };
}

function parseV2(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string[]> = bag<string[]>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    // HTTP API joins repeated headers with commas; only cookies are delivered apart.
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = [String(value)];
  }
  // HTTP API moves the Cookie header into `cookies`; a documented Cookie header parameter still sees it.
  if (Array.isArray(event.cookies) && event.cookies.length) headers.cookie = [event.cookies.join('; ')];
  const cookieHeaders = headers.cookie ?? [];
  return {
    format: 'v2',
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path: event.rawPath || '/',
    // rawQueryString keeps every repeated key; queryStringParameters joins them with commas.
    query: parseQueryString(event.rawQueryString ?? ''),
    headers,
    cookies: parseCookieHeaders(cookieHeaders),
    body: decodeBody(event.body, event.isBase64Encoded),
    requestId: event.requestContext?.requestId,
  };
}

function mergeMulti(
  single: Record<string, string | undefined> | null | undefined,
  multi: Record<string, string[] | undefined> | null | undefined,
  lowerCase: boolean,
): Record<string, string[]> {
  // No prototype: `constructor` or `__proto__` are names a stranger may send, not inherited members.
  const merged: Record<string, string[]> = bag<string[]>();
  if (multi) {
    for (const name of Object.keys(multi)) {
      const values = multi[name];
      if (!Array.isArray(values)) continue;
      const key = lowerCase ? name.toLowerCase() : name;
      const strings = values.map(String);
      const existing = merged[key];
      merged[key] = existing ? existing.concat(strings) : strings;
    }
  }
  if (single) {
    for (const name of Object.keys(single)) {
      const value = single[name];
      const key = lowerCase ? name.toLowerCase() : name;
      if (value !== undefined && value !== null && merged[key] === undefined) merged[key] = [String(value)];
    }
  }
  return merged;
}

/**
 * Parses `a=1&a=2&b` into `{ a: ['1', '2'], b: [''] }` (a map without a prototype).
 * @throws MalformedRequestError for a broken percent-encoding such as `%ZZ`.
 */
export function parseQueryString(raw: string): Record<string, string[]> {
  const query: Record<string, string[]> = bag<string[]>();
  if (!raw) return query;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), 'query string');
    const value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1), 'query string');
    (query[name] ??= []).push(value);
  }
  return query;
}

/**
 * Decodes one percent-encoded URL component (`+` is a space, as in forms).
 * @throws MalformedRequestError when the encoding is broken, so the client gets a 400.
 */
export function decodeComponent(text: string, where: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new MalformedRequestError(`malformed percent-encoding in the ${where}`);
  }
}

function parseCookieHeaders(values: string[]): Record<string, string> {
  const cookies: Record<string, string> = bag<string>();
  for (const header of values) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      cookies[name] = safeDecode(part.slice(eq + 1).trim());
    }
  }
  return cookies;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function decodeBody(body: string | null | undefined, base64: boolean | undefined): Buffer | undefined {
  if (body === null || body === undefined) return undefined;
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
