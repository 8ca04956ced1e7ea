// The same handler three ways: three metrics with a dimension, one flush per invocation, the
// cold-start metric where the library has one. Shared by the cold-start and throughput probes.
export const HANDLERS = {
  '@fleece/metrics': `
    import { Metrics, metricsHandler } from '@fleece/metrics';
    const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench' });
    export const handler = metricsHandler(async (event) => {
      metrics.addDimension('route', event.route);
      metrics.addMetric('Requests', 'Count', 1);
      metrics.addMetric('Latency', 'Milliseconds', event.latency);
      metrics.addMetric('Bytes', 'Bytes', event.bytes);
      return { ok: true };
    }, { metrics, captureColdStart: true });`,
  '@aws-lambda-powertools/metrics': `
    import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
    const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench' });
    export const handler = async (event, context) => {
      metrics.captureColdStartMetric(context.functionName);
      try {
        metrics.addDimension('route', event.route);
        metrics.addMetric('Requests', MetricUnit.Count, 1);
        metrics.addMetric('Latency', MetricUnit.Milliseconds, event.latency);
        metrics.addMetric('Bytes', MetricUnit.Bytes, event.bytes);
        return { ok: true };
      } finally {
        metrics.publishStoredMetrics();
      }
    };`,
  'aws-embedded-metrics': `
    import { metricScope, Unit } from 'aws-embedded-metrics';
    export const handler = metricScope((metrics) => async (event) => {
      metrics.setNamespace('Bench');
      metrics.putDimensions({ service: 'bench', route: event.route });
      metrics.putMetric('Requests', 1, Unit.Count);
      metrics.putMetric('Latency', event.latency, Unit.Milliseconds);
      metrics.putMetric('Bytes', event.bytes, Unit.Bytes);
      return { ok: true };
    });`,
};

export const EVENT = { route: 'GET /greeting', latency: 12.5, bytes: 2048 };
