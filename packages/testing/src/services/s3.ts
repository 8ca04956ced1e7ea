import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsServiceError, type RequestHead, type ServiceDefinition } from '../http-service.js';
import { el } from '../protocols/query.js';
import { listObjects, type ObjectSource } from './s3-listing.js';
import { checkMultipartCompletion } from './s3-multipart.js';
import { makePutsAtomic, type FilesystemStore } from './s3-store.js';

const S3RVER_KEY = 'S3RVER';

/** What s3rver serves (plus listing and multipart completion, which are this package's). */
export const S3_OPERATIONS: readonly string[] = [
  'AbortMultipartUpload', 'CompleteMultipartUpload', 'CopyObject', 'CreateBucket', 'CreateMultipartUpload', 'DeleteBucket',
  'DeleteBucketCors', 'DeleteBucketWebsite', 'DeleteObject', 'DeleteObjects', 'GetBucketCors', 'GetBucketLocation',
  'GetBucketWebsite', 'GetObject', 'GetObjectAcl', 'GetObjectTagging', 'HeadBucket', 'HeadObject', 'ListBuckets',
  'ListObjects', 'ListObjectsV2', 'PutBucketCors', 'PutBucketWebsite', 'PutObject', 'PutObjectTagging', 'UploadPart',
];

type S3ErrorClass = Parameters<typeof checkMultipartCompletion>[1];

/** S3: s3rver on a temporary directory that `stop()` removes, behind the shared SigV4 check. */
export async function s3Service(): Promise<ServiceDefinition> {
  const mod = (await import('s3rver')) as unknown as { default?: typeof import('s3rver') } & typeof import('s3rver');
  const S3rver = mod.default ?? mod;
  const directory = await mkdtemp(join(tmpdir(), 'fleece-s3-'));
  const errorModule = (await import('s3rver/lib/models/error.js')) as unknown as { default?: S3ErrorClass } & S3ErrorClass;
  const s3rver = new S3rver({ directory, silent: true });
  const store = (s3rver as unknown as { store: FilesystemStore }).store;
  makePutsAtomic(store);
  checkMultipartCompletion(store, errorModule.default ?? errorModule);
  const source: ObjectSource = async (bucket, prefix) => {
    if (!(await store.getBucket(bucket))) return undefined;
    const { objects } = await store.listObjects(bucket, { prefix: prefix || undefined });
    return objects.map((o) => ({ key: o.key, size: o.size, etag: o.metadata['etag'] ?? '""', lastModified: o.lastModifiedDate }));
  };
  const app = s3rver.callback();
  return {
    name: 's3',
    operations: S3_OPERATIONS,
    signingName: 's3',
    escapePath: false,
    allowQueryAuth: true,
    // Objects stream through to disk; the signature covers the declared x-amz-content-sha256.
    bufferBody: false,
    maxBodyBytes: Infinity,
    authErrors: {
      missing: ['AccessDenied', 403],
      malformed: ['AuthorizationHeaderMalformed', 400],
      'unknown-key': ['InvalidAccessKeyId', 403],
      'bad-token': ['InvalidToken', 400],
      signature: ['SignatureDoesNotMatch', 403],
      expired: ['AccessDenied', 403],
    },
    operationOf: s3Operation,
    async handle(request, res: ServerResponse) {
      const operation = s3Operation(request);
      if (operation === 'ListObjectsV2' || operation === 'ListObjects') {
        // s3rver's paging is broken (a DES token OpenSSL 3 refuses; prefixes not counted as entries).
        return listObjects(decodeURIComponent(request.rawPath.split('/').filter(Boolean)[0] ?? ''), request.query, source);
      }
      // The signature was checked here against every key this local AWS issued; s3rver knows one key only.
      const raw: IncomingMessage = request.raw;
      const authorization = raw.headers.authorization;
      if (authorization) raw.headers.authorization = authorization.replace(/Credential=[^/]+\//, `Credential=${S3RVER_KEY}/`);
      raw.url = (raw.url ?? '/').replace(/([?&]X-Amz-Credential=)[^&%]+(%2F|\/)/i, `$1${S3RVER_KEY}$2`);
      app(raw, res);
      return undefined;
    },
    renderError: (error: AwsServiceError, requestId: string) => ({
      status: error.status,
      headers: { 'Content-Type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error>${el('Code', error.code)}${el('Message', error.message)}${el('RequestId', requestId)}</Error>`,
    }),
    async close() {
      s3rver.logger.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** The S3 operation a request is, from its method, path and query, for request counting. */
export function s3Operation(head: RequestHead): string {
  const segments = head.rawPath.split('/').filter(Boolean);
  const has = (name: string) => head.query.has(name);
  const method = head.method;
  if (segments.length === 0) return method === 'GET' ? 'ListBuckets' : `${method} /`;
  if (segments.length === 1) {
    switch (method) {
      case 'PUT':
        return has('cors') ? 'PutBucketCors' : has('website') ? 'PutBucketWebsite' : 'CreateBucket';
      case 'DELETE':
        return has('cors') ? 'DeleteBucketCors' : has('website') ? 'DeleteBucketWebsite' : 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'POST':
        return has('delete') ? 'DeleteObjects' : 'PostObject';
      default:
        if (has('location')) return 'GetBucketLocation';
        if (has('cors')) return 'GetBucketCors';
        if (has('website')) return 'GetBucketWebsite';
        if (has('uploads')) return 'ListMultipartUploads';
        return head.query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    }
  }
  switch (method) {
    case 'PUT':
      if (has('partNumber')) return head.headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
      if (has('tagging')) return 'PutObjectTagging';
      if (has('acl')) return 'PutObjectAcl';
      return head.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      return 'PostObject';
    case 'DELETE':
      return has('uploadId') ? 'AbortMultipartUpload' : has('tagging') ? 'DeleteObjectTagging' : 'DeleteObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      if (has('tagging')) return 'GetObjectTagging';
      if (has('acl')) return 'GetObjectAcl';
      if (has('uploadId')) return 'ListParts';
      return 'GetObject';
  }
}
