import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { apiGatewayV1Event, httpApiEvent, lambdaContext, startLocalAws, type LocalAws } from '@fleece/testing';
import { overflow, OverflowError, serializedSize } from '../src/index.js';

const BUCKET = 'overflow-test';
let aws: LocalAws;
let s3: S3Client;

beforeAll(async () => {
  aws = await startLocalAws({ services: ['s3'] });
  s3 = new S3Client(aws.clientConfig('s3'));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(async () => {
  s3.destroy();
  await aws.stop();
}, 60_000);

const respondWith = (result: unknown) => async () => result;
const context = lambdaContext();

describe('overflow', () => {
  it('sends a 10 MB body through S3 with a 303 to a presigned URL that returns the same bytes', async () => {
    const body = JSON.stringify({ rows: 'x'.repeat(10 * 1024 * 1024) });
    const handler = overflow(respondWith({ statusCode: 200, headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }, body }), {
      bucket: BUCKET,
      s3Client: s3,
      keyPrefix: 'overflow/',
    });
    const result = (await handler(apiGatewayV1Event({ path: '/reports/big.json' }), context)) as { statusCode: number; headers: Record<string, string> };
    expect(result.statusCode).toBe(303);
    expect(result.headers['Access-Control-Allow-Origin']).toBe('*');
    const location = new URL(result.headers.location!);
    expect(location.pathname).toMatch(new RegExp(`^/${BUCKET}/overflow/[0-9a-f-]{36}\\.json$`));
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60');

    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('application/json');
    expect(await fetched.text()).toBe(body);
    // Generous: a 10 MB PUT and GET through local S3 on a loaded 2-core machine.
  }, 30_000);

  it('stores binary, base64-encoded bodies as their bytes', async () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const handler = overflow(respondWith({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: bytes.toString('base64'), isBase64Encoded: true }), {
      bucket: BUCKET,
      s3Client: s3,
      thresholdBytes: 100_000,
    });
    const result = (await handler(httpApiEvent({ path: '/images/chart.png' }), context)) as { statusCode: number; headers: Record<string, string> };
    expect(result.statusCode).toBe(303);
    const fetched = await fetch(result.headers.location!);
    expect(fetched.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(bytes);
  });

  it('counts base64 inflation and the envelope, not just the body', async () => {
    const raw = Buffer.alloc(800, 1);
    const binary = { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: raw.toString('base64'), isBase64Encoded: true };
    const text = { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'a'.repeat(800) };
    expect(serializedSize(binary)).toBeGreaterThan(1000);
    const options = { bucket: BUCKET, s3Client: s3, thresholdBytes: 1000 };
    expect(((await overflow(respondWith(binary), options)(httpApiEvent(), context)) as { statusCode: number }).statusCode).toBe(303);
    expect(await overflow(respondWith(text), options)(httpApiEvent(), context)).toBe(text);
  });

  it('passes small responses through untouched and writes nothing', async () => {
    const before = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount;
    const small = { statusCode: 200, body: 'hello' };
    expect(await overflow(respondWith(small), { bucket: BUCKET, s3Client: s3 })(apiGatewayV1Event(), context)).toBe(small);
    expect(await overflow(respondWith(undefined), { bucket: BUCKET, s3Client: s3 })(apiGatewayV1Event(), context)).toBeUndefined();
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount).toBe(before);
  });

  it('moves a bare HTTP API result (a plain object) as JSON', async () => {
    const handler = overflow(respondWith({ items: 'y'.repeat(5000) }), { bucket: BUCKET, s3Client: s3, thresholdBytes: 1000 });
    const result = (await handler(httpApiEvent(), context)) as { headers: Record<string, string> };
    const fetched = await fetch(result.headers.location!);
    expect(fetched.headers.get('content-type')).toBe('application/json');
    expect(await fetched.json()).toEqual({ items: 'y'.repeat(5000) });
  });

  it('gives a URL that the server refuses once expired', async () => {
    const handler = overflow(respondWith({ statusCode: 200, body: 'z'.repeat(5000) }), { bucket: BUCKET, s3Client: s3, thresholdBytes: 1000, expiresInSeconds: 60 });
    const result = (await handler(httpApiEvent(), context)) as { headers: Record<string, string> };
    const url = new URL(result.headers.location!);
    // Backdate the signing time by an hour rather than sleep: the server judges expiry from it.
    const signedAt = url.searchParams.get('X-Amz-Date')!;
    const past = new Date(Date.UTC(+signedAt.slice(0, 4), +signedAt.slice(4, 6) - 1, +signedAt.slice(6, 8), +signedAt.slice(9, 11) - 1, +signedAt.slice(11, 13), +signedAt.slice(13, 15)));
    url.searchParams.set('X-Amz-Date', past.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''));
    expect((await fetch(url)).status).toBe(403);
    expect((await fetch(result.headers.location!)).status).toBe(200);
  });

  it('fails clearly, naming the bucket, when the body cannot be stored', async () => {
    const handler = overflow(respondWith({ statusCode: 200, body: 'q'.repeat(5000) }), { bucket: 'no-such-bucket', s3Client: s3, thresholdBytes: 1000 });
    await expect(handler(httpApiEvent(), context)).rejects.toThrow(OverflowError);
    await expect(handler(httpApiEvent(), context)).rejects.toThrow(/5000-byte response in s3:\/\/no-such-bucket\//);
  });

  it.each([
    [{ bucket: 'Bad_Bucket' }, /"bucket" must be an S3 bucket name/],
    [{ bucket: 'ok-bucket', thresholdBytes: -1 }, /"thresholdBytes"/],
    [{ bucket: 'ok-bucket', expiresInSeconds: 0 }, /"expiresInSeconds" must be an integer from 1 to 604800/],
    [{ bucket: 'ok-bucket', expiresInSeconds: 604801 }, /"expiresInSeconds"/],
    [{ bucket: 'ok-bucket', keyPrefix: 3 }, /"keyPrefix"/],
  ])('rejects %j when wrapping', (options, message) => {
    expect(() => overflow(respondWith(null), options as never)).toThrow(message);
  });
});
