import { currentInvocation, invocationSlot, invalidOption, type InvocationSlot } from '@fleece/retry';
import { checkDimensionValue, checkKey, checkMetric } from './checks.js';
import { emfLines } from './emf.js';
import { MAX_DIMENSIONS, MAX_NAME_LENGTH } from './limits.js';
import { MetricSet } from './metric-set.js';
import type { MetricResolution, MetricUnit } from './units.js';

/** How a {@link Metrics} instance names and writes its metrics. */
export interface MetricsOptions {
  /** The CloudWatch namespace. Default: `POWERTOOLS_METRICS_NAMESPACE`; one of the two is required. */
  namespace?: string;
  /**
   * Added as the `service` dimension of every metric. Default: `POWERTOOLS_SERVICE_NAME`; none when
   * neither is set.
   */
  serviceName?: string;
  /** Dimensions of every metric, beside `service`. */
  defaultDimensions?: Record<string, string>;
  /** Add the invocation's tenant id (tenant-isolated functions) as the `tenant_id` dimension. Default `false`. */
  tenantDimension?: boolean;
  /** Where each EMF line goes. Default: stdout, one line each, which Lambda sends to CloudWatch Logs. */
  write?: (line: string) => void;
  /** The clock of the EMF timestamp, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Per-metric choices of {@link Metrics.addMetric}. */
export interface AddMetricOptions {
  /** `60` (standard, default) or `1` (high resolution, one-second points). */
  resolution?: MetricResolution;
  /** Dimensions of this metric alone, on top of the default and invocation dimensions: its own dimension set. */
  dimensions?: Record<string, string>;
}

let instances = 0;

/**
 * CloudWatch metrics written as Embedded Metric Format lines. What is added during an invocation
 * is kept in that invocation's scope and written by one {@link Metrics.flush} (which
 * `metricsHandler` calls as the invocation ends), so overlapping invocations on Lambda Managed
 * Instances never mix their metrics, dimensions or metadata. Outside an invocation (a script,
 * a test) the instance keeps one set of its own.
 */
export class Metrics {
  /** The namespace the metrics are filed under. */
  readonly namespace: string;
  private readonly defaults: Map<string, string>;
  private readonly tenantDimension: boolean;
  private readonly write: (line: string) => void;
  private readonly now: () => number;
  private readonly slot: InvocationSlot<MetricSet>;
  private readonly outside: MetricSet;

  /** @throws TypeError naming the option when an option is invalid or no namespace is known. */
  constructor(options: MetricsOptions = {}) {
    if (options === null || typeof options !== 'object') invalidOption('metrics', 'options', 'an object', options);
    const namespace = options.namespace ?? process.env['POWERTOOLS_METRICS_NAMESPACE'];
    if (typeof namespace !== 'string' || namespace.trim() === '' || namespace.length > MAX_NAME_LENGTH) {
      invalidOption('metrics', 'namespace', `a string of 1 to ${MAX_NAME_LENGTH} characters (or set POWERTOOLS_METRICS_NAMESPACE)`, namespace);
    }
    this.namespace = namespace;
    this.defaults = defaultDimensions(options);
    this.tenantDimension = checked('tenantDimension', options.tenantDimension ?? false, 'boolean');
    this.write = checked('write', options.write ?? writeLine, 'function');
    this.now = checked('now', options.now ?? Date.now, 'function');
    this.slot = invocationSlot<MetricSet>(`@fleece/metrics:set:${++instances}`);
    this.outside = new MetricSet(this.defaults);
  }

  /**
   * Records one value of a metric for the next flush. The same metric added again in the same
   * flush keeps every value (up to 100 a line, then more lines).
   *
   * @throws MetricsError when the name, unit, value, resolution or a dimension is one CloudWatch rejects.
   */
  addMetric(name: string, unit: MetricUnit, value: number, options: AddMetricOptions = {}): void {
    checkKey('metric', name);
    const resolution = options.resolution ?? 60;
    checkMetric(name, unit, value, resolution);
    this.current().add(name, unit, resolution, value, dimensionMap(options.dimensions));
  }

