import {
  CreateSecretCommand,
  RotateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local Secrets Manager', () => {
  let aws: LocalAws;
  let sm: SecretsManagerClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['secretsmanager'] });
    sm = new SecretsManagerClient(aws.clientConfig('secretsmanager'));
  });

  afterAll(async () => {
    sm.destroy();
    await aws.stop();
  });

  it('creates a secret and reads it by name, ARN and partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"p1"}' }));
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${aws.region}:${aws.account}:secret:prod/db-[A-Za-z0-9]{6}$`));
    for (const SecretId of ['prod/db', created.ARN!, created.ARN!.slice(0, -7)]) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId }));
      expect(value).toMatchObject({ Name: 'prod/db', SecretString: '{"password":"p1"}', VersionId: created.VersionId, VersionStages: ['AWSCURRENT'] });
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
    await expect(sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'x' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('rotates versions through AWSCURRENT and AWSPREVIOUS', async () => {
    const first = await sm.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1' }));
    const second = await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2' }));
    const third = await sm.send(new PutSecretValueCommand({ SecretId: first.ARN, SecretString: 'v3' }));
    expect(third.VersionStages).toEqual(['AWSCURRENT']);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v3');
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }));
    expect(previous).toMatchObject({ SecretString: 'v2', VersionId: second.VersionId });
    // The first version lost every label but stays readable by id, as in AWS.
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: first.VersionId }))).SecretString).toBe('v1');
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: first.VersionId, VersionStage: 'AWSCURRENT' }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
    });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPENDING' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: 'f'.repeat(36) }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const pending = await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v4', VersionStages: ['AWSPENDING'] }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPENDING' }))).VersionId).toBe(pending.VersionId);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v3');
  });

  it('is idempotent on ClientRequestToken and refuses to change a version', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tokens', SecretString: 'a' }));
    const token = '11111111-2222-3333-4444-555555555555';
    const once = await sm.send(new PutSecretValueCommand({ SecretId: 'tokens', SecretString: 'b', ClientRequestToken: token }));
    const twice = await sm.send(new PutSecretValueCommand({ SecretId: 'tokens', SecretString: 'b', ClientRequestToken: token }));
    expect(twice.VersionId).toBe(once.VersionId);
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'tokens', SecretString: 'c', ClientRequestToken: token }))).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'tokens', SecretString: 'c', ClientRequestToken: 'short' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('keeps binary secrets and refuses both kinds at once', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: Buffer.from([0, 1, 2, 255]) }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'binary' }));
    expect(Buffer.from(value.SecretBinary!)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(value.SecretString).toBeUndefined();
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'binary', SecretString: 's', SecretBinary: Buffer.from('b') }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'binary' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'binary', SecretString: 'x'.repeat(65537) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers ResourceNotFoundException for unknown secrets and for a secret with no value yet', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'nope', SecretString: 'x' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const empty = await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    expect(empty.VersionId).toBeUndefined();
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'empty' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('AWSCURRENT'),
    });
  });

  it('names an operation it does not implement', async () => {
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'empty' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('RotateSecret'),
    });
  });
});
