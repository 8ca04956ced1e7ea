/**
 * S3 as AWS documents it, through the AWS SDK v3 (and the AWS CLI's `aws s3 ls` where installed).
 * Sources: the S3 API reference pages of ListObjectsV2, ListObjects, CompleteMultipartUpload,
 * UploadPart and "Error responses".
 */
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { startLocalAws, type LocalAws } from '../../src/index.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

async function awsCliAvailable(): Promise<boolean> {
  try {
    await run('aws', ['--version']);
    return true;
  } catch {
    return false;
  }
}

// Paging through 1,001 objects takes seconds on a loaded 2-core machine.
jest.setTimeout(120_000);

describe('S3 conformance', () => {
  let aws: LocalAws;
  let s3: S3Client;
  const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(4, '0')}.txt`);
  const tree = ['photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/2025/c.jpg', 'photos/index.html', 'readme.txt', 'space name.txt', 'z/ü.txt'];

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['s3'] });
    s3 = new S3Client(aws.clientConfig('s3'));
    await s3.send(new CreateBucketCommand({ Bucket: 'paging' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'tree' }));
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) await s3.send(new PutObjectCommand({ Bucket: 'paging', Key: key, Body: key }));
      }),
    );
    for (const key of tree) await s3.send(new PutObjectCommand({ Bucket: 'tree', Key: key, Body: 'x' }));
  }, 120_000);

  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  describe('ListObjectsV2', () => {
    it('returns at most 1,000 keys a page and a NextContinuationToken that reaches the rest', async () => {
      const first = await s3.send(new ListObjectsV2Command({ Bucket: 'paging' }));
      expect(first).toMatchObject({ IsTruncated: true, KeyCount: 1000, MaxKeys: 1000 });
      expect(first.NextContinuationToken).toEqual(expect.any(String));
      const second = await s3.send(new ListObjectsV2Command({ Bucket: 'paging', ContinuationToken: first.NextContinuationToken }));
      expect(second).toMatchObject({ IsTruncated: false, KeyCount: 1, ContinuationToken: first.NextContinuationToken });
      expect(second.NextContinuationToken).toBeUndefined();
      expect(second.Contents!.map((o) => o.Key)).toEqual(['many/1000.txt']);
    });

    it('walks every key once, in order, with the SDK paginator and a small MaxKeys', async () => {
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateListObjectsV2({ client: s3, pageSize: 97 }, { Bucket: 'paging' })) {
        pages++;
        expect(page.KeyCount).toBeLessThanOrEqual(97);
        seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      }
      expect(pages).toBe(Math.ceil(1001 / 97));
      expect(seen).toEqual(keys);
    });

    it('rolls keys up into CommonPrefixes at the delimiter, each counting as one entry against MaxKeys', async () => {
      const all = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/' }));
      expect(all.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['photos/', 'z/']);
      expect(all.Contents!.map((o) => o.Key)).toEqual(['readme.txt', 'space name.txt']);
      expect(all.KeyCount).toBe(4);
      const nested = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'photos/', Delimiter: '/' }));
      expect(nested.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['photos/2024/', 'photos/2025/']);
      expect(nested.Contents!.map((o) => o.Key)).toEqual(['photos/index.html']);

      const pages: Array<[string[], string[]]> = [];
      for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'tree', Delimiter: '/' })) {
        expect(page.KeyCount).toBe(1);
        pages.push([(page.CommonPrefixes ?? []).map((p) => p.Prefix!), (page.Contents ?? []).map((o) => o.Key!)]);
      }
      // UTF-8 binary order of keys and prefixes together, every one once.
      expect(pages).toEqual([[['photos/'], []], [[], ['readme.txt']], [[], ['space name.txt']], [['z/'], []]]);
    });

    it('starts after StartAfter (exclusive) and echoes it', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'photos/2025/c.jpg' }));
      expect(page.StartAfter).toBe('photos/2025/c.jpg');
      expect(page.Contents!.map((o) => o.Key)).toEqual(['photos/index.html', 'readme.txt', 'space name.txt', 'z/ü.txt']);
    });

    // AWS does not document MaxKeys 0; S3 answers an empty, untruncated page (observed by s3rver's authors).
    it('answers MaxKeys 0 with nothing and not truncated', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 0 }));
      expect(page).toMatchObject({ KeyCount: 0, IsTruncated: false });
      expect(page.Contents).toBeUndefined();
    });

    it('URL-encodes keys with EncodingType url', async () => {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 's', EncodingType: 'url' }));
      expect(page.Contents!.map((o) => o.Key)).toEqual(['space+name.txt']);
    });

    it('refuses a continuation token it did not issue with InvalidArgument, and a missing bucket with NoSuchBucket', async () => {
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'tree', ContinuationToken: 'bm90IGEgdG9rZW4=' }))).rejects.toMatchObject({
        name: 'InvalidArgument',
        $metadata: { httpStatusCode: 400 },
      });
      const other = await s3.send(new ListObjectsV2Command({ Bucket: 'paging', MaxKeys: 1 }));
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'tree', ContinuationToken: other.NextContinuationToken }))).rejects.toMatchObject({ name: 'InvalidArgument' });
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    });
  });

  describe('ListObjects (v1)', () => {
    it('pages with Marker, and sends NextMarker when a delimiter is given', async () => {
      const first = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 2, Delimiter: '/' }));
      expect(first).toMatchObject({ IsTruncated: true, NextMarker: 'readme.txt' });
      const rest = await s3.send(new ListObjectsCommand({ Bucket: 'tree', Marker: first.NextMarker, Delimiter: '/' }));
      expect(rest.Contents!.map((o) => o.Key)).toEqual(['space name.txt']);
      expect(rest.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['z/']);
      const noDelimiter = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 2 }));
      expect(noDelimiter.IsTruncated).toBe(true);
      expect(noDelimiter.NextMarker).toBeUndefined();
    });
  });

  it('`aws s3 ls` lists prefixes as PRE and pages past 1,000 keys with --recursive (skipped without the AWS CLI)', async () => {
    if (!(await awsCliAvailable())) return;
    const env = { ...process.env, ...aws.env(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const top = await run('aws', ['s3', 'ls', 's3://tree/'], { env });
    expect(top.stdout).toMatch(/^\s+PRE photos\/$/m);
    expect(top.stdout).toMatch(/^\s+PRE z\/$/m);
    expect(top.stdout).toMatch(/ space name\.txt$/m);
    const nested = await run('aws', ['s3', 'ls', 's3://tree/photos/'], { env });
    expect(nested.stdout).toMatch(/^\s+PRE 2024\/$/m);
    expect(nested.stdout).toMatch(/ index\.html$/m);
    const recursive = await run('aws', ['s3', 'ls', '--recursive', 's3://paging/', '--page-size', '300'], { env });
    expect(recursive.stdout.trim().split('\n')).toHaveLength(1001);
  }, 60_000);

  describe('multipart upload', () => {
    const upload = async (key: string, sizes: number[]) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'tree', Key: key }));
      const parts = [];
      for (const [index, size] of sizes.entries()) {
        const body = Buffer.alloc(size, index + 1);
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'tree', Key: key, UploadId, PartNumber: index + 1, Body: body }));
        parts.push({ ETag: ETag!, PartNumber: index + 1, body });
      }
      return { UploadId: UploadId!, parts };
    };

    it('gives the object an ETag of the MD5 of the part MD5s with a -N suffix', async () => {
      const { UploadId, parts } = await upload('big.bin', [5 * MiB, 1024]);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: 'tree', Key: 'big.bin', UploadId, MultipartUpload: { Parts: parts.map(({ ETag, PartNumber }) => ({ ETag, PartNumber })) } }),
      );
      const digest = createHash('md5');
      for (const part of parts) digest.update(createHash('md5').update(part.body).digest());
      const expected = `"${digest.digest('hex')}-2"`;
      expect(done.ETag).toBe(expected);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'tree', Key: 'big.bin' }));
      expect(head).toMatchObject({ ETag: expected, ContentLength: 5 * MiB + 1024 });
      const got = await s3.send(new GetObjectCommand({ Bucket: 'tree', Key: 'big.bin', Range: 'bytes=5242879-5242880' }));
      expect([...(await got.Body!.transformToByteArray())]).toEqual([1, 2]);
    }, 60_000);

    it('refuses at completion a part other than the last under 5 MiB with EntityTooSmall', async () => {
      const { UploadId, parts } = await upload('small.bin', [1024, 1024]);
      await expect(
        s3.send(new CompleteMultipartUploadCommand({ Bucket: 'tree', Key: 'small.bin', UploadId, MultipartUpload: { Parts: parts.map(({ ETag, PartNumber }) => ({ ETag, PartNumber })) } })),
      ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
      // A single part may be small: it is the last one.
      const single = await upload('single.bin', [10]);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: 'tree', Key: 'single.bin', UploadId: single.UploadId, MultipartUpload: { Parts: [{ ETag: single.parts[0]!.ETag, PartNumber: 1 }] } }),
      );
      expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
    });

    it('refuses parts out of order, a wrong part ETag and an unknown upload id', async () => {
      const { UploadId, parts } = await upload('order.bin', [5 * MiB, 10]);
      const send = (list: Array<{ ETag: string; PartNumber: number }>, id = UploadId) =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket: 'tree', Key: 'order.bin', UploadId: id, MultipartUpload: { Parts: list } }));
      await expect(send([parts[1]!, parts[0]!].map(({ ETag, PartNumber }) => ({ ETag, PartNumber })))).rejects.toMatchObject({ name: 'InvalidPartOrder' });
      await expect(send([{ ETag: '"00000000000000000000000000000000"', PartNumber: 1 }])).rejects.toMatchObject({ name: 'InvalidPart' });
      await expect(send([{ ETag: parts[0]!.ETag, PartNumber: 1 }], 'no-such-upload')).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    }, 60_000);
  });
});
