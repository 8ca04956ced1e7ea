import { parseRetries, type Retries, type RetryPlan } from './retries.js';
import { parseTimeout, type Timeout, type TimeoutLayer } from './timeout.js';

// Process-wide configuration, like the Python original's module globals: set once at start-up,
// read by every request. Nothing per invocation lives here.
let defaultTimeout: TimeoutLayer | undefined;
let defaultRetries: RetryPlan | undefined;

/**
 * The timeout of every request (module functions and sessions) that sets none itself.
 * `undefined` restores the built-in default (connect 5 000 ms, read 30 000 ms).
 *
 * @throws TypeError naming the option when the value is invalid.
 */
export function setDefaultTimeout(timeout: Timeout | undefined): void {
  defaultTimeout = parseTimeout('timeout', timeout);
}

/**
 * The retries of every request (module functions and sessions) that sets none itself.
 * `undefined` or `0` restores the built-in default: no retries.
 *
 * @example setDefaultRetries({ total: 5, backoffFactor: 1000, statusForcelist: [429, 503] });
 * @throws TypeError naming the option when the value is invalid.
 */
export function setDefaultRetries(retries: Retries | undefined): void {
  defaultRetries = parseRetries('retries', retries);
}

/** The global default timeout layer, if one was set. */
export function globalTimeout(): TimeoutLayer | undefined {
  return defaultTimeout;
}

/** The global default retries, if set. */
export function globalRetries(): RetryPlan | undefined {
  return defaultRetries;
}
