import { bag } from './bag.js';
import type { HttpRequest } from './request.js';

/** A security scheme of the document (OpenAPI 3 `securitySchemes`, Swagger 2.0 `securityDefinitions`). */
export interface SecurityScheme {
  type: string;
  /** apiKey: the header, query parameter or cookie name. */
  name?: string;
  /** apiKey: `header`, `query` or `cookie`. */
  in?: string;
  /** http: `basic`, `bearer`, …. */
  scheme?: string;
}

/** One alternative of a `security` list: every scheme named here must be met, with these scopes. */
export type SecurityRequirement = Record<string, string[]>;

/** A credential found in the request for one scheme, handed to the `authorize` hook. */
export interface Credential {
  scheme: string;
  type: string;
  /** The key, the bearer token, or the `user:password` of basic auth (decoded). */
  value: string;
  /** The scopes the operation asks of this scheme. */
  scopes: string[];
}

/** The schemes of the document and the security that applies where an operation names none. */
export function securityOf(document: Record<string, unknown>, swagger2: boolean): { schemes: Record<string, SecurityScheme>; global: SecurityRequirement[] } {
  const raw = swagger2 ? document.securityDefinitions : (document.components as { securitySchemes?: unknown } | undefined)?.securitySchemes;
  const schemes: Record<string, SecurityScheme> = bag<SecurityScheme>();
  for (const [name, scheme] of Object.entries((raw ?? {}) as Record<string, SecurityScheme>)) {
    // Swagger 2.0 `basic` is OpenAPI 3's http basic; oauth2 and openIdConnect carry bearer tokens.
    schemes[name] = swagger2 && scheme.type === 'basic' ? { type: 'http', scheme: 'basic' } : scheme;
  }
  return { schemes, global: Array.isArray(document.security) ? (document.security as SecurityRequirement[]) : [] };
}

/**
 * The credentials of the first alternative the request meets, or undefined when it meets none.
 * Only presence is checked here; whether a credential is good is the `authorize` hook's call.
 */
export function findCredentials(requirements: SecurityRequirement[], schemes: Record<string, SecurityScheme>, request: HttpRequest): Credential[] | undefined {
  if (requirements.length === 0) return [];
  for (const alternative of requirements) {
    const found: Credential[] = [];
    for (const [name, scopes] of Object.entries(alternative)) {
      const scheme = schemes[name];
      const value = scheme && credentialOf(scheme, request);
      if (value === undefined) break;
      found.push({ scheme: name, type: scheme!.type, value, scopes: Array.isArray(scopes) ? scopes : [] });
    }
    if (found.length === Object.keys(alternative).length) return found;
  }
  return undefined;
}

function credentialOf(scheme: SecurityScheme, request: HttpRequest): string | undefined {
  if (scheme.type === 'apiKey') {
    const name = String(scheme.name ?? '');
    if (scheme.in === 'query') return request.query[name]?.[0];
    if (scheme.in === 'cookie') return name in request.cookies ? request.cookies[name] : undefined;
    return request.headers[name.toLowerCase()]?.[0];
  }
  const authorization = request.headers.authorization?.[0];
  if (!authorization) return undefined;
  const space = authorization.indexOf(' ');
  const kind = authorization.slice(0, space).toLowerCase();
  const token = authorization.slice(space + 1).trim();
  if (space <= 0 || !token) return undefined;
  if (scheme.type === 'http') {
    if (kind !== String(scheme.scheme ?? '').toLowerCase()) return undefined;
    return kind === 'basic' ? Buffer.from(token, 'base64').toString('utf8') : token;
  }
  return kind === 'bearer' ? token : undefined;
}
