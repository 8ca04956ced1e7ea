import { MAX_METRICS_PER_LINE, MAX_VALUES_PER_METRIC } from './limits.js';
import type { MetricSet, StoredMetric } from './metric-set.js';

/** A metric definition of an EMF directive. */
interface MetricDefinition {
  Name: string;
  Unit: string;
  StorageResolution?: 1;
}

/**
 * The Embedded Metric Format lines for everything in `set`: one JSON object per line, each within
 * EMF's limits. A group with more than 100 metrics, or a metric with more than 100 values, is
 * split across lines, never cut: CloudWatch adds the values of every line up.
 *
 * @param timestamp - epoch milliseconds, the time CloudWatch files the values under.
 */
export function emfLines(namespace: string, timestamp: number, set: MetricSet): string[] {
  const lines: string[] = [];
  const metadata = Object.fromEntries(set.metadata);
  for (const group of set.groups.values()) {
    const dimensions = Object.fromEntries(set.dimensionsOf(group));
    const dimensionSet = Object.keys(dimensions);
    for (const members of chunks(group.metrics)) {
      // Metadata first, then dimensions, then values: later members win, and a dimension or a
      // metric must never be shadowed by a metadata key of the same name.
      // A prototype-free root, so a member called `__proto__` is a member like any other.
      const root: Record<string, unknown> = Object.assign(Object.create(null), metadata, dimensions);
      const definitions: MetricDefinition[] = [];
      for (const [name, metric, values] of members) {
        root[name] = values.length === 1 ? values[0] : values;
        definitions.push(definition(name, metric));
      }
      root['_aws'] = {
        Timestamp: timestamp,
        CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dimensionSet], Metrics: definitions }],
      };
      lines.push(JSON.stringify(root));
    }
  }
  return lines;
}

function definition(name: string, metric: StoredMetric): MetricDefinition {
  return metric.resolution === 1 ? { Name: name, Unit: metric.unit, StorageResolution: 1 } : { Name: name, Unit: metric.unit };
}

/**
 * The group's metrics as lines' worth of `[name, metric, values]`: round r carries the r-th slice
 * of 100 values of every metric that has one, cut into lines of at most 100 metrics.
 */
function* chunks(metrics: Map<string, StoredMetric>): Generator<Array<[string, StoredMetric, number[]]>> {
  for (let round = 0; ; round++) {
    const start = round * MAX_VALUES_PER_METRIC;
    const slice: Array<[string, StoredMetric, number[]]> = [];
    for (const [name, metric] of metrics) {
      if (metric.values.length > start) slice.push([name, metric, metric.values.slice(start, start + MAX_VALUES_PER_METRIC)]);
    }
    if (slice.length === 0) return;
    for (let i = 0; i < slice.length; i += MAX_METRICS_PER_LINE) yield slice.slice(i, i + MAX_METRICS_PER_LINE);
  }
}
