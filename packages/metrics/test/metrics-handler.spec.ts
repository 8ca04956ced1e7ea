import { currentInvocation } from '@fleece/retry';
import { lambdaContext } from '@fleece/testing';
import { Metrics, metricsHandler, MetricsError } from '../src/index.js';
import { collector, type EmfLine } from './emf.js';

// A fresh process for the kernel: cold start is the first invocation of a process.
function freshProcess(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('@fleece/retry.kernel')];
}

function setup(options: { tenantDimension?: boolean } = {}) {
  const out = collector();
  const metrics = new Metrics({ namespace: 'Greeting', serviceName: 'greeter', write: out.write, ...options });
  return { out, metrics };
}

const coldStarts = (lines: EmfLine[]) => lines.filter((line) => 'ColdStart' in line);

describe('metricsHandler', () => {
  beforeEach(freshProcess);

  it('flushes once per invocation, after the handler, with what it recorded', async () => {
    const { out, metrics } = setup();
    const handler = metricsHandler(
      async (event: { n: number }) => {
        const before = out.lines.length;
        metrics.addMetric('Greetings', 'Count', event.n);
        expect(out.lines).toHaveLength(before);
        return 'ok';
      },
      { metrics },
    );
    await expect(handler({ n: 2 }, lambdaContext())).resolves.toBe('ok');
    await handler({ n: 5 }, lambdaContext());
    expect(out.lines.map((line) => line['Greetings'])).toEqual([2, 5]);
  });

  it('flushes when the handler throws, and rethrows the same error', async () => {
    const { out, metrics } = setup();
    const boom = new Error('boom');
    const handler = metricsHandler(
      async () => {
        metrics.addMetric('Failures', 'Count', 1);
        throw boom;
      },
      { metrics, throwOnEmpty: true },
    );
    await expect(handler({}, lambdaContext())).rejects.toBe(boom);
    expect(out.lines.map((line) => line['Failures'])).toEqual([1]);
  });

  it('fails an invocation that recorded nothing with throwOnEmpty, but never hides the handler error', async () => {
    const { metrics } = setup();
    const empty = metricsHandler(async () => 'done', { metrics, throwOnEmpty: true });
    await expect(empty({}, lambdaContext())).rejects.toThrow(MetricsError);
    const failing = metricsHandler(
      async () => {
        throw new TypeError('own');
      },
      { metrics, throwOnEmpty: true },
    );
    await expect(failing({}, lambdaContext())).rejects.toThrow(TypeError);
    await expect(metricsHandler(async () => 'done', { metrics })({}, lambdaContext())).resolves.toBe('done');
  });

  it('writes ColdStart once per container, with function_name', async () => {
    const { out, metrics } = setup();
    const handler = metricsHandler(async () => undefined, { metrics, captureColdStart: true });
    const context = lambdaContext({ functionName: 'greeting-fn' });
    await handler({}, context);
    await handler({}, lambdaContext({ functionName: 'greeting-fn' }));
    const cold = coldStarts(out.lines);
    expect(cold).toHaveLength(1);
    expect(cold[0]).toMatchObject({ ColdStart: 1, service: 'greeter', function_name: 'greeting-fn' });
    expect(cold[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'function_name']]);
  });

  it.each(['provisioned-concurrency', 'snap-start'])('writes no ColdStart under %s', async (type) => {
    process.env['AWS_LAMBDA_INITIALIZATION_TYPE'] = type;
    try {
      const { out, metrics } = setup();
      await metricsHandler(async () => undefined, { metrics, captureColdStart: true })({}, lambdaContext());
      expect(coldStarts(out.lines)).toHaveLength(0);
    } finally {
      delete process.env['AWS_LAMBDA_INITIALIZATION_TYPE'];
    }
  });

  it('validates its arguments, naming them', () => {
    expect(() => metricsHandler('x' as never)).toThrow(/@fleece\/metrics: option "handler" must be a function/);
    expect(() => metricsHandler(async () => 1, { captureColdStart: 'yes' as never })).toThrow(/option "captureColdStart" must be a boolean/);
    expect(() => metricsHandler(async () => 1, { metrics: {} as never })).toThrow(/option "metrics" must be a Metrics instance/);
  });

  it('keeps 64 overlapping invocations apart (Lambda Managed Instances)', async () => {
    const { out, metrics } = setup({ tenantDimension: true });
    const handler = metricsHandler(
      async (event: { id: number }) => {
        metrics.addDimension('caller', `c${event.id}`);
        for (let step = 0; step < 3; step++) {
          metrics.addMetric('Steps', 'Count', event.id);
          metrics.addMetadata(`step${step}`, event.id);
          // Interleave: every invocation yields between its writes.
          await new Promise((resolve) => setTimeout(resolve, (event.id * 7) % 5));
        }
        expect(currentInvocation()?.tenantId).toBe(`tenant-${event.id}`);
        return event.id;
      },
      { metrics },
    );
    const ids = Array.from({ length: 64 }, (_, id) => id);
    const results = await Promise.all(ids.map((id) => handler({ id }, lambdaContext({ tenantId: `tenant-${id}` }))));
    expect(results).toEqual(ids);
    expect(out.lines).toHaveLength(64);
    for (const line of out.lines) {
      const id = Number(String(line['caller']).slice(1));
      expect(line['Steps']).toEqual([id, id, id]);
      expect(line).toMatchObject({ tenant_id: `tenant-${id}`, step0: id, step2: id });
    }
    expect(new Set(out.lines.map((line) => line['caller'])).size).toBe(64);
  });
});
