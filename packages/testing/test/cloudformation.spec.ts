import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { startLocalAws, type LocalAws } from '../src/index.js';

describe('local CloudFormation', () => {
  let aws: LocalAws;
  let cfn: CloudFormationClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['cloudformation'] });
    cfn = new CloudFormationClient(aws.clientConfig('cloudformation'));
  });

  afterAll(async () => {
    cfn.destroy();
    await aws.stop();
  });

  it('describes registered stacks with outputs, parameters and tags', async () => {
    const registered = aws.cloudformation.registerStack({
      StackName: 'orders-prod',
      Outputs: { TableName: 'orders', QueueUrl: 'https://sqs/q?a=1&b=<2>' },
      Parameters: { Stage: 'prod' },
      Tags: [{ Key: 'team', Value: 'core' }],
      Description: 'orders service',
    });
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'orders-prod' }));
    expect(Stacks).toHaveLength(1);
    expect(Stacks![0]).toMatchObject({
      StackName: 'orders-prod',
      StackId: registered.StackId,
      StackStatus: 'CREATE_COMPLETE',
      Description: 'orders service',
      Outputs: [
        { OutputKey: 'TableName', OutputValue: 'orders' },
        { OutputKey: 'QueueUrl', OutputValue: 'https://sqs/q?a=1&b=<2>' },
      ],
      Parameters: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      Tags: [{ Key: 'team', Value: 'core' }],
    });
    expect(Stacks![0]!.CreationTime).toBeInstanceOf(Date);
    expect(registered.StackId).toMatch(new RegExp(`^arn:aws:cloudformation:${aws.region}:${aws.account}:stack/orders-prod/`));
    const byId = await cfn.send(new DescribeStacksCommand({ StackName: registered.StackId }));
    expect(byId.Stacks![0]!.StackName).toBe('orders-prod');
  });

  it('lists every stack without a name and answers ValidationError for unknown ones', async () => {
    aws.cloudformation.registerStack({ StackName: 'other', StackStatus: 'UPDATE_ROLLBACK_COMPLETE', Outputs: [{ OutputKey: 'K', OutputValue: 'V', ExportName: 'ex' }] });
    const all = await cfn.send(new DescribeStacksCommand({}));
    expect(all.Stacks!.map((s) => s.StackName)).toEqual(expect.arrayContaining(['orders-prod', 'other']));
    expect(all.Stacks!.find((s) => s.StackName === 'other')).toMatchObject({ StackStatus: 'UPDATE_ROLLBACK_COMPLETE', Outputs: [{ ExportName: 'ex' }] });
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'missing' }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id missing does not exist',
    });
    aws.cloudformation.removeStack('other');
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'other' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('validates what a test registers and names unimplemented operations', async () => {
    expect(() => aws.cloudformation.registerStack({ StackName: '1-bad' })).toThrow(/"StackName"/);
    expect(() => aws.cloudformation.registerStack({} as never)).toThrow(/"StackName"/);
    await expect(cfn.send(new ListStacksCommand({}))).rejects.toMatchObject({ name: 'InvalidAction', message: expect.stringContaining('ListStacks') });
  });
});
