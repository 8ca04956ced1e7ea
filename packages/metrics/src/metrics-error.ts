/**
 * A metric, dimension or metadata entry CloudWatch would reject (a bad name, unit, value or
 * resolution, a dimension set past 30 keys), thrown where the caller added it, so the line that is
 * wrong is in the stack rather than a metric silently missing from the dashboard.
 */
export class MetricsError extends Error {
  override name = 'MetricsError';
}
