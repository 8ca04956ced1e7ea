// The Embedded Metric Format's limits (CloudWatch's EMF specification).

/** Metric definitions in one directive's `Metrics` array. */
export const MAX_METRICS_PER_LINE = 100;
/** Values one metric may carry in one line (an array member of the root node). */
export const MAX_VALUES_PER_METRIC = 100;
/** Keys in one dimension set. */
export const MAX_DIMENSIONS = 30;
/** Characters in a namespace or a dimension value. */
export const MAX_NAME_LENGTH = 1024;
/** Characters in a metric or dimension name (CloudWatch's own limit, stricter than EMF's 1024). */
export const MAX_KEY_LENGTH = 255;
