import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesystemStore } from './s3-store.js';

/** S3's smallest part, except the last: 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** s3rver's error class, whose code and status its error middleware renders as S3 does. */
type S3ErrorClass = new (code: string, message: string, detail?: Record<string, unknown>) => Error;

/**
 * Completes a multipart upload as S3 documents it, where s3rver only concatenates: part numbers
 * ascending (`InvalidPartOrder`), every part uploaded with the ETag given (`InvalidPart`), every
 * part but the last at least 5 MiB (`EntityTooSmall`), an unknown upload id `NoSuchUpload`, and the
 * object's ETag the MD5 of the parts' binary MD5s with `-<part count>` appended.
 */
export function checkMultipartCompletion(store: FilesystemStore, S3Error: S3ErrorClass): void {
  store.putObjectMultipart = async (bucket, uploadId, parts) => {
    const uploadDir = join(store.getResourcePath(bucket, '', 'uploads'), uploadId);
    const noSuchUpload = () =>
      new S3Error(
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        { UploadId: uploadId },
      );
    if (!/^[\w-]+$/.test(uploadId)) throw noSuchUpload();
    let key: string;
    let metadata: Record<string, string>;
    try {
      key = await readFile(join(uploadDir, 'key'), 'utf8');
      metadata = JSON.parse(await readFile(join(uploadDir, 'metadata'), 'utf8')) as Record<string, string>;
    } catch {
      throw noSuchUpload();
    }
    for (let i = 1; i < parts.length; i++) {
      if (parts[i]!.number <= parts[i - 1]!.number) {
        throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      }
    }
    const found = await Promise.all(
      parts.map(async (part) => {
        const path = join(uploadDir, String(part.number));
        const md5 = await readFile(`${path}.md5`, 'utf8').catch(() => undefined);
        if (!Number.isInteger(part.number) || md5 === undefined || md5 !== part.etag) {
          throw new S3Error(
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            { PartNumber: part.number, ETag: part.etag },
          );
        }
        return { path, md5, size: (await stat(path)).size };
      }),
    );
    found.forEach((part, index) => {
      if (index < found.length - 1 && part.size < MIN_PART_BYTES) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
          ProposedSize: part.size,
          MinSizeAllowed: MIN_PART_BYTES,
          PartNumber: parts[index]!.number,
          ETag: part.md5,
        });
      }
    });
    const digest = createHash('md5');
    for (const part of found) digest.update(Buffer.from(part.md5, 'hex'));
    const content = Buffer.concat(await Promise.all(found.map((part) => readFile(part.path))));
    const result = await store.putObject({ bucket, key, content, metadata, etag: `${digest.digest('hex')}-${found.length}` });
    await rm(uploadDir, { recursive: true, force: true });
    return result;
  };
}
