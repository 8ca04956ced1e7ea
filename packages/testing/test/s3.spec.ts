import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local S3 (s3rver)', () => {
  let aws: LocalAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['s3', 'sts'] });
    s3 = new S3Client(aws.clientConfig('s3'));
    await s3.send(new CreateBucketCommand({ Bucket: 'bucket' }));
  });

  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('puts, heads, gets, lists and deletes objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'a/b.json', Body: '{"x":1}', ContentType: 'application/json' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'a/b.json' }));
    expect(head).toMatchObject({ ContentLength: 7, ContentType: 'application/json' });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a/b.json' }));
    expect(await got.Body!.transformToString()).toBe('{"x":1}');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a/' }));
    expect(listed.Contents!.map((o) => o.Key)).toEqual(['a/b.json']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'bucket', Key: 'a/b.json' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'a/b.json' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('never serves half an object while it is being rewritten, as S3 does not', async () => {
    const versions = Array.from({ length: 30 }, (_, i) => JSON.stringify({ version: i, padding: 'p'.repeat(i * 2000) }));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'state.json', Body: versions[0] }));
    const writer = (async () => {
      for (const body of versions.slice(1)) await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'state.json', Body: body }));
    })();
    const seen: string[] = [];
    const reader = (async () => {
      for (let i = 0; i < 60; i++) seen.push(await (await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'state.json' }))).Body!.transformToString());
    })();
    await Promise.all([writer, reader]);
    for (const body of seen) expect(versions).toContain(body);
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'state.json', Range: 'bytes=0-9' }));
    expect(await ranged.Body!.transformToString()).toBe(versions[29]!.slice(0, 10));
    // 90 requests: seconds on a loaded 2-core machine.
  }, 60_000);

  it('deletes several objects at once', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'm/1', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'm/2', Body: '2' }));
    const deleted = await s3.send(new DeleteObjectsCommand({ Bucket: 'bucket', Delete: { Objects: [{ Key: 'm/1' }, { Key: 'm/2' }] } }));
    expect(deleted.Deleted!.map((d) => d.Key).sort()).toEqual(['m/1', 'm/2']);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'm/' }))).KeyCount).toBe(0);
  });

  it('serves presigned PUT and GET URLs and enforces their expiry', async () => {
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'bucket', Key: 'presigned.txt' }), { expiresIn: 60 });
    expect(new URL(putUrl).host).toBe(new URL(aws.endpoint('s3')).host);
    expect((await fetch(putUrl, { method: 'PUT', body: 'hello über' })).status).toBe(200);
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bucket', Key: 'presigned.txt' }), { expiresIn: 60 });
    const response = await fetch(getUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello über');

    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bucket', Key: 'presigned.txt' }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    expect((await fetch(expired)).status).toBe(403);
    const tampered = getUrl.replace('presigned.txt', 'other.txt');
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('refuses anonymous requests and wrong secrets, and accepts assumed-role credentials', async () => {
    const anonymous = await fetch(`${aws.endpoint('s3')}/bucket/presigned.txt`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');

    const wrong = new S3Client({ ...aws.clientConfig('s3'), credentials: { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: 'wrong' } });
    await expect(wrong.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'presigned.txt' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    wrong.destroy();

    const sts = new STSClient(aws.clientConfig('sts'));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${aws.account}:role/reader`, RoleSessionName: 'reader' }));
    sts.destroy();
    const asRole = new S3Client({
      ...aws.clientConfig('s3'),
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    const got = await asRole.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'presigned.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello über');
    asRole.destroy();
  });

  it('counts S3 operations by name', async () => {
    aws.resetRequests();
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'count', Body: 'x' }));
    await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'count' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'count' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'bucket' }));
    expect(aws.requests('s3').map((r) => `${r.operation} ${r.status}`)).toEqual(['PutObject 200', 'GetObject 200', 'HeadObject 200', 'ListObjectsV2 200']);
  });

  it('removes its temporary directory on stop', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('fleece-s3-')));
    const local = await startLocalAws({ services: ['s3'] });
    const created = readdirSync(tmpdir()).filter((d) => d.startsWith('fleece-s3-') && !before.has(d));
    expect(created).toHaveLength(1);
    const client = new S3Client(local.clientConfig('s3'));
    await client.send(new CreateBucketCommand({ Bucket: 'tmp' }));
    await client.send(new PutObjectCommand({ Bucket: 'tmp', Key: 'k', Body: 'v' }));
    client.destroy();
    await local.stop();
    expect(existsSync(`${tmpdir()}/${created[0]}`)).toBe(false);
  });
});
