import { setTimeout as delay } from 'node:timers/promises';

import { traceHandler, traceSubsegment, tracingStatus } from '../src/index.js';
import { resetColdStart } from '../src/trace-handler.js';
import { exceptionsOf, startCollector, type Collector } from './support/collector.js';
import { enterInvocation, lambdaEnvironment } from './support/trace.js';

let collector: Collector;

beforeAll(async () => {
  collector = await startCollector();
  lambdaEnvironment(collector.address);
  process.env['_HANDLER'] = 'index.handler';
});

afterAll(async () => {
  await collector.close();
});

beforeEach(() => {
  resetColdStart();
  delete process.env['AWS_LAMBDA_INITIALIZATION_TYPE'];
});

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
});

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 3000 };

describe('traceHandler', () => {
  it('annotates ColdStart true on the first invocation only, and nests traced calls under the handler', async () => {
    const lookup = traceSubsegment(async (id: string) => {
      await delay(1);
      return id.length;
    }, { name: 'lookup' });
    const handler = traceHandler(async (event: { id: string }, ctx: typeof context) => ({ size: await lookup(event.id), id: ctx.awsRequestId }));

    const first = enterInvocation();
    await expect(handler({ id: 'abc' }, context)).resolves.toEqual({ size: 3, id: 'req-1' });
    const firstDocs = await collector.waitFor(first.traceId, 2);
    const firstHandler = firstDocs.find((d) => d.name === '## index.handler')!;
    expect(firstHandler).toMatchObject({ parent_id: first.parentId, annotations: { ColdStart: true } });
    expect(firstDocs.find((d) => d.name === 'lookup')!.parent_id).toBe(firstHandler.id);
    // The event is not recorded by default: it is the user's data.
    expect(firstHandler.metadata).toBeUndefined();

    const second = enterInvocation();
    await handler({ id: 'abcd' }, context);
    const [secondHandler] = (await collector.waitFor(second.traceId, 2)).filter((d) => d.name === '## index.handler');
    expect(secondHandler!.annotations).toEqual({ ColdStart: false });
  });

  it('counts an unsampled first invocation as the cold start', async () => {
    const handler = traceHandler(async () => 'ok');
    enterInvocation(false);
    await expect(handler({}, context)).resolves.toBe('ok');
    const { traceId } = enterInvocation();
    await handler({}, context);
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc!.annotations).toEqual({ ColdStart: false });
  });

  it('never calls provisioned concurrency or SnapStart invocations cold', async () => {
    for (const initType of ['provisioned-concurrency', 'snap-start']) {
      resetColdStart();
      process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] = initType;
      const { traceId } = enterInvocation();
      await traceHandler(async () => 'ok')({}, context);
      const [doc] = await collector.waitFor(traceId, 1);
      expect(doc!.annotations).toEqual({ ColdStart: false });
    }
  });

  it('records the handler error as a fault and rethrows it unchanged', async () => {
    const { traceId } = enterInvocation();
    const failure = new RangeError('order total below zero');
    const handler = traceHandler(async () => {
      throw failure;
    });
    await expect(handler({}, context)).rejects.toBe(failure);
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc).toMatchObject({ name: '## index.handler', fault: true, annotations: { ColdStart: true } });
    expect(exceptionsOf(doc!)[0]).toMatchObject({ type: 'RangeError', message: 'order total below zero' });
  });

  it('takes a name and can record the response', async () => {
    const { traceId } = enterInvocation();
    const handler = traceHandler(async () => ({ statusCode: 200, body: 'hi' }), { name: 'orders', captureResponse: true });
    await handler({}, context);
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc).toMatchObject({ name: 'orders', metadata: { default: { response: { statusCode: 200, body: 'hi' } } } });
  });

  it('is the plain handler outside a trace, keeping this and its arguments', async () => {
    const sent = tracingStatus().sent;
    const owner = {
      greeting: 'hello',
      handle: traceHandler(async function (this: { greeting: string }, event: { who: string }) {
        return `${this.greeting} ${event.who}`;
      }),
    };
    await expect(owner.handle({ who: 'ann' }, context)).resolves.toBe('hello ann');
    expect(tracingStatus().sent).toBe(sent);
  });

  it('validates its arguments', () => {
    expect(() => traceHandler('nope' as never)).toThrow(/handler must be a function/);
    expect(() => traceHandler(async () => 1, null as never)).toThrow(/options must be an object/);
    expect(() => traceHandler(async () => 1, { name: ' ' })).toThrow(/name must be a non-empty string/);
    expect(() => traceHandler(async () => 1, { captureResponse: 'yes' as never })).toThrow(/captureResponse must be a boolean/);
  });
});
