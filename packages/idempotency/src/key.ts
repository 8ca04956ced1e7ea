import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * The SHA-256 of the canonical JSON of `value`, base64url (43 characters). Equal JSON values hash
 * alike whatever their key order; the value itself never reaches the store, only its hash.
 */
export function hashValue(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/**
 * The idempotency key of `value` for the function named `name`: `name#hash`. The prefix keeps two
 * functions that share a table apart even when they receive the same value.
 */
export function idempotencyKey(name: string, value: unknown): string {
  return `${name}#${hashValue(value)}`;
}
