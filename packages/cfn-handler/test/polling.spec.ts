import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CfnLambdaExecutionTimeout, CustomResource, defaultPhysicalId, inProgress, type CustomResourceOptions } from '../src/index.js';
import { FUNCTION, onlyResponse, startHarness, type Harness } from './support/fixtures.js';

let h: Harness;
let lambda: LambdaClient;

beforeAll(async () => {
  h = await startHarness();
  lambda = new LambdaClient(h.aws.clientConfig('lambda'));
});

afterAll(async () => {
  lambda.destroy();
  await h.close();
});

afterEach(async () => {
  await h.aws.lambda.settled();
  h.aws.lambda.unregister(FUNCTION);
  expect(h.responses.errors).toEqual([]);
});

type State = { step: number; size: string };

function resource(extra: CustomResourceOptions = {}) {
  return new CustomResource<{ Size: string }>(h.options({ stackStatus: false, ...extra }));
}

/** Starts the operation as CloudFormation does (an Event invoke), and waits for the whole chain. */
async function runChain(event: Record<string, unknown>) {
  const before = h.aws.lambda.invocations(FUNCTION).length;
  await lambda.send(new InvokeCommand({ FunctionName: FUNCTION, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  await h.aws.lambda.settled();
  return h.aws.lambda.invocations(FUNCTION).slice(before);
}

describe('polling past the Lambda limit', () => {
  it('a three-hop chain through the local Lambda finishes SUCCESS, carrying state', async () => {
    const polled: Array<{ hop: unknown; state: unknown; status: unknown }> = [];
    const r = resource()
      .create(async (event) => inProgress<State>({ step: 1, size: event.ResourceProperties.Size }))
      .poll(async (event) => {
        const state = event.EventState as State;
        polled.push({ hop: event.EventHop, state, status: event.EventStatus });
        if (state.step < 3) return inProgress<State>({ ...state, step: state.step + 1 });
        return { data: { Steps: state.step, Size: state.size } };
      });
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const event = h.event('Create', 'chain-3');
    const invocations = await runChain(event);

    expect(invocations).toHaveLength(4);
    expect(invocations.every((i) => i.done && !i.error)).toBe(true);
    expect(invocations.slice(0, 3).map((i) => i.result)).toEqual([1, 2, 3].map((hop) => ({ Status: 'IN_PROGRESS', EventHop: hop })));
    const payloads = invocations.slice(1).map((i) => i.event as Record<string, unknown>);
    expect(payloads.map((p) => [p['EventStatus'], p['EventHop']])).toEqual([
      ['Poll', 1],
      ['Poll', 2],
      ['Poll', 3],
    ]);
    // One CreationTime for the whole chain, in epoch seconds; Timeout in seconds (the origin's default).
    const creation = payloads[0]!['CreationTime'] as number;
    expect(Math.abs(creation - Date.now() / 1000)).toBeLessThan(30);
    expect(payloads.every((p) => p['CreationTime'] === creation && p['Timeout'] === 300)).toBe(true);
    expect(payloads.every((p) => p['RequestId'] === event['RequestId'] && p['ResponseURL'] === event['ResponseURL'])).toBe(true);
    expect(polled.map((p) => p.state)).toEqual([1, 2, 3].map((step) => ({ step, size: '3' })));

    const body = onlyResponse(h, 'chain-3');
    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Steps: 3, Size: '3' } });
    expect(body['PhysicalResourceId']).toBe(defaultPhysicalId(h.stackId, 'Thing', event['RequestId'] as string));
  });

  it("the origin's way: raise event.Timeout, throw CfnLambdaExecutionTimeout(state) near the limit", async () => {
    const r = resource()
      .create(async (event, context) => {
        event.Timeout = 1800;
        if (context.getRemainingTimeInMillis() < 60_000) throw new CfnLambdaExecutionTimeout({ polled: 0 });
      })
      .poll(async (event) => ({ data: { Timeout: event.Timeout, State: JSON.stringify(event.EventState) } }));
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const invocations = await runChain(h.event('Create', 'origin-way'));
    expect(invocations).toHaveLength(2);
    expect((invocations[1]!.event as Record<string, unknown>)['Timeout']).toBe(1800);
    expect(onlyResponse(h, 'origin-way')).toMatchObject({ Status: 'SUCCESS', Data: { Timeout: 1800, State: '{"polled":0}' } });
  });

  it('a Timeout exceeded mid-chain answers FAILED', async () => {
    let now = Date.UTC(2030, 0, 1);
    const r = resource({ clock: () => now })
      .update(async () => inProgress({ n: 0 }))
      .poll(async (event) => {
        now += 200_000; // each poll takes 200 s of the operation's 300 s
        return inProgress({ n: (event.EventState as { n: number }).n + 1 });
      });
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const invocations = await runChain(h.event('Update', 'chain-timeout'));
    expect(invocations).toHaveLength(3);
    expect(invocations[2]!.result).toMatchObject({ Status: 'FAILED' });
    expect(onlyResponse(h, 'chain-timeout')).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'thing-1',
      Reason: 'timed out: the operation did not finish within its Timeout of 300 s',
    });
  });

  it('a Poll event that arrives after the Timeout fails without calling user code', async () => {
    const poll = jest.fn();
    const r = resource().poll(poll);
    const event = h.event('Create', 'late-poll', { EventStatus: 'Poll', CreationTime: Date.now() / 1000 - 301, Timeout: 300, EventHop: 2, EventState: {} });
    await r.handler(event, h.context());
    expect(onlyResponse(h, 'late-poll')).toMatchObject({ Status: 'FAILED', Reason: /Timeout of 300 s/ });
    expect(poll).not.toHaveBeenCalled();
  });

  it('caps the hop count (maxHops) well below the recursion cutoff', async () => {
    const r = resource({ maxHops: 2 })
      .create(async () => inProgress(null))
      .poll(async () => inProgress(null));
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const invocations = await runChain(h.event('Create', 'max-hops'));
    expect(invocations).toHaveLength(3);
    expect(onlyResponse(h, 'max-hops')).toMatchObject({ Status: 'FAILED', Reason: 'gave up after 2 re-invocations (maxHops) without finishing' });
  });

  it('a function that runs out of time hands on to the poll function instead of failing', async () => {
    const r = resource({ marginMs: 200 })
      .create(async (_, __, tools) => {
        await new Promise((resolve) => tools.signal.addEventListener('abort', resolve));
        await new Promise(() => undefined);
      })
      .poll(async (event) => ({ physicalResourceId: 'finished', data: { Hop: event.EventHop, HadState: event.EventState !== undefined } }));
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 700 });
    const invocations = await runChain(h.event('Create', 'guard-hands-on'));
    expect(invocations.map((i) => i.timedOut)).toEqual([false, false]);
    expect(onlyResponse(h, 'guard-hands-on')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'finished', Data: { Hop: 1, HadState: false } });
  });

  it('a handed-on physical id is answered when the chain fails, so the Delete reaches user code', async () => {
    const deleted: string[] = [];
    const r = resource()
      .create(async () => inProgress({ job: 42 }, { physicalResourceId: 'job-42' }))
      .poll(async (event) => {
        expect(event.EventPhysicalResourceId).toBe('job-42');
        throw new Error('job 42 failed');
      })
      .delete(async (event) => {
        deleted.push(event.PhysicalResourceId);
      });
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    await runChain(h.event('Create', 'handed-id'));
    expect(onlyResponse(h, 'handed-id')).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'job-42', Reason: 'job 42 failed' });
    await r.handler(h.event('Delete', 'handed-id-delete', { PhysicalResourceId: 'job-42' }), h.context());
    expect(deleted).toEqual(['job-42']);
    onlyResponse(h, 'handed-id-delete');
  });

  it('an Update chain may end in a replacement', async () => {
    const r = resource()
      .update(async () => inProgress('building'))
      .poll(async () => ({ physicalResourceId: 'thing-2' }));
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    await runChain(h.event('Update', 'update-chain'));
    expect(onlyResponse(h, 'update-chain')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-2' });
  });
});

