import type { HttpRequest } from './request.js';

/** Cross-origin settings for browser clients. `true` allows every origin without credentials. */
export interface CorsOptions {
  /** Allowed origins, or `'*'`. Default `'*'`. */
  origins?: string[] | '*';
  /** Request headers a browser may send. Default: whatever the preflight asks for. */
  headers?: string[];
  /** Response headers a browser may read. */
  exposeHeaders?: string[];
  /** Whether cookies and Authorization may be sent. Default false. */
  credentials?: boolean;
  /** How long, in seconds (the header's unit), a browser may cache a preflight. Default 600. */
  maxAgeSeconds?: number;
}

/** The CORS headers for a request's Origin, or none when it has none or is not allowed. */
export function corsHeaders(options: CorsOptions, request: HttpRequest): Record<string, string> {
  const origin = request.headers.origin?.[0];
  if (!origin) return {};
  const origins = options.origins ?? '*';
  if (origins !== '*' && !origins.includes(origin)) return {};
  const headers: Record<string, string> = {
    // With credentials a browser refuses `*`, so the origin itself is echoed.
    'access-control-allow-origin': origins === '*' && !options.credentials ? '*' : origin,
    vary: 'Origin',
  };
  if (options.credentials) headers['access-control-allow-credentials'] = 'true';
  if (options.exposeHeaders?.length) headers['access-control-expose-headers'] = options.exposeHeaders.join(', ');
  return headers;
}

/** The extra headers of a preflight answer. */
export function preflightHeaders(options: CorsOptions, request: HttpRequest, allow: string[]): Record<string, string> {
  const asked = request.headers['access-control-request-headers']?.join(', ');
  const allowHeaders = options.headers?.join(', ') ?? asked;
  return {
    'access-control-allow-methods': allow.join(', '),
    ...(allowHeaders ? { 'access-control-allow-headers': allowHeaders } : {}),
    'access-control-max-age': String(options.maxAgeSeconds ?? 600),
  };
}
