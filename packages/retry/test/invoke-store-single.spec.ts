import { currentInvocation, currentTraceId, joinInvocation, lambdaHandler, sleep } from '../src/index.js';
import { installInvokeStore, runAsRuntime } from './invoke-store.js';

const TRACE_A = 'Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1';
const TRACE_B = 'Root=1-67891233-bbbbbbbbbbbbbbbbbbbbbbbb;Parent=563ac35c9f6413ad;Sampled=0';

describe('under the runtime invoke store, single-context mode', () => {
  afterEach(() => delete process.env['_X_AMZN_TRACE_ID']);

  it('reads request, trace and tenant ids from the store, before the context and the environment', async () => {
    const store = await installInvokeStore(false);
    process.env['_X_AMZN_TRACE_ID'] = TRACE_B;
    const handler = lambdaHandler(async () => {
      await sleep(1);
      const invocation = currentInvocation()!;
      return { id: invocation.requestId, trace: invocation.traceId, tenant: invocation.tenantId, current: currentTraceId() };
    });
    const seen = await runAsRuntime(store, { requestId: 'r1', traceId: TRACE_A, tenantId: 'from-store' }, () =>
      handler({}, { awsRequestId: 'r1', tenantId: 'from-context', getRemainingTimeInMillis: () => 1000 }),
    );
    expect(seen).toEqual({ id: 'r1', trace: TRACE_A, tenant: 'from-store', current: TRACE_A });
  });

  it('runs invocations one after another, each with its own ids', async () => {
    const store = await installInvokeStore(false);
    const handler = lambdaHandler(async () => [currentInvocation()!.requestId, currentTraceId()]);
    const first = await runAsRuntime(store, { requestId: 'one', traceId: TRACE_A }, () => handler({}, { awsRequestId: 'one' }));
    const second = await runAsRuntime(store, { requestId: 'two', traceId: TRACE_B }, () => handler({}, { awsRequestId: 'two' }));
    expect([first, second]).toEqual([
      ['one', TRACE_A],
      ['two', TRACE_B],
    ]);
  });

  it('trusts the store even without a trace: the environment may belong to another invocation', async () => {
    const store = await installInvokeStore(false);
    process.env['_X_AMZN_TRACE_ID'] = TRACE_B;
    const trace = runAsRuntime(store, { requestId: 'r2' }, () => joinInvocation({}, { awsRequestId: 'r2' }, () => currentTraceId()));
    expect(trace).toBeUndefined();
  });

  it('ignores a stale store whose request id is not the context one (a handler called directly)', async () => {
    const store = await installInvokeStore(false);
    runAsRuntime(store, { requestId: 'old', traceId: TRACE_A, tenantId: 'old-tenant' }, () => undefined);
    const seen = joinInvocation({}, { awsRequestId: 'new', tenantId: 'mine' }, () => currentInvocation()!);
    expect([seen.requestId, seen.traceId, seen.tenantId]).toEqual(['new', undefined, 'mine']);
  });

  it('outside an invocation, currentTraceId reads the store', async () => {
    const store = await installInvokeStore(false);
    runAsRuntime(store, { requestId: 'r3', traceId: TRACE_A }, () => expect(currentTraceId()).toBe(TRACE_A));
  });
});
