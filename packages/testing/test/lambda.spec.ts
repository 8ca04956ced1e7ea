import { ListVersionsByFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { startLocalAws, type LocalAws } from '../src/index.js';

const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload!).toString('utf8'));

describe('local Lambda', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;

  beforeAll(async () => {
    aws = await startLocalAws({ services: ['lambda'] });
    lambda = new LambdaClient(aws.clientConfig('lambda'));
  });

  afterAll(async () => {
    lambda.destroy();
    await aws.stop();
  });

  it('invokes a registered handler RequestResponse with a real context', async () => {
    let seen: { event: unknown; context: Context; remaining: number } | undefined;
    aws.lambda.register('echo', async (event: unknown, context: Context) => {
      seen = { event, context, remaining: context.getRemainingTimeInMillis() };
      return { echoed: event };
    }, { timeoutMs: 10_000, memoryLimitInMB: 256 });
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: 'echo',
        Payload: Buffer.from(JSON.stringify({ hello: 'world' })),
        LogType: 'Tail',
        ClientContext: Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64'),
      }),
    );
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(response.ExecutedVersion).toBe('$LATEST');
    expect(decode(response.Payload)).toEqual({ echoed: { hello: 'world' } });
    expect(Buffer.from(response.LogResult!, 'base64').toString()).toContain(`START RequestId: ${seen!.context.awsRequestId}`);
    expect(seen!.event).toEqual({ hello: 'world' });
    expect(seen!.remaining).toBeGreaterThan(9_000);
    expect(seen!.remaining).toBeLessThanOrEqual(10_000);
    expect(seen!.context).toMatchObject({
      functionName: 'echo',
      memoryLimitInMB: '256',
      invokedFunctionArn: `arn:aws:lambda:${aws.region}:${aws.account}:function:echo`,
      clientContext: { custom: { a: 1 } },
    });
  });

  it('finds handlers by ARN, partial ARN and qualifier', async () => {
    aws.lambda.register(`arn:aws:lambda:${aws.region}:${aws.account}:function:by-arn`, async () => 'unqualified');
    aws.lambda.register('by-arn:live', async (_event: unknown, context: Context) => `live ${context.invokedFunctionArn}`);
    const call = async (FunctionName: string, Qualifier?: string) => decode((await lambda.send(new InvokeCommand({ FunctionName, Qualifier }))).Payload);
    expect(await call('by-arn')).toBe('unqualified');
    expect(await call(`${aws.account}:function:by-arn`)).toBe('unqualified');
    expect(await call(`arn:aws:lambda:${aws.region}:${aws.account}:function:by-arn:live`)).toBe(`live arn:aws:lambda:${aws.region}:${aws.account}:function:by-arn:live`);
    expect(await call('by-arn', 'live')).toMatch(/^live /);
    expect(await call('by-arn', 'other')).toBe('unqualified');
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'by-arn:live', Qualifier: 'other' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining(`function:nobody`),
    });
    aws.lambda.unregister('by-arn:live');
    expect(await call('by-arn', 'live')).toBe('unqualified');
  });

  it('reports handler errors and timeouts as function errors', async () => {
    aws.lambda.register('fails', async () => {
      throw new RangeError('bad input');
    });
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'fails' }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(decode(failed.Payload)).toEqual({ errorType: 'RangeError', errorMessage: 'bad input' });

    aws.lambda.register('slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 200)), { timeoutMs: 20 });
    const slow = await lambda.send(new InvokeCommand({ FunctionName: 'slow' }));
    expect(slow.FunctionError).toBe('Unhandled');
    expect(decode(slow.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 0.02 seconds') });
    expect(aws.lambda.invocations('slow')[0]).toMatchObject({ timedOut: true, done: true });

    aws.lambda.register('circular', async () => {
      const value: Record<string, unknown> = {};
      value['self'] = value;
      return value;
    });
    const circular = await lambda.send(new InvokeCommand({ FunctionName: 'circular' }));
    expect(decode(circular.Payload)).toMatchObject({ errorType: 'Runtime.MarshalError' });

    aws.lambda.register('huge', async () => 'x'.repeat(6 * 1024 * 1024));
    const huge = await lambda.send(new InvokeCommand({ FunctionName: 'huge' }));
    expect(decode(huge.Payload)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });

    aws.lambda.register('nothing', async () => undefined);
    expect(decode((await lambda.send(new InvokeCommand({ FunctionName: 'nothing' }))).Payload)).toBeNull();
  });

  it('runs Event invocations after answering 202, and lets a test await them', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const finished: number[] = [];
    aws.lambda.register('background', async (event: { n: number }) => {
      await gate;
      if (event.n === 2) throw new Error('second one fails');
      finished.push(event.n);
      return event.n * 10;
    });
    // The handlers cannot finish before the gate opens, so Invoke must return without waiting for them.
    const first = await lambda.send(new InvokeCommand({ FunctionName: 'background', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
    expect(first.StatusCode).toBe(202);
    await lambda.send(new InvokeCommand({ FunctionName: 'background', InvocationType: 'Event', Payload: Buffer.from('{"n":2}') }));
    expect(finished).toEqual([]);
    const waiting = aws.lambda.settled();
    open();
    const settled = await waiting;
    expect(finished).toEqual([1]);
    const mine = settled.filter((i) => i.functionName === 'background');
    expect(mine.map((i) => [i.result, i.error?.errorMessage])).toEqual([
      [10, undefined],
      [undefined, 'second one fails'],
    ]);
    expect(mine.every((i) => i.done && i.invocationType === 'Event')).toBe(true);
  });

  it('answers DryRun, refuses bad payloads and names unimplemented operations', async () => {
    aws.lambda.register('dry', async () => 'never');
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'dry', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
    expect(aws.lambda.invocations('dry')).toEqual([]);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'dry', Payload: Buffer.from('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'dry', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify('x'.repeat(1024 * 1024))) })),
    ).rejects.toMatchObject({ name: 'RequestTooLargeException' });
    await expect(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'dry' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('ListVersionsByFunction'),
    });
    expect(() => aws.lambda.register('bad name!', async () => 1)).toThrow(/"nameOrArn"/);
    expect(() => aws.lambda.register('ok', 'nope' as never)).toThrow(/"handler"/);
    expect(() => aws.lambda.register('ok', async () => 1, { timeoutMs: -1 })).toThrow(/"timeoutMs"/);
  });
});
