import { lambdaContext } from '../src/index.js';

describe('lambdaContext', () => {
  it('counts down from the timeout on the injected clock, never below zero', () => {
    let now = 1_000_000;
    const context = lambdaContext({ timeoutMs: 5000, now: () => now });
    expect(context.getRemainingTimeInMillis()).toBe(5000);
    now += 1200;
    expect(context.getRemainingTimeInMillis()).toBe(3800);
    now += 10_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });

  it('has realistic defaults and the invoked ARN', () => {
    const context = lambdaContext();
    expect(context).toMatchObject({
      functionName: 'test-function',
      functionVersion: '$LATEST',
      memoryLimitInMB: '128',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
      logGroupName: '/aws/lambda/test-function',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(3000);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(2000);
  });

  it('takes every field as an option', () => {
    const context = lambdaContext({
      functionName: 'orders',
      functionVersion: '7',
      awsRequestId: 'req-1',
      memoryLimitInMB: 1024,
      region: 'eu-west-1',
      accountId: '210987654321',
      clientContext: { client: {} as never, custom: { a: 1 }, env: {} as never },
      identity: { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' },
      tenantId: 'tenant-a',
    });
    expect(context).toMatchObject({
      functionName: 'orders',
      functionVersion: '7',
      awsRequestId: 'req-1',
      memoryLimitInMB: '1024',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:210987654321:function:orders',
      identity: { cognitoIdentityId: 'id' },
      tenantId: 'tenant-a',
    });
    expect(context.clientContext).toMatchObject({ custom: { a: 1 } });
    expect(lambdaContext({ invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:x:live' }).invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:1:function:x:live');
  });

  it('refuses callbacks, since handlers are async', () => {
    const context = lambdaContext();
    expect(() => context.done()).toThrow(/context.done\(\) is not supported/);
    expect(() => context.fail('x')).toThrow(/fail/);
    expect(() => context.succeed('x')).toThrow(/succeed/);
  });

  it('validates its options', () => {
    expect(() => lambdaContext({ timeoutMs: -1 })).toThrow(/"timeoutMs"/);
    expect(() => lambdaContext({ functionName: '' })).toThrow(/"functionName"/);
    expect(() => lambdaContext({ memoryLimitInMB: 64 })).toThrow(/"memoryLimitInMB"/);
    expect(() => lambdaContext({ now: 5 as never })).toThrow(/"now"/);
    expect(() => lambdaContext(null as never)).toThrow(/"options"/);
  });
});
