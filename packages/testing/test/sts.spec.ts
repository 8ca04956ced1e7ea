import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local STS', () => {
  let aws: LocalAws;
  let sts: STSClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['sts', 'ssm'] });
    sts = new STSClient(aws.clientConfig('sts'));
  });

  afterAll(async () => {
    sts.destroy();
    await aws.stop();
  });

  it('tells who the local credentials belong to', async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: aws.account, Arn: `arn:aws:iam::${aws.account}:user/fleece-local` });
    expect(me.UserId).toBeTruthy();
  });

  it('issues temporary credentials that other local services accept', async () => {
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${aws.account}:role/deployer`, RoleSessionName: 'ci-run', DurationSeconds: 900 }));
    const credentials = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(assumed.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now() + 890_000);
    expect(assumed.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${aws.account}:assumed-role/deployer/ci-run`);

    const asRole = new STSClient({ ...aws.clientConfig('sts'), credentials });
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe(assumed.AssumedRoleUser!.Arn);
    const ssm = new SSMClient({ ...aws.clientConfig('ssm'), credentials });
    await ssm.send(new PutParameterCommand({ Name: '/as-role', Value: 'ok', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/as-role' }))).Parameter!.Value).toBe('ok');
    expect(aws.requests('ssm').every((r) => r.accessKeyId === credentials.accessKeyId)).toBe(true);

    // Without the session token the temporary key is refused.
    const noToken = new SSMClient({ ...aws.clientConfig('ssm'), credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } });
    await expect(noToken.send(new GetParameterCommand({ Name: '/as-role' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    asRole.destroy();
    ssm.destroy();
    noToken.destroy();
  });

  it('validates AssumeRole input', async () => {
    const assume = (input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]>) =>
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${aws.account}:role/r`, RoleSessionName: 'ok', ...input }));
    await expect(assume({ RoleArn: 'not-an-arn' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(assume({ RoleSessionName: 'x' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(assume({ DurationSeconds: 60 })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('names an operation it does not implement, and refuses unsigned requests', async () => {
    await expect(sts.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'InvalidAction',
      message: expect.stringContaining('GetSessionToken'),
    });
    const response = await fetch(aws.endpoint('sts'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
