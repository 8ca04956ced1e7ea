import { currentInvocation, joinInvocation, lambdaHandler, sleep } from '../src/index.js';

// jest gives each test file its own globals, so this file is a fresh process to the kernel.
describe('cold start', () => {
  it('is true for the first invocation of the process only, even when 64 start at once', async () => {
    const handler = lambdaHandler(async () => {
      await sleep(1);
      return currentInvocation()!.coldStart;
    });
    const colds = await Promise.all(Array.from({ length: 64 }, (_, i) => handler({}, { awsRequestId: `r${i}` })));
    expect(colds[0]).toBe(true);
    expect(colds.filter(Boolean)).toHaveLength(1);
    expect(joinInvocation({}, { awsRequestId: 'later' }, () => currentInvocation()!.coldStart)).toBe(false);
  });
});
