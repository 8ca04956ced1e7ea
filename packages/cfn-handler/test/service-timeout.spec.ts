import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { CustomResource, inProgress, type CustomResourceOptions } from '../src/index.js';
import { answerReserveMs, DEFAULT_SERVICE_TIMEOUT_SECONDS, serviceTimeoutSeconds } from '../src/service-timeout.js';
import { FUNCTION, onlyResponse, startHarness, type Harness } from './support/fixtures.js';

let h: Harness;
let lambda: LambdaClient;

beforeAll(async () => {
  h = await startHarness();
  lambda = new LambdaClient(h.aws.clientConfig('lambda'));
}, 60_000);

afterAll(async () => {
  lambda.destroy();
  await h.close();
}, 60_000);

afterEach(async () => {
  await h.aws.lambda.settled();
  h.aws.lambda.unregister(FUNCTION);
  expect(h.responses.errors).toEqual([]);
});

function resource(extra: CustomResourceOptions = {}) {
  return new CustomResource<{ Size: string; ServiceTimeout?: string }>(h.options({ stackStatus: false, ...extra }));
}

describe('ServiceTimeout', () => {
  it('is read from ResourceProperties.ServiceTimeout (a string, seconds), 1 to 3600, else one hour', () => {
    expect(serviceTimeoutSeconds({ ResourceProperties: { ServiceTimeout: '60' } })).toBe(60);
    expect(serviceTimeoutSeconds({ ResourceProperties: { ServiceTimeout: 90 } })).toBe(90);
    expect(serviceTimeoutSeconds({ ResourceProperties: { ServiceTimeout: '7200' } })).toBe(3600);
    expect(serviceTimeoutSeconds({ ResourceProperties: {} })).toBe(DEFAULT_SERVICE_TIMEOUT_SECONDS);
    expect(serviceTimeoutSeconds({})).toBe(3600);
    for (const bad of ['0', '-5', '1.5', 'sixty', '', null, Number.NaN, Infinity, {}, ['60']]) {
      expect(serviceTimeoutSeconds({ ResourceProperties: { ServiceTimeout: bad } })).toBe(3600);
    }
    expect(answerReserveMs(3600)).toBe(30_000);
    expect(answerReserveMs(60)).toBe(6000);
  });

  it('always gives a whole number of seconds from 1 to 3600, whatever the properties hold', () => {
    const hostile = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constantFrom('__proto__', 'constructor', 'toString', '1e3', ' 42 ', '0x10'), fc.object());
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.constant(null), fc.dictionary(fc.constantFrom('ServiceTimeout', '__proto__', 'constructor'), hostile)), (properties) => {
        const seconds = serviceTimeoutSeconds({ ResourceProperties: properties });
        expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600).toBe(true);
      }),
    );
  });

  it('ends a function that outlasts a short ServiceTimeout and answers FAILED over the wire, before Lambda would stop it', async () => {
    let now = Date.UTC(2030, 0, 1);
    let aborted: unknown;
    const r = resource({ clock: () => now }).create(async (_event, _context, tools) => {
      now += 5000; // the work takes 5 s of a 5 s ServiceTimeout (0.5 s of which is kept to answer)
      await new Promise((resolve) => tools.signal.addEventListener('abort', resolve));
      aborted = tools.signal.reason;
    });
    const outcome = await r.handler(h.event('Create', 'short-service', { ResourceProperties: { Size: '3', ServiceTimeout: '5' } }), h.context(60_000));
    expect(aborted).toBeInstanceOf(Error);
    expect(outcome).toMatchObject({ Status: 'FAILED' });
    expect(onlyResponse(h, 'short-service')).toMatchObject({
      Status: 'FAILED',
      Reason: "timed out: the operation did not finish within the custom resource's ServiceTimeout of 5 s (answering before CloudFormation gives up)",
    });
  });

  it('plans a polling chain within the ServiceTimeout even when its Timeout is longer', async () => {
    let now = Date.UTC(2030, 0, 1);
    const r = resource({ clock: () => now })
      .create(async () => inProgress({ n: 0 }))
      .poll(async (event) => {
        now += 20_000; // each poll takes 20 s of a 60 s ServiceTimeout; the Timeout is 300 s
        return inProgress({ n: (event.EventState as { n: number }).n + 1 });
      });
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const event = h.event('Create', 'service-chain', { ResourceProperties: { Size: '3', ServiceTimeout: '60' } });
    await lambda.send(new InvokeCommand({ FunctionName: FUNCTION, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
    const invocations = (await h.aws.lambda.settled()).filter((i) => i.functionName === FUNCTION).slice(-4);
    // Create, then polls at 20 s and 40 s hand on; the poll ending at 60 s is past 60 s less 6 s kept to answer.
    expect(invocations.map((i) => (i.event as { EventHop?: number }).EventHop ?? 0)).toEqual([0, 1, 2, 3]);
    expect((invocations[1]!.event as { Timeout: number }).Timeout).toBe(300);
    expect(onlyResponse(h, 'service-chain')).toMatchObject({ Status: 'FAILED', Reason: /ServiceTimeout of 60 s/ });
  });

  it('a Poll event arriving after the default one-hour ServiceTimeout fails without calling user code', async () => {
    const poll = jest.fn();
    const r = resource().poll(poll);
    // Timeout (the chain's own bound) is longer, so only the ServiceTimeout can have passed.
    const event = h.event('Create', 'late-service', { EventStatus: 'Poll', CreationTime: Date.now() / 1000 - 3590, Timeout: 7200, EventHop: 2, EventState: {} });
    await r.handler(event, h.context());
    expect(onlyResponse(h, 'late-service')).toMatchObject({ Status: 'FAILED', Reason: /ServiceTimeout of 3600 s/ });
    expect(poll).not.toHaveBeenCalled();
  });
});
