import { randomUUID } from 'node:crypto';
import { apiGatewayV1Event, httpApiEvent } from '@fleece/testing';
import type { EventVersion } from './options.js';

/** One HTTP request as it reached the server. */
export interface IncomingRequest {
  method: string;
  /** The request target: path and query, as sent. */
  url: string;
  /** Names and values in arrival order, names as sent (Node's `rawHeaders`, paired). */
  headers: Array<[string, string]>;
  body: Buffer;
  /** The client's address. */
  sourceIp: string;
  /** The port the server listens on. */
  port: number;
}

/** What the API Gateway side knows of the request. */
export interface GatewayRequest {
  event: unknown;
  /** API Gateway's request id (`requestContext.requestId`), also returned in a response header. */
  requestId: string;
}

/** What every event of a server shares: payload version, region, account, API id, and the request's trace header. */
export interface EventOptions {
  version: EventVersion;
  region: string;
  accountId: string;
  /** The API id every event of this server carries. */
  apiId: string;
  /** `X-Amzn-Trace-Id` as API Gateway forwards it, when tracing. */
  traceHeader?: string;
}

// Content types API Gateway hands over as text; any other body arrives base64-encoded, as with
// HTTP APIs (REST APIs do the same once binaryMediaTypes lists the type).
const TEXT_TYPES = [/^text\//, /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml|x-ndjson)\b/, /\+(json|xml)\b/];

/** True when a body of this content type travels as text in the event. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return true;
  const type = contentType.toLowerCase();
  return TEXT_TYPES.some((re) => re.test(type));
}

/**
 * Turns a request into an API Gateway proxy event: REST API (v1) with `multiValueHeaders` and
 * `multiValueQueryStringParameters`, or HTTP API (v2) with `rawQueryString` and `cookies`.
 * The event looks like one from a custom domain with an `ANY /{proxy+}` route, so `path` and
 * `requestContext.path` are the path as requested (redirects built from them stay on this server).
 *
 * Every map of request data is built without a prototype, so `__proto__`, `constructor` or
 * `toString` are names like any other; a malformed escape (`%ZZ`) stays as sent. The builders of
 * `@fleece/testing` make the rest of the event, without request data, so no name reaches them.
 */
export function toEvent(request: IncomingRequest, options: EventOptions): GatewayRequest {
  const { rawPath, query } = splitTarget(request.url);
  const path = decode(rawPath, false);
  const headers = groupHeaders(request.headers);
  const host = headerValue(headers, 'host') ?? `127.0.0.1:${request.port}`;
  // API Gateway appends the caller to X-Forwarded-For and states its own port and protocol.
  const forwardedFor = [headerValue(headers, 'x-forwarded-for'), request.sourceIp].filter(Boolean).join(', ');
  setHeader(headers, 'X-Forwarded-For', forwardedFor);
  setHeader(headers, 'X-Forwarded-Port', String(request.port));
  setHeader(headers, 'X-Forwarded-Proto', 'http');
  if (options.traceHeader) setHeader(headers, 'X-Amzn-Trace-Id', options.traceHeader);
  const contentType = headerValue(headers, 'content-type');
  const body = request.body.length === 0 ? undefined : isTextContentType(contentType) ? request.body.toString('utf8') : request.body;
  const requestId = randomUUID();
  // The builders take letters only; Node also lets through methods such as M-SEARCH, set below.
  const method = request.method;
  const common = { method: /^[A-Za-z]+$/.test(method) ? method : 'GET', path, body, sourceIp: request.sourceIp, requestId, region: options.region, accountId: options.accountId };
  const domainName = host.replace(/:\d+$/, '');
  const domainPrefix = domainName.split('.')[0] ?? domainName;
  const params = queryParams(query);
  const userAgent = headerValue(headers, 'user-agent');

  if (options.version === 'v2') {
    const event = httpApiEvent(common, { requestContext: { apiId: options.apiId, domainName, domainPrefix } as never });
    const v2Headers = dict<string>();
    const cookies: string[] = [];
    for (const name of Object.keys(headers)) {
      const values = headers[name] ?? [];
      const lower = name.toLowerCase();
      if (lower === 'cookie') cookies.push(...values.flatMap((v) => v.split(/;\s*/)).filter(Boolean));
      else v2Headers[lower] = lower in v2Headers ? `${v2Headers[lower]},${values.join(',')}` : values.join(',');
    }
    event.headers = v2Headers;
    event.rawQueryString = query;
    event.requestContext.http.userAgent = userAgent ?? '';
    event.requestContext.http.method = method;
    if (cookies.length > 0) event.cookies = cookies;
    if (Object.keys(params).length > 0) event.queryStringParameters = mapValues(params, (values) => values.join(','));
    return { event, requestId };
  }
  const proxy = path === '/' ? undefined : path.slice(1);
  const event = apiGatewayV1Event(
    { ...common, stage: 'local', resource: proxy === undefined ? '/' : '/{proxy+}', ...(proxy !== undefined && { pathParameters: proxyParameter(proxy) }) },
    { requestContext: { apiId: options.apiId, domainName, domainPrefix, path } as never },
  );
  const hasQuery = Object.keys(params).length > 0;
  event.multiValueHeaders = headers;
  event.headers = mapValues(headers, (values) => values.at(-1) ?? '');
  event.multiValueQueryStringParameters = hasQuery ? params : null;
  event.queryStringParameters = hasQuery ? mapValues(params, (values) => values.at(-1) ?? '') : null;
  event.requestContext.identity.userAgent = userAgent ?? null;
  event.httpMethod = method;
  event.requestContext.httpMethod = method;
  return { event, requestId };
}

/** A map without a prototype: request names such as `__proto__` are then ordinary keys. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function mapValues<T, U>(map: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  const out = dict<U>();
  for (const name of Object.keys(map)) out[name] = fn(map[name] as T);
  return out;
}

function proxyParameter(proxy: string): Record<string, string> {
  const out = dict<string>();
  out['proxy'] = proxy;
  return out;
}

/**
 * The path and the raw query of a request target. Split by hand: `new URL` would read `//x/y` as
 * a host and normalise dot segments and escapes, none of which API Gateway does.
 */
function splitTarget(target: string): { rawPath: string; query: string } {
  let rest = target.split('#', 1)[0] ?? '';
  if (!rest.startsWith('/')) {
    // The absolute form (`GET http://host/x`) or `*`: keep the path part only.
    const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i.exec(rest);
    rest = scheme ? rest.slice(scheme[0].length) : '';
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const mark = rest.indexOf('?');
  return mark < 0 ? { rawPath: rest, query: '' } : { rawPath: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/** Percent-escapes decoded (and `+` as a space in a query); a malformed escape is left as sent. */
function decode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Query parameters by decoded name, every value in order; a name without `=` has the value ''. */
function queryParams(query: string): Record<string, string[]> {
  const out = dict<string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(eq < 0 ? part : part.slice(0, eq), true);
    const value = eq < 0 ? '' : decode(part.slice(eq + 1), true);
    (out[name] ??= []).push(value);
  }
  return out;
}

/** Header values grouped by name (case-insensitively, keeping the first spelling), in order. */
function groupHeaders(pairs: Array<[string, string]>): Record<string, string[]> {
  const out = dict<string[]>();
  const spelling = new Map<string, string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    const key = spelling.get(lower) ?? name;
    spelling.set(lower, key);
    (out[key] ??= []).push(value);
  }
  return out;
}

function findKey(headers: Record<string, string[]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((k) => k.toLowerCase() === lower);
}

function headerValue(headers: Record<string, string[]>, name: string): string | undefined {
  const key = findKey(headers, name);
  return key === undefined ? undefined : headers[key]?.at(-1);
}

function setHeader(headers: Record<string, string[]>, name: string, value: string): void {
  const key = findKey(headers, name);
  if (key !== undefined) delete headers[key];
  headers[key ?? name] = [value];
}
