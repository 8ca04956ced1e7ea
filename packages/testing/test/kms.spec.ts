import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  DisableKeyCommand,
} from '@aws-sdk/client-kms';
import { createDecipheriv, createCipheriv, randomBytes } from 'node:crypto';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local KMS', () => {
  let aws: LocalAws;
  let kms: KMSClient;
  let keyId: string;
  let keyArn: string;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['kms'] });
    kms = new KMSClient(aws.clientConfig('kms'));
    const created = await kms.send(new CreateKeyCommand({ Description: 'test key' }));
    keyId = created.KeyMetadata!.KeyId!;
    keyArn = created.KeyMetadata!.Arn!;
  });

  afterAll(async () => {
    kms.destroy();
    await aws.stop();
  });

  it('creates symmetric keys with AWS-shaped metadata', async () => {
    const created = await kms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      AWSAccountId: aws.account,
      Arn: `arn:aws:kms:${aws.region}:${aws.account}:key/${created.KeyMetadata!.KeyId}`,
    });
    expect(created.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    await expect(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' }))).rejects.toMatchObject({ name: 'UnsupportedOperationException' });
  });

  it('addresses keys by id, ARN, alias and alias ARN', async () => {
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/config', TargetKeyId: keyId }));
    for (const ref of [keyId, keyArn, 'alias/config', `arn:aws:kms:${aws.region}:${aws.account}:alias/config`]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(described.KeyMetadata!.KeyId).toBe(keyId);
    }
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'alias/config', TargetKeyId: keyId }))).rejects.toMatchObject({
      name: 'AlreadyExistsException',
    });
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: keyId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'nope', TargetKeyId: keyId }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: 'alias/config' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: expect.stringContaining('does not exist'),
    });
  });

  it('encrypts with real AES-GCM and decrypts without a KeyId', async () => {
    const plaintext = Buffer.from('the secret');
    const encrypted = await kms.send(new EncryptCommand({ KeyId: 'alias/config', Plaintext: plaintext }));
    expect(encrypted.KeyId).toBe(keyArn);
    expect(Buffer.from(encrypted.CiphertextBlob!).includes(plaintext)).toBe(false);
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('the secret');
    expect(decrypted.KeyId).toBe(keyArn);
    // Each encryption uses a fresh IV.
    const again = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    expect(Buffer.from(again.CiphertextBlob!).equals(Buffer.from(encrypted.CiphertextBlob!))).toBe(false);
  });

  it('enforces the encryption context, the KeyId and the integrity of the blob', async () => {
    const context = { stage: 'prod', app: 'orders' };
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: context }));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { stage: 'dev', app: 'orders' } }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { app: 'orders', stage: 'prod' } }));
    expect(Buffer.from(ok.Plaintext!).toString()).toBe('x');

    const other = await kms.send(new CreateKeyCommand({}));
    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context, KeyId: other.KeyMetadata!.KeyId }))).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 1;
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage') }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('limits Encrypt to 4096 bytes of plaintext, as AWS does', async () => {
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4096, 1) }));
    await expect(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097, 1) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('4096'),
    });
    await expect(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).rejects.toMatchObject({
      name: 'InvalidKeyUsageException',
    });
  });

  it('generates data keys that work for envelope encryption', async () => {
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { purpose: 'envelope' } }));
    expect(dataKey.Plaintext).toHaveLength(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dataKey.Plaintext!, iv);
    const sealed = Buffer.concat([cipher.update('payload'), cipher.final()]);
    const tag = cipher.getAuthTag();

    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { purpose: 'envelope' } }));
    const decipher = createDecipheriv('aes-256-gcm', unwrapped.Plaintext!, iv);
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).toString()).toBe('payload');

    expect((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 7 }))).Plaintext).toHaveLength(7);
    expect((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }))).Plaintext).toHaveLength(16);
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: keyId }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 2000 }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('names an operation it does not implement and counts calls', async () => {
    await expect(kms.send(new DisableKeyCommand({ KeyId: 'alias/none' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('DisableKey'),
    });
    aws.resetRequests();
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(aws.requests('kms').filter((r) => r.operation === 'Decrypt')).toHaveLength(1);
    expect(aws.requests().map((r) => r.operation)).toEqual(['Encrypt', 'Decrypt']);
  });

  it('refuses a request without a SigV4 Authorization header', async () => {
    const response = await fetch(aws.endpoint('kms'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
