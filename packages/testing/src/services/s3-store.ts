import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';

/** The parts of s3rver's filesystem store this package patches or reads through. */
export interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  /** `etag` (ours, not s3rver's) replaces the MD5 as the stored ETag, for multipart objects. */
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<{ content?: Readable | null } | null>;
  getBucket(bucket: string): Promise<unknown>;
  listObjects(bucket: string, options: { prefix?: string }): Promise<{ objects: S3rverObject[] }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: Array<{ number: number; etag: string }>): Promise<{ size: number; md5: string }>;
}

/** What a PUT hands the store. */
export interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
  etag?: string;
}

/** s3rver's S3Object, as listings return it. */
export interface S3rverObject {
  key: string;
  size: number;
  lastModifiedDate: Date;
  metadata: Record<string, string>;
}

/**
 * S3 is strongly consistent: a GET sees an object whole or not at all. s3rver writes objects in
 * place and answers a PUT before its bytes are flushed, and a GET takes the size from one stat and
 * the bytes from a later open, so a GET racing a PUT (a poller reading a state object another
 * invocation rewrites) could read half a file, or the new file cut to the old size. Objects are
 * written to a temporary file and renamed into place, and PUTs and GETs of one key take turns,
 * each GET reading its bytes before the next PUT of that key starts.
 */
export function makePutsAtomic(store: FilesystemStore): void {
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
      const md5 = object.etag ?? createHash('md5').update(content).digest('hex');
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

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
