import { CreateKeyCommand, DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  DeleteParametersCommand,
  PutParameterCommand,
  SSMClient,
  type Parameter,
} from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local SSM Parameter Store', () => {
  let aws: LocalAws;
  let ssm: SSMClient;
  let kms: KMSClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['ssm', 'kms'] });
    ssm = new SSMClient(aws.clientConfig('ssm'));
    kms = new KMSClient(aws.clientConfig('kms'));
  });

  afterAll(async () => {
    ssm.destroy();
    kms.destroy();
    await aws.stop();
  });

  it('stores String and StringList parameters with versions', async () => {
    expect(await ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://a', Type: 'String' }))).toMatchObject({ Version: 1, Tier: 'Standard' });
    await expect(ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://b', Type: 'String' }))).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
    });
    expect(await ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://b', Overwrite: true }))).toMatchObject({ Version: 2 });
    const latest = await ssm.send(new GetParameterCommand({ Name: '/app/prod/url' }));
    expect(latest.Parameter).toMatchObject({
      Name: '/app/prod/url',
      Type: 'String',
      Value: 'https://b',
      Version: 2,
      ARN: `arn:aws:ssm:${aws.region}:${aws.account}:parameter/app/prod/url`,
      DataType: 'text',
    });
    expect(latest.Parameter!.LastModifiedDate).toBeInstanceOf(Date);
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/prod/url:1' }))).Parameter).toMatchObject({ Value: 'https://a', Selector: ':1' });
    expect((await ssm.send(new GetParameterCommand({ Name: latest.Parameter!.ARN! }))).Parameter!.Value).toBe('https://b');
    await expect(ssm.send(new GetParameterCommand({ Name: '/app/prod/url:9' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/app/prod/url:live' }))).rejects.toMatchObject({ name: 'ParameterVersionNotFound' });

    await ssm.send(new PutParameterCommand({ Name: 'flat', Value: 'a,b,c', Type: 'StringList' }));
    expect((await ssm.send(new GetParameterCommand({ Name: 'flat' }))).Parameter).toMatchObject({ Type: 'StringList', Value: 'a,b,c' });
    expect((await ssm.send(new GetParameterCommand({ Name: `arn:aws:ssm:${aws.region}:${aws.account}:parameter/flat` }))).Parameter!.Name).toBe('flat');
  });

  it('encrypts SecureStrings with the local KMS under the parameter ARN', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/db-password', Value: 'hunter2', Type: 'SecureString' }));
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/app/prod/db-password' }));
    expect(hidden.Parameter!.Type).toBe('SecureString');
    expect(hidden.Parameter!.Value).not.toContain('hunter2');
    const shown = await ssm.send(new GetParameterCommand({ Name: '/app/prod/db-password', WithDecryption: true }));
    expect(shown.Parameter!.Value).toBe('hunter2');
    // The stored value is a real KMS ciphertext bound to the parameter's ARN, as in AWS.
    const direct = await kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(hidden.Parameter!.Value!, 'base64'),
        EncryptionContext: { PARAMETER_ARN: hidden.Parameter!.ARN! },
      }),
    );
    expect(Buffer.from(direct.Plaintext!).toString()).toBe('hunter2');

    const key = await kms.send(new CreateKeyCommand({}));
    await ssm.send(new PutParameterCommand({ Name: '/app/own-key', Value: 's', Type: 'SecureString', KeyId: key.KeyMetadata!.Arn }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/own-key', WithDecryption: true }))).Parameter!.Value).toBe('s');
    await expect(ssm.send(new PutParameterCommand({ Name: '/app/bad-key', Value: 's', Type: 'SecureString', KeyId: 'alias/none' }))).rejects.toMatchObject({
      name: 'InvalidKeyId',
    });
    await expect(ssm.send(new PutParameterCommand({ Name: '/app/plain-key', Value: 's', Type: 'String', KeyId: 'alias/none' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('applies AWS name and value rules', async () => {
    const put = (Name: string, Value = 'v', extra: Record<string, unknown> = {}) => ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));
    await expect(put('a/b')).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('fully qualified') });
    await expect(put('/aws/thing')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put('ssm-thing')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put('/bad name')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put('/trailing/')).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`)).rejects.toMatchObject({ name: 'HierarchyLevelLimitExceededException' });
    await expect(put('/big', 'x'.repeat(4097))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('4096') });
    await expect(put('/big-advanced', 'x'.repeat(4097), { Tier: 'Advanced' })).resolves.toMatchObject({ Tier: 'Advanced' });
    await expect(put('/pattern', 'abc', { AllowedPattern: '^\\d+$' })).rejects.toMatchObject({ name: 'ParameterPatternMismatchException' });
    await expect(put('/tagged', 'v', { Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(put('/bad-type', 'v', { Type: 'Number' })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('gets up to ten parameters at once and reports the missing ones', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/multi/a', Value: '1', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/multi/s', Value: 'secret', Type: 'SecureString' }));
    const got = await ssm.send(new GetParametersCommand({ Names: ['/multi/a', '/multi/s', '/multi/none'], WithDecryption: true }));
    expect(got.Parameters!.map((p) => [p.Name, p.Value])).toEqual([
      ['/multi/a', '1'],
      ['/multi/s', 'secret'],
    ]);
    expect(got.InvalidParameters).toEqual(['/multi/none']);
    await expect(ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/multi/${i}`) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 10'),
    });
  });

  it('walks a path, recursively or not, page by page', async () => {
    for (let i = 0; i < 12; i += 1) {
      await ssm.send(new PutParameterCommand({ Name: `/tree/${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: i === 3 ? 'SecureString' : 'String' }));
    }
    await ssm.send(new PutParameterCommand({ Name: '/tree/deep/er', Value: 'deep', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/treetop', Value: 'not under /tree', Type: 'String' }));

    const collect = async (Recursive: boolean, MaxResults?: number) => {
      const all: Parameter[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await ssm.send(new GetParametersByPathCommand({ Path: '/tree', Recursive, WithDecryption: true, MaxResults, NextToken }));
        all.push(...page.Parameters!);
        NextToken = page.NextToken;
        pages += 1;
      } while (NextToken);
      return { names: all.map((p) => p.Name), values: all.map((p) => p.Value), pages };
    };
    const flat = await collect(false);
    expect(flat.names).toHaveLength(12);
    expect(flat.names).not.toContain('/tree/deep/er');
    expect(flat.pages).toBe(2);
    expect(flat.values).toContain('v3');
    const deep = await collect(true, 5);
    expect(deep.names).toHaveLength(13);
    expect(deep.names).toContain('/tree/deep/er');
    expect(deep.names).not.toContain('/treetop');
    expect(deep.pages).toBe(3);

    const secure = await ssm.send(
      new GetParametersByPathCommand({ Path: '/tree/', ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }] }),
    );
    expect(secure.Parameters!.map((p) => p.Name)).toEqual(['/tree/03']);
    expect(secure.Parameters![0]!.Value).not.toBe('v3');

    await expect(ssm.send(new GetParametersByPathCommand({ Path: 'tree' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/tree', MaxResults: 11 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/tree', NextToken: '%%%' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: '/tree', ParameterFilters: [{ Key: 'Label', Values: ['x'] }] })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('deletes parameters and answers ParameterNotFound', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/gone', Value: 'x', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/gone' }));
    await expect(ssm.send(new GetParameterCommand({ Name: '/gone' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/gone' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  it('names an operation it does not implement', async () => {
    await expect(ssm.send(new DeleteParametersCommand({ Names: ['/x'] }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('DeleteParameters'),
    });
  });
});
