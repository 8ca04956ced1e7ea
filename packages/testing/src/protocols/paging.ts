import { AwsServiceError } from '../http-service.js';

/** How one operation pages: its limit member's range and the error a foreign token gets. */
export interface PagingRules {
  limitMember: string;
  max: number;
  defaultLimit: number;
  /** The error code AWS gives a token it did not issue, e.g. KMS `InvalidMarkerException`. */
  badTokenCode: string;
  /** What the token is bound to (operation and filters): another listing's token is refused. */
  scope?: string;
}

/**
 * One page of `items` from a `Limit`/`MaxResults` and a token this package issued. Tokens are
 * opaque to clients, as AWS documents: ours carries the offset and a fingerprint of the operation.
 */
export function pageOf<T>(items: readonly T[], limit: unknown, token: unknown, rules: PagingRules): { page: T[]; next?: string } {
  const size = limit ?? rules.defaultLimit;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > rules.max) {
    const member = rules.limitMember.charAt(0).toLowerCase() + rules.limitMember.slice(1);
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${String(size)}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${rules.max}`);
  }
  let offset = 0;
  if (token !== undefined && token !== null) {
    try {
      const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { o?: unknown; m?: unknown };
      if (parsed.m !== (rules.scope ?? '') || typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0) throw new Error('foreign');
      offset = parsed.o;
    } catch {
      throw new AwsServiceError(rules.badTokenCode, 'The pagination token is invalid.');
    }
  }
  const page = items.slice(offset, offset + size);
  const end = offset + page.length;
  return end < items.length ? { page, next: Buffer.from(JSON.stringify({ o: end, m: rules.scope ?? '' })).toString('base64url') } : { page };
}
