import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Identity, IdentityStore } from './credentials.js';

/** Why a request was refused before any service saw it. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown-key' | 'bad-token' | 'signature' | 'expired';

/** A request that did not carry a valid AWS Signature Version 4. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

/** What the verifier needs of an HTTP request, exactly as it arrived. */
export interface SignedRequest {
  method: string;
  /** The path as sent, still percent-encoded, without the query. */
  rawPath: string;
  /** The query as sent, without the `?`. */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body, when it was read; S3 signs a declared hash instead. */
  body?: Buffer;
}

/** How one service checks signatures. */
export interface VerifyOptions {
  /** The service name in the credential scope, e.g. `kms`. */
  signingName: string;
  /** S3 signs the path as sent; every other service escapes it once more (SigV4 "double encoding"). */
  escapePath: boolean;
  /** Whether presigned URLs (`X-Amz-Algorithm` in the query) are accepted (S3 only). */
  allowQueryAuth: boolean;
  now?: () => number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * Checks a request's SigV4 signature against the keys `store` knows and returns who signed it.
 * The region in the scope is taken as signed, so a client configured for any region works.
 */
export function verifySigV4(request: SignedRequest, store: IdentityStore, options: VerifyOptions): Identity {
  const now = options.now ?? Date.now;
  const query = parseQuery(request.rawQuery);
  const header = single(request.headers['authorization']);
  const presigned = query.some(([key]) => key === 'X-Amz-Algorithm');
  if (!header && !(presigned && options.allowQueryAuth)) {
    throw new AuthError('missing', 'Request is missing Authentication Token (a SigV4 Authorization header)');
  }
  let algorithm: string;
  let credential: string;
  let signedHeaders: string;
  let signature: string;
  let amzDate: string | undefined;
  let token: string | undefined;
  if (header) {
    const space = header.indexOf(' ');
    algorithm = space < 0 ? header : header.slice(0, space);
    const parts = new Map<string, string>();
    for (const part of header.slice(space + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    credential = parts.get('Credential') ?? '';
    signedHeaders = parts.get('SignedHeaders') ?? '';
    signature = parts.get('Signature') ?? '';
    amzDate = single(request.headers['x-amz-date']);
    token = single(request.headers['x-amz-security-token']);
  } else {
    const get = (name: string) => query.find(([key]) => key === name)?.[1];
    algorithm = get('X-Amz-Algorithm') ?? '';
    credential = get('X-Amz-Credential') ?? '';
    signedHeaders = get('X-Amz-SignedHeaders') ?? '';
    signature = get('X-Amz-Signature') ?? '';
    amzDate = get('X-Amz-Date');
    token = get('X-Amz-Security-Token');
    const expires = Number(get('X-Amz-Expires'));
    const signedAt = amzDate ? parseAmzDate(amzDate) : NaN;
    if (!Number.isFinite(expires) || !Number.isFinite(signedAt)) {
      throw new AuthError('malformed', 'Presigned URL needs X-Amz-Date and X-Amz-Expires');
    }
    if (signedAt + expires * 1000 < now()) throw new AuthError('expired', 'Request has expired');
  }
  if (algorithm !== ALGORITHM) {
    throw new AuthError('malformed', `Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM})`);
  }
  if (!credential || !signedHeaders || !signature || !amzDate) {
    throw new AuthError('malformed', 'Authorization needs Credential, SignedHeaders, Signature and an X-Amz-Date');
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new AuthError('malformed', 'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request');
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  if (service !== options.signingName) {
    throw new AuthError('signature', `Credential should be scoped to correct service: '${options.signingName}', not '${service}'`);
  }
  if (!amzDate.startsWith(date)) {
    throw new AuthError('signature', `Date in Credential scope does not match X-Amz-Date: '${date}' != '${amzDate.slice(0, 8)}'`);
  }
  const identity = store.get(accessKeyId);
  if (!identity) throw new AuthError('unknown-key', 'The security token included in the request is invalid (unknown access key)');
  if (identity.sessionToken !== undefined && token !== identity.sessionToken) {
    throw new AuthError('bad-token', 'The security token included in the request is invalid (temporary credentials need their session token)');
  }
  if (identity.expiresAt !== undefined && identity.expiresAt <= now()) {
    throw new AuthError('expired', 'The security token included in the request is expired');
  }
  const headerNames = signedHeaders.split(';');
  if (!headerNames.includes('host')) throw new AuthError('signature', "'Host' must be a 'SignedHeader' in the AWS Authorization.");

  let payloadHash: string;
  const declared = single(request.headers['x-amz-content-sha256']);
  if (declared) payloadHash = declared;
  else if (!header) payloadHash = 'UNSIGNED-PAYLOAD';
  else payloadHash = sha256(request.body ?? Buffer.alloc(0));

  const canonicalQuery = canonicalQueryString(header ? query : query.filter(([key]) => key !== 'X-Amz-Signature'));
  const canonicalHeaders = headerNames
    .map((name) => {
      const value = request.headers[name];
      const joined = Array.isArray(value) ? value.map(trimValue).join(',') : trimValue(value ?? '');
      return `${name}:${joined}\n`;
    })
    .join('');
  const canonicalRequest = [
    request.method,
    options.escapePath ? escapedPath(request.rawPath) : request.rawPath || '/',
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, credentialScope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${identity.secretAccessKey}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthError(
      'signature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return identity;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function trimValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** `YYYYMMDDTHHMMSSZ` to epoch ms. */
function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return NaN;
  const [y = 0, mo = 1, d = 0, h = 0, mi = 0, s = 0] = match.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** RFC 3986 encoding as SigV4 wants it: only unreserved characters stay as they are. */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Splits a raw query into decoded key/value pairs, in order. */
export function parseQuery(raw: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    pairs.push(eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))]);
  }
  return pairs;
}

function canonicalQueryString(pairs: Array<[string, string]>): string {
  return pairs
    .map(([key, value]) => [escapeUri(key), escapeUri(value)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** The SDK normalises the path and escapes it once more for every service but S3. */
function escapedPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}
