import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { AwsServiceError, type RequestHead, type ServiceDefinition } from '../http-service.js';
import { el } from '../protocols/query.js';

const S3RVER_KEY = 'S3RVER';

/** S3: s3rver on a temporary directory that `stop()` removes, behind the shared SigV4 check. */
export async function s3Service(): Promise<ServiceDefinition> {
  const mod = (await import('s3rver')) as unknown as { default?: typeof import('s3rver') } & typeof import('s3rver');
  const S3rver = mod.default ?? mod;
  const directory = await mkdtemp(join(tmpdir(), 'fleece-s3-'));
  const s3rver = new S3rver({ directory, silent: true });
  makePutsAtomic((s3rver as unknown as { store: FilesystemStore }).store);
  const app = s3rver.callback();
  return {
    name: 's3',
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

/** The parts of s3rver's filesystem store that a PUT goes through. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<{ content?: Readable | null } | null>;
}

/**
 * S3 is strongly consistent: a GET sees an object whole or not at all. s3rver writes objects in
 * place and answers a PUT before its bytes are flushed, and a GET takes the size from one stat and
 * the bytes from a later open, so a GET racing a PUT (a poller reading a state object another
 * invocation rewrites) could read half a file, or the new file cut to the old size. Objects are
 * written to a temporary file and renamed into place, and PUTs and GETs of one key take turns,
 * each GET reading its bytes before the next PUT of that key starts.
 */
function makePutsAtomic(store: FilesystemStore): void {
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(bucket: string, key: string, work: () => Promise<T>): Promise<T> => {
    const id = `${bucket}/${key}`;
    const result = (turns.get(id) ?? Promise.resolve()).then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    turns.set(id, settled);
    void settled.then(() => turns.get(id) === settled && turns.delete(id));
    return result;
  };
  const writeAtomically = async (path: string, data: Buffer | string) => {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, path);
  };
  store.putMetadata = async (bucket, key, metadata, md5) => {
    const allowed = Object.fromEntries(
      Object.entries(metadata).filter(([name]) => S3_METADATA.includes(name) || name.startsWith('x-amz-meta-')),
    );
    if (md5) await writeAtomically(store.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeAtomically(store.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(allowed, null, 2));
  };
  store.putObject = async (object) => {
    const content = Buffer.isBuffer(object.content) ? object.content : await collect(object.content);
    return inTurn(object.bucket, object.key, async () => {
      const md5 = createHash('md5').update(content).digest('hex');
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      await writeAtomically(store.getResourcePath(object.bucket, object.key, 'object'), content);
      return { size: content.length, md5 };
    });
  };
  const getObject = store.getObject.bind(store);
  store.getObject = (bucket, key, options) =>
    inTurn(bucket, key, async () => {
      const object = await getObject(bucket, key, options);
      if (object?.content) object.content = Readable.from([await collect(object.content)], { objectMode: false });
      return object;
    });
}

/** The metadata s3rver keeps besides `x-amz-meta-*` (its S3Object.ALLOWED_METADATA). */
const S3_METADATA = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'content-type', 'expires', 'x-amz-storage-class', 'x-amz-website-redirect-location'];

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
