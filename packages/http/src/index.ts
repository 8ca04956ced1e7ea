export { setDefaultRetries, setDefaultTimeout } from './defaults.js';
export {
  HttpError,
  HttpRequestError,
  HttpTimeoutError,
  type HttpErrorInit,
  type HttpRequestErrorInit,
  type HttpTimeoutErrorInit,
  type RetryOutcome,
} from './errors.js';
export { useHooks, type HttpHooks } from './hooks.js';
export { del, del as delete, get, head, patch, post, put, request } from './methods.js';
export type { RequestOptions } from './request.js';
export { RETRY_DEFAULTS, type Retries, type RetryOptions } from './retries.js';
export { parseRetryAfter } from './retry-after.js';
export { createSession, type HttpClient, type MethodOptions, type SessionDefaults } from './session.js';
export { DEFAULT_TIMEOUT, type ConnectReadTimeout, type GotTimeout, type Timeout, type TimeoutPhase } from './timeout.js';
export { redactUrl } from './url.js';
