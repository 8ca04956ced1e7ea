import { isMetricUnit, METRIC_UNITS, type MetricResolution, type MetricUnit } from './units.js';
import { MAX_KEY_LENGTH, MAX_NAME_LENGTH } from './limits.js';
import { MetricsError } from './metrics-error.js';

// The checks behind every add*: what CloudWatch would reject is refused where it is added.

/** A metric, dimension or metadata key: 1–255 characters, not EMF's own `_aws` member. */
export function checkKey(kind: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_KEY_LENGTH) {
    throw new MetricsError(`${kind} name must be a string of 1 to ${MAX_KEY_LENGTH} characters, not only spaces, got ${shown(name)}`);
  }
  if (name === '_aws') throw new MetricsError(`${kind} name "_aws" is reserved by the Embedded Metric Format`);
}

/** A dimension value: 1–1024 characters (CloudWatch drops a metric whose dimension is empty). */
export function checkDimensionValue(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH) {
    throw new MetricsError(`dimension "${name}" must have a string value of 1 to ${MAX_NAME_LENGTH} characters, got ${shown(value)}`);
  }
}

/** A metric's unit, value and resolution. */
export function checkMetric(name: string, unit: unknown, value: unknown, resolution: unknown): asserts unit is MetricUnit {
  if (!isMetricUnit(unit)) {
    throw new MetricsError(`metric "${name}" has unit ${shown(unit)}, which CloudWatch does not accept; use one of ${METRIC_UNITS.join(', ')}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricsError(`metric "${name}" must have a finite number as its value, got ${shown(value)}`);
  }
  if (!isResolution(resolution)) {
    throw new MetricsError(`metric "${name}" must have resolution 60 (standard) or 1 (high), got ${shown(resolution)}`);
  }
}

function isResolution(value: unknown): value is MetricResolution {
  return value === 1 || value === 60;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
