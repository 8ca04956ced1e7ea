export { MAX_DIMENSIONS, MAX_METRICS_PER_LINE, MAX_VALUES_PER_METRIC } from './limits.js';
export { Metrics, type AddMetricOptions, type MetricsOptions } from './metrics.js';
export { MetricsError } from './metrics-error.js';
export { defaultMetrics, metricsHandler, type MetricsHandlerOptions } from './metrics-handler.js';
export { isMetricUnit, METRIC_UNITS, type MetricResolution, type MetricUnit } from './units.js';
