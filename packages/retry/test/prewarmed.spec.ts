import { currentInvocation, joinInvocation } from '../src/index.js';

function freshProcess(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('@fleece/retry.kernel')];
}

describe('cold start after an initialization that ran before any request', () => {
  afterEach(() => delete process.env['AWS_LAMBDA_INITIALIZATION_TYPE']);

  it.each(['provisioned-concurrency', 'snap-start'])('is never reported under %s', (initialization) => {
    freshProcess();
    process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] = initialization;
    expect(joinInvocation({}, { awsRequestId: 'first' }, () => currentInvocation()!.coldStart)).toBe(false);
  });

  it('is reported on demand (the control)', () => {
    freshProcess();
    process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] = 'on-demand';
    expect(joinInvocation({}, { awsRequestId: 'first' }, () => currentInvocation()!.coldStart)).toBe(true);
  });
});
