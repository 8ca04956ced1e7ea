import { randomBytes } from 'node:crypto';
import { LOCAL_ACCOUNT } from '../credentials.js';
import { invalid } from '../validate.js';

/** Header or query values: one value, or several for a repeated name. */
export type MultiValues = Record<string, string | string[]>;

/** The HTTP request most API event builders start from. */
export interface HttpRequestInput {
  /** Default `'GET'`. */
  method?: string;
  /** The request path, without stage or query. Default `'/'`. */
  path?: string;
  /** Header names keep their case (v1) or are lower-cased (v2, Function URL), as AWS does. */
  headers?: MultiValues;
  /** A map (repeated names as arrays) or a raw query string (`'a=1&a=2'`). */
  query?: MultiValues | string;
  /**
   * A string as is; a Buffer or Uint8Array base64-encoded with `isBase64Encoded: true`; anything
   * else as JSON (with `content-type: application/json` unless a content type is given).
   */
  body?: unknown;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  /** Default `'203.0.113.10'` (a documentation address). */
  sourceIp?: string;
  /** Default a fresh id. */
  requestId?: string;
  /** Epoch ms of the request. Default now. */
  time?: number;
  /** Default `'us-east-1'`. */
  region?: string;
  /** Default `'123456789012'`. */
  accountId?: string;
}

export const DEFAULT_USER_AGENT = 'Mozilla/5.0 (fleece-testing)';
export const DEFAULT_SOURCE_IP = '203.0.113.10';

export function checkRequest(input: HttpRequestInput): void {
  if (input === null || typeof input !== 'object') invalid('input', 'an object', input);
  if (input.method !== undefined && (typeof input.method !== 'string' || !/^[A-Za-z]+$/.test(input.method))) invalid('method', 'an HTTP method', input.method);
  if (input.path !== undefined && (typeof input.path !== 'string' || !input.path.startsWith('/'))) invalid('path', 'a path starting with "/"', input.path);
  if (input.time !== undefined && !Number.isFinite(input.time)) invalid('time', 'epoch ms', input.time);
}

/** A random lower-case id like API Gateway's api ids. */
export function shortId(length = 10): string {
  return randomBytes(length).toString('hex').slice(0, length);
}

export function accountOf(input: { accountId?: string }): string {
  return input.accountId ?? LOCAL_ACCOUNT;
}

/**
 * A map without a prototype: request data names such as `__proto__`, `constructor` or `toString`
 * are then ordinary keys, neither inherited members nor the prototype setter.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** {@link dict} filled from pairs; a later pair replaces an earlier one of the same name. */
export function dictFrom<T>(pairs: Iterable<readonly [string, T]>): Record<string, T> {
  const out = dict<T>();
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

/** A prototype-free copy of a caller's string map, or `undefined` when none was given. */
export function copyMap(values: Record<string, string> | null | undefined): Record<string, string> | undefined {
  return values ? dictFrom(Object.entries(values)) : undefined;
}

/** `[name, [values]]` pairs of a header or query map, in order. */
export function entries(values: MultiValues | undefined): Array<[string, string[]]> {
  return Object.entries(values ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]]);
}

// Lone surrogates make encodeURIComponent throw; a client's encoder sends U+FFFD in their place.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function encode(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}

// A malformed escape (`%ZZ`) stays as sent rather than failing the builder: the handler under test
// is the one that must cope with it.
function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Query pairs, decoded, from a map or a raw string. */
export function queryPairs(query: MultiValues | string | undefined): Array<[string, string]> {
  if (query === undefined) return [];
  if (typeof query === 'string') {
    return query
      .replace(/^\?/, '')
      .split('&')
      .filter(Boolean)
      .map((part) => {
        const eq = part.indexOf('=');
        return eq < 0 ? ([decode(part), ''] as [string, string]) : ([decode(part.slice(0, eq)), decode(part.slice(eq + 1))] as [string, string]);
      });
  }
  return entries(query).flatMap(([k, vs]) => vs.map((v) => [k, v] as [string, string]));
}

/** The raw query string as the client sent it. */
export function rawQuery(query: MultiValues | string | undefined): string {
  if (typeof query === 'string') return query.replace(/^\?/, '');
  return queryPairs(query)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
}

/** Groups pairs by name, keeping order, in a {@link dict}. */
export function group(pairs: Array<[string, string]>): Record<string, string[]> {
  const out = dict<string[]>();
  for (const [k, v] of pairs) (out[k] ??= []).push(v);
  return out;
}

/** The body as API Gateway delivers it, and the content type it implies. */
export function encodeBody(body: unknown): { body: string | null; isBase64Encoded: boolean; contentType?: string } {
  if (body === undefined || body === null) return { body: null, isBase64Encoded: false };
  if (typeof body === 'string') return { body, isBase64Encoded: false };
  if (body instanceof Uint8Array) return { body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
  return { body: JSON.stringify(body), isBase64Encoded: false, contentType: 'application/json' };
}

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestTime. */
export function requestTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Shallow merge, one level deeper for plain-object members (requestContext and the like). */
export function applyOverrides<T extends object>(event: T, overrides: Partial<T> | undefined): T {
  if (overrides === undefined) return event;
  if (overrides === null || typeof overrides !== 'object') invalid('overrides', 'an object', overrides);
  const out = { ...event } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    const merged =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? { ...current, ...value }
        : value;
    // defineProperty, not assignment: an override named `__proto__` is a member, not a new prototype.
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}
