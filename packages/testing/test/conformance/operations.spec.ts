/**
 * The operations added for issue 24, as the AWS API references of KMS, SSM, Secrets Manager, Lambda
 * and CloudFormation document them, through the AWS SDK v3. (One file for these for now; a file per
 * service is the goal.)
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient, ListAliasesCommand, ListKeysCommand, ReEncryptCommand } from '@aws-sdk/client-kms';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '../../src/index.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ services: ['kms', 'ssm', 'secretsmanager', 'lambda', 'cloudformation'] });
});
afterAll(() => aws.stop());

it('KMS: ListKeys pages with Limit/NextMarker, ListAliases, ReEncrypt, GenerateDataKeyWithoutPlaintext', async () => {
  const kms = new KMSClient(aws.clientConfig('kms'));
  const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/b', TargetKeyId: b.KeyId! }));
  const first = await kms.send(new ListKeysCommand({ Limit: 1 }));
  expect(first).toMatchObject({ Truncated: true, Keys: [{ KeyId: a.KeyId, KeyArn: a.Arn }] });
  const rest = await kms.send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));
  expect(rest).toMatchObject({ Truncated: false, Keys: [{ KeyId: b.KeyId }] });
  await expect(kms.send(new ListKeysCommand({ Marker: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidMarkerException' });
  expect((await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }))).Aliases).toEqual([expect.objectContaining({ AliasName: 'alias/b', TargetKeyId: b.KeyId })]);
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('hi'), EncryptionContext: { k: '1' } }));
  const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { k: '1' }, DestinationKeyId: 'alias/b' }));
  expect(moved).toMatchObject({ SourceKeyId: a.Arn, KeyId: b.Arn });
  expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }))).Plaintext!).toString()).toBe('hi');
  const dataKey = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: a.KeyId, KeySpec: 'AES_256' }));
  expect(dataKey).not.toHaveProperty('Plaintext');
  expect((await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext).toHaveLength(32);
  kms.destroy();
});

it('SSM: labels select a version and move between versions; history and DescribeParameters', async () => {
  const ssm = new SSMClient(aws.clientConfig('ssm'));
  await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'one', Type: 'String' }));
  await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'two', Overwrite: true }));
  expect(await ssm.send(new LabelParameterVersionCommand({ Name: '/app/url', ParameterVersion: 1, Labels: ['live', '1bad'] }))).toMatchObject({ InvalidLabels: ['1bad'], ParameterVersion: 1 });
  expect((await ssm.send(new GetParameterCommand({ Name: '/app/url:live' }))).Parameter).toMatchObject({ Value: 'one', Selector: ':live' });
  await ssm.send(new LabelParameterVersionCommand({ Name: '/app/url', Labels: ['live'] }));
  const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/url' }));
  expect(history.Parameters!.map((p) => [p.Version, p.Value, p.Labels])).toEqual([[1, 'one', []], [2, 'two', ['live']]]);
  const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/app'] }] }));
  expect(described.Parameters!.map((p) => [p.Name, p.Version])).toEqual([['/app/url', 2]]);
  ssm.destroy();
});

it('Secrets Manager: DescribeSecret, ListSecrets, DeleteSecret with a recovery window', async () => {
  const sm = new SecretsManagerClient(aws.clientConfig('secretsmanager'));
  await sm.send(new CreateSecretCommand({ Name: 'app/db', SecretString: 's' }));
  await sm.send(new CreateSecretCommand({ Name: 'other', SecretString: 's' }));
  const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/db' }));
  expect(Object.values(described.VersionIdsToStages!)).toEqual([['AWSCURRENT']]);
  expect((await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['app/'] }] }))).SecretList!.map((s) => s.Name)).toEqual(['app/db']);
  await expect(sm.send(new DeleteSecretCommand({ SecretId: 'other', RecoveryWindowInDays: 3 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  await sm.send(new DeleteSecretCommand({ SecretId: 'other', RecoveryWindowInDays: 7 }));
  await expect(sm.send(new GetSecretValueCommand({ SecretId: 'other' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
  expect((await sm.send(new ListSecretsCommand({}))).SecretList!.map((s) => s.Name)).toEqual(['app/db']);
  sm.destroy();
});

it('Lambda GetFunction and ListFunctions; CloudFormation DescribeStackResource(s)', async () => {
  aws.lambda.register('worker', async () => 1, { timeoutMs: 2500 });
  const lambda = new LambdaClient(aws.clientConfig('lambda'));
  expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'worker' }))).Configuration).toMatchObject({ FunctionName: 'worker', Timeout: 3, MemorySize: 128 });
  await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  expect((await lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName)).toEqual(['worker']);
  lambda.destroy();
  aws.cloudformation.registerStack({ StackName: 'app', Resources: [{ LogicalResourceId: 'Table', ResourceType: 'AWS::DynamoDB::Table', PhysicalResourceId: 'app-table' }] });
  const cfn = new CloudFormationClient(aws.clientConfig('cloudformation'));
  expect((await cfn.send(new DescribeStackResourceCommand({ StackName: 'app', LogicalResourceId: 'Table' }))).StackResourceDetail).toMatchObject({ PhysicalResourceId: 'app-table', ResourceStatus: 'CREATE_COMPLETE' });
  expect((await cfn.send(new DescribeStackResourcesCommand({ PhysicalResourceId: 'app-table' }))).StackResources!.map((r) => r.LogicalResourceId)).toEqual(['Table']);
  await expect(cfn.send(new DescribeStackResourceCommand({ StackName: 'app', LogicalResourceId: 'Nope' }))).rejects.toMatchObject({ name: 'ValidationError' });
  cfn.destroy();
});
