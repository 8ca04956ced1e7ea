import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;

/**
 * AES-256-GCM encryption with associated data. Returns `iv ‖ ciphertext ‖ tag` so a value is one
 * self-contained blob; a fresh random 96-bit IV per call.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/**
 * Opens a blob from {@link seal}. Throws when the blob is too short or fails authentication
 * (altered bytes, another key, or other associated data); the caller names the value.
 */
export function open(key: Uint8Array, blob: Uint8Array, aad: Uint8Array): Buffer {
  if (blob.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext is truncated');
  const iv = blob.subarray(0, IV_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new Error('authentication failed (the ciphertext was altered, moved, or belongs to another key)', { cause: error });
  }
}

/** Strict base64: the alphabet, correct padding, and a length that decodes to whole bytes. */
export function fromBase64(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}
