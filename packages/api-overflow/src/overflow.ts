import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { bodyBytes, headerValue, normalizeResult, requestPath, seeOther, type HttpEvent, type HttpResult } from './http-result.js';
import { defaultS3Client } from './clients.js';

/** Lambda's limit on a synchronous response: 6 MB. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/**
 * Kept free below the limit by default. We measure the whole serialized response, but Lambda adds
 * its own framing and the limit is not documented to the byte, so a 64 KiB margin is kept.
 */
export const DEFAULT_MARGIN_BYTES = 64 * 1024;

/** Options of {@link overflow}. */
export interface OverflowOptions {
  /** The bucket large bodies go to. Give it a lifecycle rule that expires `keyPrefix` (see README). */
  bucket: string;
  /** Responses whose serialized size exceeds this go through S3. Default 6 MB minus 64 KiB. */
  thresholdBytes?: number;
  /** How long the presigned URL stays valid, in seconds (S3's unit for presigning). Default 60. */
  expiresInSeconds?: number;
  /** Prepended to every object key, e.g. `'overflow/'`. Default `''`. */
  keyPrefix?: string;
  /** The S3 client. Default: `client(S3Client)` from @fleece/aws. */
  s3Client?: S3Client;
}

/** Thrown when a large response could not be stored or presigned; the handler's work is not lost silently. */
export class OverflowError extends Error {
  override readonly name = 'OverflowError';
}

/** The size in bytes Lambda would send for this result: the JSON it serializes, base64 inflation included. */
export function serializedSize(result: unknown): number {
  return Buffer.byteLength(JSON.stringify(result) ?? '', 'utf8');
}

/**
 * Wraps an API handler so a response too large for Lambda is stored in S3 and answered with a
 * `303 See Other` to a presigned GET URL; every other response passes through untouched.
 */
export function overflow<E extends HttpEvent, C, R>(handler: (event: E, context: C) => Promise<R>, options: OverflowOptions): (event: E, context: C) => Promise<R | HttpResult> {
  const settings = validateOverflowOptions(options);
  return async (event, context) => {
    const result = await handler(event, context);
    if (result === undefined || serializedSize(result) <= settings.thresholdBytes) return result;
    return moveToS3(normalizeResult(result), event, settings);
  };
}

interface OverflowSettings {
  bucket: string;
  thresholdBytes: number;
  expiresInSeconds: number;
  keyPrefix: string;
  s3Client: S3Client | undefined;
}

/** Checks the options where they are given, naming the one that is wrong. */
export function validateOverflowOptions(options: OverflowOptions): OverflowSettings {
  if (!options || typeof options !== 'object') throw new TypeError('@fleece/api-overflow: options must be an object with a "bucket"');
  if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw new TypeError(`@fleece/api-overflow: option "bucket" must be an S3 bucket name, got ${JSON.stringify(options.bucket)}`);
  }
  const thresholdBytes = options.thresholdBytes ?? LAMBDA_RESPONSE_LIMIT_BYTES - DEFAULT_MARGIN_BYTES;
  if (!Number.isInteger(thresholdBytes) || thresholdBytes < 0) throw new TypeError(`@fleece/api-overflow: option "thresholdBytes" must be an integer >= 0, got ${thresholdBytes}`);
  const expiresInSeconds = options.expiresInSeconds ?? 60;
  // SigV4 presigned URLs live at most 7 days.
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 604800) {
    throw new TypeError(`@fleece/api-overflow: option "expiresInSeconds" must be an integer from 1 to 604800, got ${expiresInSeconds}`);
  }
  const keyPrefix = options.keyPrefix ?? '';
  if (typeof keyPrefix !== 'string') throw new TypeError('@fleece/api-overflow: option "keyPrefix" must be a string');
  return { bucket: options.bucket, thresholdBytes, expiresInSeconds, keyPrefix, s3Client: options.s3Client };
}

async function moveToS3(result: HttpResult, event: HttpEvent, settings: OverflowSettings): Promise<HttpResult> {
  const key = `${settings.keyPrefix}${randomUUID()}${extensionOf(requestPath(event))}`;
  const [{ PutObjectCommand, GetObjectCommand }, { getSignedUrl }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
  const s3 = settings.s3Client ?? (await defaultS3Client());
  const contentType = headerValue(result, 'content-type') ?? 'application/octet-stream';
  try {
    await s3.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: bodyBytes(result), ContentType: contentType }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: settings.bucket, Key: key }), { expiresIn: settings.expiresInSeconds });
    return seeOther(url, result);
  } catch (error) {
    throw new OverflowError(`@fleece/api-overflow: could not store a ${bodyBytes(result).length}-byte response in s3://${settings.bucket}/${key}: ${(error as Error).message}`, { cause: error });
  }
}

/** `.csv` for `/reports/2024.csv`; nothing for paths whose last segment has no short extension. */
export function extensionOf(path: string): string {
  const last = path.split('/').pop() ?? '';
  return /\.[A-Za-z0-9]{1,10}$/.exec(last)?.[0] ?? '';
}