  /** Adds a dimension to every metric of the current invocation (or, outside one, of the next flush). */
  addDimension(name: string, value: string): void {
    checkKey('dimension', name);
    checkDimensionValue(name, value);
    this.current().addDimension(name, value);
  }

  /** {@link Metrics.addDimension} for each entry. */
  addDimensions(dimensions: Record<string, string>): void {
    for (const [name, value] of Object.entries(dimensions)) this.addDimension(name, value);
  }

  /** Adds a member that is searchable in CloudWatch Logs Insights but is not a dimension (a request id, a user id). */
  addMetadata(key: string, value: unknown): void {
    checkKey('metadata', key);
    this.current().addMetadata(key, value);
  }

  /** `true` when metrics wait for the next flush. */
  hasStoredMetrics(): boolean {
    return !this.current().isEmpty;
  }

  /**
   * Writes what the current invocation recorded as EMF lines and starts a new set.
   *
   * @returns the number of lines written (0 when nothing was recorded).
   */
  flush(): number {
    const set = this.current();
    if (set.isEmpty) return 0;
    const lines = emfLines(this.namespace, this.now(), set);
    set.clear();
    this.addTenant(set);
    for (const line of lines) this.write(line);
    return lines.length;
  }

  /**
   * Writes a `ColdStart` count of 1 (dimensions: the defaults and `function_name`) when the current
   * invocation is the first of its container; never under provisioned concurrency or SnapStart.
   *
   * @returns `true` when the metric was written.
   */
  captureColdStart(): boolean {
    const invocation = currentInvocation();
    if (invocation === undefined || !invocation.coldStart) return false;
    const set = new MetricSet(this.defaults);
    const functionName = invocation.context?.functionName ?? process.env['AWS_LAMBDA_FUNCTION_NAME'];
    if (typeof functionName === 'string' && functionName !== '') set.addDimension('function_name', functionName);
    set.add('ColdStart', 'Count', 60, 1, new Map());
    for (const line of emfLines(this.namespace, this.now(), set)) this.write(line);
    return true;
  }

  private current(): MetricSet {
    return this.slot.getOrCreate(() => this.fresh()) ?? this.outside;
  }

  private fresh(): MetricSet {
    const set = new MetricSet(this.defaults);
    this.addTenant(set);
    return set;
  }

  private addTenant(set: MetricSet): void {
    const tenant = this.tenantDimension ? currentInvocation()?.tenantId : undefined;
    if (tenant !== undefined) set.addDimension('tenant_id', tenant);
  }
}

function defaultDimensions(options: MetricsOptions): Map<string, string> {
  const dimensions = new Map<string, string>();
  const service = options.serviceName ?? process.env['POWERTOOLS_SERVICE_NAME'];
  if (service !== undefined && service !== '') {
    checkDimensionValue('service', service);
    dimensions.set('service', service);
  }
  const extra = options.defaultDimensions ?? {};
  if (extra === null || typeof extra !== 'object') invalidOption('metrics', 'defaultDimensions', 'an object of strings', extra);
  for (const [name, value] of dimensionMap(extra)) dimensions.set(name, value);
  if (dimensions.size > MAX_DIMENSIONS) {
    invalidOption('metrics', 'defaultDimensions', `at most ${MAX_DIMENSIONS} dimensions with service (EMF's limit)`, `${dimensions.size}`);
  }
  return dimensions;
}

// Shared by every metric without dimensions of its own; never written to.
const NO_DIMENSIONS: Map<string, string> = new Map();

function dimensionMap(dimensions: Record<string, string> | undefined): Map<string, string> {
  if (dimensions === undefined) return NO_DIMENSIONS;
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(dimensions)) {
    checkKey('dimension', name);
    checkDimensionValue(name, value);
    map.set(name, value);
  }
  return map;
}

function checked<T>(option: string, value: T, type: 'boolean' | 'function'): T {
  if (typeof value !== type) invalidOption('metrics', option, type === 'boolean' ? 'a boolean' : 'a function', value);
  return value;
}

function writeLine(line: string): void {
  process.stdout.write(line + '\n');
}
