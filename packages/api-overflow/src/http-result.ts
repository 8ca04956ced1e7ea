import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What an API handler returns: a REST (v1) or HTTP API / Function URL (v2) result. */
export type HttpResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2;

/** A proxy event of any of the three APIs, as far as this package reads it. */
export interface HttpEvent {
  version?: string;
  path?: string;
  rawPath?: string;
  rawQueryString?: string;
  requestContext?: { path?: string; requestId?: string; http?: { path?: string } };
}

/**
 * The result in its full form. HTTP API and Function URLs also accept a bare value, which they
 * send as a JSON body with status 200; this makes that explicit so it can be measured and moved.
 */
export function normalizeResult(result: unknown): HttpResult {
  if (result && typeof result === 'object' && typeof (result as HttpResult).statusCode === 'number') return result as HttpResult;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result ?? null) };
}

/** A header's value, whatever the case of its name, from `headers` or `multiValueHeaders`. */
export function headerValue(result: HttpResult, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(result.headers ?? {})) if (key.toLowerCase() === lower) return String(value);
  const multi = (result as APIGatewayProxyResult).multiValueHeaders ?? {};
  for (const [key, values] of Object.entries(multi)) if (key.toLowerCase() === lower && values.length) return String(values[0]);
  return undefined;
}

/** The bytes the body stands for, base64 decoded when the result says so. */
export function bodyBytes(result: HttpResult): Buffer {
  const body = result.body ?? '';
  return result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** The request path of any of the three event shapes. */
export function requestPath(event: HttpEvent): string {
  return event.rawPath ?? event.path ?? event.requestContext?.http?.path ?? '/';
}

/** A `303 See Other` to `location`, keeping the CORS headers of `from` so browsers may follow it. */
export function seeOther(location: string, from?: HttpResult, extraHeaders: Record<string, string> = {}): HttpResult {
  const cors = Object.fromEntries(Object.entries(from?.headers ?? {}).filter(([k]) => k.toLowerCase().startsWith('access-control-')).map(([k, v]) => [k, String(v)]));
  return {
    statusCode: 303,
    headers: { ...cors, location, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extraHeaders },
    body: 'See Other',
  };
}
