import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EncryptCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { createServer } from 'node:net';
import { SERVICE_NAMES, startLocalAws, startResponseServer, startXrayCollector } from '../src/index.js';

describe('startLocalAws', () => {
  it('starts every service by default, each on its own loopback port', async () => {
    const aws = await startLocalAws();
    try {
      expect(aws.services).toEqual(SERVICE_NAMES);
      const ports = new Set(SERVICE_NAMES.map((s) => new URL(aws.endpoint(s)).port));
      expect(ports.size).toBe(SERVICE_NAMES.length);
      for (const service of SERVICE_NAMES) {
        expect(aws.endpoint(service)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(aws.clientConfig(service)).toMatchObject({ endpoint: aws.endpoint(service), region: 'us-east-1', credentials: aws.credentials });
      }
      expect(aws.clientConfig('s3')).toMatchObject({ forcePathStyle: true });
      expect(aws.clientConfig('kms').forcePathStyle).toBeUndefined();
      const env = aws.env();
      expect(env).toMatchObject({
        AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint('dynamodb'),
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint('secretsmanager'),
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      });
    } finally {
      await aws.stop();
    }
  });

  it('uses the given region and fixed ports', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const aws = await startLocalAws({ services: ['kms'], ports: { kms: port }, region: 'eu-central-1' });
    try {
      expect(aws.endpoint('kms')).toBe(`http://127.0.0.1:${port}`);
      expect(aws.env().AWS_REQUEST_CHECKSUM_CALCULATION).toBeUndefined();
      const kms = new KMSClient(aws.clientConfig('kms'));
      const key = await kms.send(new CreateKeyCommand({}));
      expect(key.KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-central-1:/);
      kms.destroy();
      // A busy port fails the start and leaves nothing running.
      await expect(startLocalAws({ services: ['s3', 'kms'], ports: { kms: port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await aws.stop();
    }
  });

  it('validates options and names services that were not started', async () => {
    await expect(startLocalAws({ services: ['sqs' as never] })).rejects.toThrow(/"services"/);
    await expect(startLocalAws({ services: [] })).rejects.toThrow(/"services"/);
    await expect(startLocalAws({ ports: { kms: 70000 } })).rejects.toThrow(/"ports.kms"/);
    await expect(startLocalAws({ ports: { sqs: 1 } as never })).rejects.toThrow(/"ports"/);
    await expect(startLocalAws({ region: '' })).rejects.toThrow(/"region"/);
    const aws = await startLocalAws({ services: ['sts'] });
    expect(() => aws.endpoint('kms')).toThrow(/'kms' was not started \(started: sts\)/);
    await aws.stop();
    await aws.stop();
  });

  it('rejects a request signed for another service', async () => {
    const aws = await startLocalAws({ services: ['kms', 'dynamodb'] });
    // A DynamoDB client pointed at the KMS endpoint signs for 'dynamodb'.
    const misdirected = new DynamoDBClient({ ...aws.clientConfig('dynamodb'), endpoint: aws.endpoint('kms') });
    await expect(misdirected.send(new ListTablesCommand({}))).rejects.toMatchObject({ message: expect.stringContaining("scoped to correct service: 'kms'") });
    misdirected.destroy();
    await aws.stop();
  });

  it('starts and stops twenty times in one run without leaking handles', async () => {
    for (let i = 0; i < 20; i += 1) {
      const aws = await startLocalAws({ services: i % 2 === 0 ? ['dynamodb', 's3', 'kms'] : undefined });
      const dynamo = new DynamoDBClient(aws.clientConfig('dynamodb'));
      const s3 = new S3Client(aws.clientConfig('s3'));
      const kms = new KMSClient(aws.clientConfig('kms'));
      await dynamo.send(
        new CreateTableCommand({
          TableName: 'tbl',
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
      const key = await kms.send(new CreateKeyCommand({}));
      await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }));
      const responses = await startResponseServer();
      const xray = await startXrayCollector();
      dynamo.destroy();
      s3.destroy();
      kms.destroy();
      await Promise.all([aws.stop(), responses.stop(), xray.stop()]);
    }
    // Every socket this package opened is closed: only jest's own handles may remain.
    const active = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
    expect(active.filter((r) => r === 'TCPServerWrap' || r === 'UDPWrap')).toEqual([]);
  }, 60_000);
});
