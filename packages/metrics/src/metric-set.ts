import type { MetricResolution, MetricUnit } from './units.js';
import { MAX_DIMENSIONS } from './limits.js';
import { MetricsError } from './metrics-error.js';

/** A metric as it waits for the flush: one unit and resolution, every value recorded. */
export interface StoredMetric {
  unit: MetricUnit;
  resolution: MetricResolution;
  values: number[];
}

/** Metrics that share one dimension set (the invocation's, or a metric's own on top of it). */
export interface MetricGroup {
  /** The metric's own dimensions, on top of the default and invocation dimensions. */
  own: Map<string, string>;
  metrics: Map<string, StoredMetric>;
}

/**
 * What one invocation records before its flush: its dimensions, metadata, and metrics grouped by
 * dimension set. Kept in the invocation scope, so overlapping invocations never share one.
 */
export class MetricSet {
  readonly dimensions = new Map<string, string>();
  readonly metadata = new Map<string, unknown>();
  readonly groups = new Map<string, MetricGroup>();

  constructor(private readonly defaultDimensions: ReadonlyMap<string, string>) {}

  /** Empties the set for the next flush of the same invocation. */
  clear(): void {
    this.dimensions.clear();
    this.metadata.clear();
    this.groups.clear();
  }

  /** `true` when no metric is waiting. */
  get isEmpty(): boolean {
    return this.groups.size === 0;
  }

  /** Records one value; a second value of the same metric in the same set joins the first. */
  add(name: string, unit: MetricUnit, resolution: MetricResolution, value: number, own: Map<string, string>): void {
    this.checkFree(name, 'metric');
    const key = groupKey(own);
    let group = this.groups.get(key);
    if (group === undefined) {
      this.checkDimensionCount(own);
      group = { own, metrics: new Map() };
      this.groups.set(key, group);
    }
    const stored = group.metrics.get(name);
    if (stored === undefined) {
      group.metrics.set(name, { unit, resolution, values: [value] });
      return;
    }
    if (stored.unit !== unit || stored.resolution !== resolution) {
      throw new MetricsError(
        `metric "${name}" was recorded as ${stored.unit} at resolution ${stored.resolution}; CloudWatch needs one unit and resolution per metric in a flush, got ${unit} at ${resolution}`,
      );
    }
    stored.values.push(value);
  }

  /** Adds a dimension to every metric of the invocation. */
  addDimension(name: string, value: string): void {
    this.checkFree(name, 'dimension');
    if (!this.dimensions.has(name) && !this.defaultDimensions.has(name)) {
      const added = new Map([[name, value]]);
      this.checkDimensionCount(added);
      for (const group of this.groups.values()) this.checkDimensionCount(new Map([...group.own, ...added]));
    }
    this.dimensions.set(name, value);
  }

  /** Adds a metadata member: searchable in CloudWatch Logs Insights, not a dimension. */
  addMetadata(key: string, value: unknown): void {
    this.checkFree(key, 'metadata');
    this.metadata.set(key, value);
  }

  /** The dimensions of a group: defaults, then the invocation's, then the metric's own. */
  dimensionsOf(group: MetricGroup): Map<string, string> {
    return new Map([...this.defaultDimensions, ...this.dimensions, ...group.own]);
  }

  // Metrics, dimensions and metadata all become members of the same root object.
  private checkFree(name: string, kind: 'metric' | 'dimension' | 'metadata'): void {
    const taken =
      (kind !== 'metric' && [...this.groups.values()].some((group) => group.metrics.has(name))) ||
      (kind !== 'dimension' && (this.dimensions.has(name) || this.defaultDimensions.has(name))) ||
      (kind !== 'metadata' && this.metadata.has(name));
    if (taken) throw new MetricsError(`"${name}" is already used as another kind of member (metric, dimension or metadata) in this flush`);
  }

  private checkDimensionCount(extra: Map<string, string>): void {
    const keys = new Set([...this.defaultDimensions.keys(), ...this.dimensions.keys(), ...extra.keys()]);
    if (keys.size > MAX_DIMENSIONS) {
      throw new MetricsError(`a dimension set may hold at most ${MAX_DIMENSIONS} dimensions (EMF's limit); this one would hold ${keys.size}`);
    }
  }
}

function groupKey(own: Map<string, string>): string {
  // Most metrics have no dimensions of their own: no sort, no JSON on that path.
  if (own.size === 0) return '';
  return JSON.stringify([...own].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
