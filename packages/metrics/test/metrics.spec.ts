import fc from 'fast-check';
import { MAX_DIMENSIONS, METRIC_UNITS, Metrics, MetricsError } from '../src/index.js';
import { collector, sumOf } from './emf.js';

const NOW = 1_767_225_600_000;

function metrics(options: ConstructorParameters<typeof Metrics>[0] = {}) {
  const out = collector();
  return { out, metrics: new Metrics({ namespace: 'Greeting', serviceName: 'greeter', write: out.write, now: () => NOW, ...options }) };
}

describe('Metrics, outside an invocation', () => {
  it('writes one EMF line with the namespace, the service dimension, units and values', () => {
    const { out, metrics: m } = metrics();
    m.addMetric('Greetings', 'Count', 1);
    m.addMetric('Latency', 'Milliseconds', 12.5, { resolution: 1 });
    expect(m.flush()).toBe(1);
    const [line] = out.lines;
    expect(line._aws).toEqual({
      Timestamp: NOW,
      CloudWatchMetrics: [
        {
          Namespace: 'Greeting',
          Dimensions: [['service']],
          Metrics: [
            { Name: 'Greetings', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds', StorageResolution: 1 },
          ],
        },
      ],
    });
    expect(line).toMatchObject({ service: 'greeter', Greetings: 1, Latency: 12.5 });
  });

  it('keeps every value of a metric added twice, and writes nothing once flushed', () => {
    const { out, metrics: m } = metrics();
    m.addMetric('Orders', 'Count', 1);
    m.addMetric('Orders', 'Count', 3);
    m.flush();
    expect(out.lines[0]['Orders']).toEqual([1, 3]);
    expect(m.hasStoredMetrics()).toBe(false);
    expect(m.flush()).toBe(0);
    expect(out.lines).toHaveLength(1);
  });

  it('adds default dimensions, flush dimensions and metadata to the line', () => {
    const { out, metrics: m } = metrics({ defaultDimensions: { stage: 'prod' } });
    m.addDimension('route', 'GET /greeting');
    m.addMetadata('requestId', 'abc-123');
    m.addMetric('Greetings', 'Count', 1);
    m.flush();
    const [line] = out.lines;
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'stage', 'route']]);
    expect(line).toMatchObject({ stage: 'prod', route: 'GET /greeting', requestId: 'abc-123' });
  });

  it('writes a metric with dimensions of its own on a line with its own dimension set', () => {
    const { out, metrics: m } = metrics();
    m.addMetric('Greetings', 'Count', 1);
    m.addMetric('Greetings', 'Count', 1, { dimensions: { language: 'fr' } });
    m.addMetric('Greetings', 'Count', 1, { dimensions: { language: 'fr' } });
    expect(m.flush()).toBe(2);
    expect(out.lines.map((line) => line._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service']], [['service', 'language']]]);
    expect(out.lines[1]).toMatchObject({ language: 'fr', Greetings: [1, 1] });
  });

  it('splits 250 metrics into lines of at most 100, losing none', () => {
    const { out, metrics: m } = metrics();
    for (let i = 0; i < 250; i++) m.addMetric(`m${i}`, 'Count', i);
    expect(m.flush()).toBe(3);
    expect(out.lines.map((line) => line._aws.CloudWatchMetrics[0].Metrics.length)).toEqual([100, 100, 50]);
    for (let i = 0; i < 250; i++) expect(sumOf(out.lines, `m${i}`)).toBe(i);
  });

  it('splits a metric with 250 values into lines of at most 100 values, losing none', () => {
    const { out, metrics: m } = metrics();
    for (let i = 1; i <= 250; i++) m.addMetric('Bytes', 'Bytes', i);
    m.addMetric('Once', 'Count', 7);
    expect(m.flush()).toBe(3);
    expect(out.lines.map((line) => (Array.isArray(line['Bytes']) ? line['Bytes'].length : 1))).toEqual([100, 100, 50]);
    expect(sumOf(out.lines, 'Bytes')).toBe((250 * 251) / 2);
    expect(sumOf(out.lines, 'Once')).toBe(7);
  });

  it('refuses what CloudWatch would reject, at the call, with a MetricsError naming it', () => {
    const { metrics: m } = metrics();
    expect(() => m.addMetric('x', 'Counts' as never, 1)).toThrow(/metric "x" has unit "Counts"/);
    expect(() => m.addMetric('x', 'Count', Number.NaN)).toThrow(MetricsError);
    expect(() => m.addMetric('x', 'Count', 1, { resolution: 5 as never })).toThrow(/resolution 60 \(standard\) or 1/);
    expect(() => m.addMetric('', 'Count', 1)).toThrow(/metric name must be a string of 1 to 255/);
    expect(() => m.addMetric('_aws', 'Count', 1)).toThrow(/reserved/);
    expect(() => m.addDimension('route', '')).toThrow(/dimension "route" must have a string value/);
    m.addMetric('x', 'Count', 1);
    expect(() => m.addMetric('x', 'Seconds', 1)).toThrow(/one unit and resolution per metric/);
    expect(() => m.addDimension('x', 'v')).toThrow(/already used/);
    expect(() => m.addMetadata('service', 'v')).toThrow(/already used/);
  });

  it('refuses the 31st dimension of a set instead of dropping one', () => {
    const { metrics: m } = metrics();
    for (let i = 1; i < MAX_DIMENSIONS; i++) m.addDimension(`d${i}`, 'v');
    expect(() => m.addDimension('one-too-many', 'v')).toThrow(/at most 30 dimensions/);
    expect(() => m.addMetric('x', 'Count', 1, { dimensions: { extra: 'v' } })).toThrow(/at most 30 dimensions/);
  });

  it('validates its options, naming the option', () => {
    const saved = process.env['POWERTOOLS_METRICS_NAMESPACE'];
    delete process.env['POWERTOOLS_METRICS_NAMESPACE'];
    try {
      expect(() => new Metrics()).toThrow(/@fleece\/metrics: option "namespace" must be .*POWERTOOLS_METRICS_NAMESPACE/);
      expect(() => new Metrics({ namespace: 'n', write: 'stdout' as never })).toThrow(/option "write" must be a function, got "stdout"/);
      expect(() => new Metrics({ namespace: 'n', tenantDimension: 1 as never })).toThrow(/option "tenantDimension"/);
      const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`d${i}`, 'v']));
      expect(() => new Metrics({ namespace: 'n', defaultDimensions: many })).toThrow(/option "defaultDimensions"/);
    } finally {
      if (saved !== undefined) process.env['POWERTOOLS_METRICS_NAMESPACE'] = saved;
    }
  });

  it('takes namespace and service from the environment', () => {
    process.env['POWERTOOLS_METRICS_NAMESPACE'] = 'FromEnv';
    process.env['POWERTOOLS_SERVICE_NAME'] = 'env-service';
    try {
      const out = collector();
      const m = new Metrics({ write: out.write });
      m.addMetric('x', 'None', 1);
      m.flush();
      expect(out.lines[0]._aws.CloudWatchMetrics[0].Namespace).toBe('FromEnv');
      expect(out.lines[0]['service']).toBe('env-service');
    } finally {
      delete process.env['POWERTOOLS_METRICS_NAMESPACE'];
      delete process.env['POWERTOOLS_SERVICE_NAME'];
    }
  });

  it('writes to stdout by default, one line each', () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => writes.push(String(chunk)) > 0);
    try {
      const m = new Metrics({ namespace: 'n' });
      m.addMetric('x', 'Count', 1);
      m.flush();
    } finally {
      spy.mockRestore();
    }
    expect(writes).toHaveLength(1);
    expect(writes[0].endsWith('}\n')).toBe(true);
  });
});

describe('hostile names', () => {
  const builtIns = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', '__proto__', 'constructor', 'toString'];
  const name = fc.oneof(fc.constantFrom(...builtIns), fc.string({ minLength: 1, maxLength: 40 }));

  it('are ordinary metric, dimension and metadata names: valid EMF, values kept, Object.prototype untouched', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 3, maxLength: 3 }), fc.constantFrom(...METRIC_UNITS), ([metric, dimension, meta], unit) => {
        fc.pre([metric, dimension, meta].every((n) => n.trim() !== '' && n !== '_aws' && n !== 'service'));
        const { out, metrics: m } = metrics();
        m.addDimension(dimension, 'value');
        m.addMetadata(meta, 'meta');
        m.addMetric(metric, unit, 42);
        m.flush();
        const [line] = out.lines;
        expect(Object.getOwnPropertyDescriptor(line, metric)?.value).toBe(42);
        expect(Object.getOwnPropertyDescriptor(line, dimension)?.value).toBe('value');
        expect(Object.getOwnPropertyDescriptor(line, meta)?.value).toBe('meta');
      }),
      { numRuns: 300 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
