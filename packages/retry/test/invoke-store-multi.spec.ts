import { currentInvocation, currentTraceId, lambdaHandler, remainingMs, sleep } from '../src/index.js';
import { installInvokeStore, runAsRuntime } from './invoke-store.js';

const trace = (i: number) => `Root=1-67891233-${i.toString(16).padStart(24, '0')};Parent=463ac35c9f6413ad;Sampled=1`;

describe('under the runtime invoke store, multi-context mode (Lambda Managed Instances)', () => {
  it('keeps 64 overlapping invocations apart, ids from the store', async () => {
    const store = await installInvokeStore(true);
    process.env['_X_AMZN_TRACE_ID'] = 'Root=1-00000000-ffffffffffffffffffffffff;Parent=0000000000000000;Sampled=1';
    const handler = lambdaHandler(async (event: { i: number }) => {
      const seen: string[] = [];
      for (let step = 0; step < 3; step++) {
        await sleep((event.i * 5 + step) % 4);
        const invocation = currentInvocation()!;
        seen.push(`${invocation.requestId}|${invocation.traceId}|${invocation.tenantId}|${currentTraceId()}`);
      }
      return { seen, left: remainingMs() };
    });
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        runAsRuntime(store, { requestId: `r${i}`, traceId: trace(i), tenantId: `t${i}` }, () =>
          handler({ i }, { awsRequestId: `r${i}`, getRemainingTimeInMillis: () => 60_000 + i }),
        ),
      ),
    );
    results.forEach(({ seen, left }, i) => {
      expect(seen).toEqual(Array(3).fill(`r${i}|${trace(i)}|t${i}|${trace(i)}`));
      expect(left).toBe(59_500 + i);
    });
    // Outside every runtime context the store has nothing, so the environment is the fallback.
    expect(currentTraceId()).toBe(process.env['_X_AMZN_TRACE_ID']);
    delete process.env['_X_AMZN_TRACE_ID'];
  });
});
