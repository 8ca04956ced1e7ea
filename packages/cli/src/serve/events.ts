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
 */
export function toEvent(request: IncomingRequest, options: EventOptions): GatewayRequest {
  const target = new URL(request.url, 'http://localhost');
  const path = decodePath(target.pathname);
  const query = target.search.replace(/^\?/, '');
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
  const common = { method: request.method, path, headers, query, body, sourceIp: request.sourceIp, requestId, region: options.region, accountId: options.accountId };
  const domainName = host.replace(/:\d+$/, '');
  const domainPrefix = domainName.split('.')[0] ?? domainName;

  if (options.version === 'v2') {
    const event = httpApiEvent(common, {
      requestContext: { apiId: options.apiId, domainName, domainPrefix } as never,
    });
    return { event, requestId };
  }
  const proxy = path === '/' ? undefined : path.slice(1);
  const event = apiGatewayV1Event(
    { ...common, stage: 'local', resource: proxy === undefined ? '/' : '/{proxy+}', ...(proxy !== undefined && { pathParameters: { proxy } }) },
    { requestContext: { apiId: options.apiId, domainName, domainPrefix, path } as never },
  );
  return { event, requestId };
}

/** The path with percent-escapes decoded, as API Gateway passes it; left as sent when malformed. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Header values grouped by name (case-insensitively, keeping the first spelling), in order. */
function groupHeaders(pairs: Array<[string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
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
