import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { lambdaContext, startLocalAws, startResponseServer, type LocalAws, type ResponseServer } from '@fleece/testing';

// The README's simple example runs unchanged: an unmodified SDK program finds the local services
// through the AWS_ENDPOINT_URL_* variables, as it would find AWS through its defaults.
let aws: LocalAws;
let responses: ResponseServer;
let ssm: SSMClient;
const saved = { ...process.env };

beforeAll(async () => {
  aws = await startLocalAws({ services: ['ssm', 'kms', 'cloudformation'] });
  responses = await startResponseServer();
  Object.assign(process.env, aws.env());
  ssm = new SSMClient(aws.clientConfig('ssm'));
});

afterAll(async () => {
  process.env = saved;
  ssm.destroy();
  await responses.stop();
  await aws.stop();
});

it('creates, updates (replacing) and deletes an SSM parameter, answering each once', async () => {
  const example = await import('./readme/parameter-resource.js');
  const stack = aws.cloudformation.registerStack({ StackName: 'app', StackStatus: 'UPDATE_IN_PROGRESS' });
  const base = { StackId: stack.StackId, LogicalResourceId: 'Parameter', ResourceType: 'Custom::Parameter' };
  const event = (type: string, name: string, props: object, extra: object = {}) => {
    const ids = { ...base, RequestId: `${name}-request` };
    return { RequestType: type, ResponseURL: responses.url(name, ids), ...ids, ResourceProperties: { ServiceToken: 'fn', ...props }, ...extra };
  };
  const read = async (name: string) => (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  // The example uses the default logger: JSON lines on the console.
  const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  try {
    await example.handler(event('Create', 'create', { Name: '/app/flag', Value: 'on' }), lambdaContext({ timeoutMs: 10_000 }));
    expect(responses.response('create')?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: '/app/flag', Data: { Name: '/app/flag' } });
    expect(await read('/app/flag')).toBe('on');

    await example.handler(
      event('Update', 'update', { Name: '/app/flag2', Value: 'off' }, { PhysicalResourceId: '/app/flag', OldResourceProperties: { ServiceToken: 'fn', Name: '/app/flag', Value: 'on' } }),
      lambdaContext({ timeoutMs: 10_000 }),
    );
    expect(responses.response('update')?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: '/app/flag2' });

    for (const name of ['/app/flag', '/app/flag2']) {
      await example.handler(event('Delete', `delete${name.replace(/\//g, '-')}`, { Name: name, Value: 'x' }, { PhysicalResourceId: name }), lambdaContext({ timeoutMs: 10_000 }));
    }
    await expect(read('/app/flag2')).rejects.toMatchObject({ name: 'ParameterNotFound' });
    // Deleting what is already gone succeeds.
    await example.handler(event('Delete', 'delete-again', { Name: '/app/flag', Value: 'x' }, { PhysicalResourceId: '/app/flag' }), lambdaContext({ timeoutMs: 10_000 }));
    expect(responses.responses.map((r) => r.body?.['Status'])).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(responses.errors).toEqual([]);
    const lines = info.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines.filter((l) => l['message'] === 'answering CloudFormation')).toHaveLength(5);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'custom resource request', RequestType: 'Create', LogicalResourceId: 'Parameter' });
    expect(JSON.stringify(lines)).not.toContain('X-Amz-Signature');
  } finally {
    info.mockRestore();
    example.destroy();
  }
});
