// X-Ray distinguishes three kinds of failure: `error` (the caller's fault, 4xx), `throttle` (429,
// always with `error`) and `fault` (the callee's fault, 5xx, or anything we cannot attribute).

/** Failure flags of a span. */
export interface FailureFlags {
  error: boolean;
  fault: boolean;
  throttle: boolean;
}

const NONE: FailureFlags = Object.freeze({ error: false, fault: false, throttle: false });
const ERROR: FailureFlags = Object.freeze({ error: true, fault: false, throttle: false });
const THROTTLE: FailureFlags = Object.freeze({ error: true, fault: false, throttle: true });
const FAULT: FailureFlags = Object.freeze({ error: false, fault: true, throttle: false });

// AWS error codes that mean "slow down", across services (the AWS SDK's own list, plus S3's).
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Flags for an HTTP status: none below 400, `error` for 4xx, `error`+`throttle` for 429, `fault` for 5xx. */
export function flagsForStatus(status: number | undefined): FailureFlags {
  if (status === undefined || status < 400) return NONE;
  if (status === 429) return THROTTLE;
  if (status < 500) return ERROR;
  return status < 600 ? FAULT : NONE;
}

function asStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599 ? value : undefined;
}

/**
 * The HTTP status a thrown value carries, if any: AWS SDK v3 errors (`$metadata.httpStatusCode`),
 * got's `HTTPError` (`response.statusCode`), and the common `statusCode` / `status` properties.
 */
export function statusOfError(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const e = error as {
      $metadata?: { httpStatusCode?: unknown };
      response?: { statusCode?: unknown };
      statusCode?: unknown;
      status?: unknown;
    };
    return (
      asStatus(e.$metadata?.httpStatusCode) ?? asStatus(e.response?.statusCode) ?? asStatus(e.statusCode) ?? asStatus(e.status)
    );
  } catch {
    // A getter that throws tells us nothing; the failure is then a fault.
    return undefined;
  }
}

/**
 * How a thrown value should be flagged: by its HTTP status when it has one, as a throttle when its
 * name is a known AWS throttling code, as `error` when an AWS SDK error blames the client, and as a
 * `fault` otherwise (a bug or an unavailable dependency is never the caller's doing).
 */
export function classifyError(error: unknown): FailureFlags {
  const status = statusOfError(error);
  if (status !== undefined && status >= 400) return flagsForStatus(status);
  if (typeof error === 'object' && error !== null) {
    try {
      const e = error as { name?: unknown; code?: unknown; $fault?: unknown };
      if ((typeof e.name === 'string' && THROTTLING_CODES.has(e.name)) || (typeof e.code === 'string' && THROTTLING_CODES.has(e.code))) {
        return THROTTLE;
      }
      if (e.$fault === 'client') return ERROR;
    } catch {
      // Same as above: unreadable means unattributable.
    }
  }
  return FAULT;
}