describe('hand-on failures answer FAILED', () => {
  it('a failed self re-invoke', async () => {
    const r = resource()
      .create(async () => inProgress({}))
      .poll(async () => undefined);
    const ghost = h.functionArn.replace(FUNCTION, 'ghost-function');
    await r.handler(h.event('Create', 'reinvoke-fails'), h.context(10_000, ghost));
    const body = onlyResponse(h, 'reinvoke-fails');
    expect(body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^could not re-invoke the function to keep polling: .*ghost-function/) });
    expect(h.aws.lambda.invocations('ghost-function')).toHaveLength(0);
  });

  it('inProgress without a poll function', async () => {
    const r = resource().create(async () => inProgress({}));
    await r.handler(h.event('Create', 'no-poll-fn'), h.context());
    expect(onlyResponse(h, 'no-poll-fn')).toMatchObject({ Status: 'FAILED', Reason: /no poll function is registered/ });
  });

  it('a poll state that cannot be serialized', async () => {
    const r = resource()
      .create(async () => inProgress({ big: 1n }))
      .poll(async () => undefined);
    await r.handler(h.event('Create', 'bad-state'), h.context());
    expect(onlyResponse(h, 'bad-state')).toMatchObject({ Status: 'FAILED', Reason: /poll state cannot be serialized to JSON/ });
  });

  it('a context without invokedFunctionArn', async () => {
    const r = resource()
      .create(async () => inProgress({}))
      .poll(async () => undefined);
    const context = { ...h.context(), invokedFunctionArn: '' };
    await r.handler(h.event('Create', 'no-arn'), context);
    expect(onlyResponse(h, 'no-arn')).toMatchObject({ Status: 'FAILED', Reason: /no invokedFunctionArn/ });
  });

  it('an invoke that Lambda does not accept (not 202), through a client of your own', async () => {
    const send = jest.fn(async () => ({ StatusCode: 200 }));
    const r = resource({ clients: { lambda: { send } } })
      .create(async () => inProgress({}))
      .poll(async () => undefined);
    await r.handler(h.event('Create', 'not-202'), h.context());
    expect(send).toHaveBeenCalledTimes(1);
    expect(onlyResponse(h, 'not-202')).toMatchObject({ Status: 'FAILED', Reason: /status 200 instead of 202/ });
  });

  it('an invoke that hangs past the invocation: still answered in time', async () => {
    const r = resource({ marginMs: 300, clients: { lambda: { send: () => new Promise(() => undefined) } } })
      .create(async () => inProgress({}))
      .poll(async () => undefined);
    const context = h.context(1000);
    await r.handler(h.event('Create', 'invoke-hangs'), context);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(onlyResponse(h, 'invoke-hangs')).toMatchObject({ Status: 'FAILED', Reason: /did not finish before the invocation ran out of time/ });
  });
});
