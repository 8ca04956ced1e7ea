import { RetryPolicy, type RetryPolicyOptions } from '@fleece/retry';
import type { CustomResourceClientConfig, CustomResourceClients } from './clients.js';
import type { Logger } from './logger.js';
import type { SecretsInData } from './secrets-in-data.js';

/** Options of a custom resource. Durations are milliseconds, except where the protocol says seconds. */
export interface CustomResourceOptions {
  /** Resolve `{{resolve:secretsmanager:…}}` references in (Old)ResourceProperties. Default `true`. */
  resolveSecrets?: boolean;
  /**
   * What to do when a value resolved from a secret reference appears anywhere in a successful
   * answer's `Data` (readable with `Fn::GetAtt` and `DescribeStacks` otherwise): `'noEcho'` answers
   * with `NoEcho: true` and logs that it did; `'refuse'` answers FAILED instead. Default `'noEcho'`.
   */
  secretsInData?: SecretsInData;
  /** Read `StackStatus`/`StackStatusReason` with DescribeStacks for Update and Delete. Default `true`. */
  stackStatus?: boolean;
  /**
   * Time kept back at the end of the invocation to answer (or re-invoke): the user function's
   * signal aborts this long before Lambda's limit. Default 5000, or a third of the time the
   * invocation had left when it started if that is less (a 3 s function keeps 1 s).
   */
  marginMs?: number;
  /**
   * How long an operation that can poll may take across all its invocations, when the event has
   * no `Timeout` (which is in seconds, the origin's protocol). Default 300000 (the origin's 300 s).
   */
  operationTimeoutMs?: number;
  /** Most re-invocations one operation may make; 1–12, well below Lambda's recursion cutoff of 16. Default 8. */
  maxHops?: number;
  /**
   * Backoff of the response PUT. Default `{ retries: 100, base: 200, cap: 5000 }`; the invocation's
   * end stops it first. `retryOn`, `onRetry` and `deadline` are the handler's own.
   */
  responseRetry?: RetryPolicy | RetryPolicyOptions;
  /** Longest single PUT attempt. Default 10000. */
  responseAttemptTimeoutMs?: number;
  /** Longest DescribeStacks call before the status is `UNKNOWN`. Default 3000. */
  stackStatusTimeoutMs?: number;
  /** Where the handler logs. Default: info and above as JSON lines on the console. */
  logger?: Logger;
  /** Clients to use instead of the defaults. */
  clients?: CustomResourceClients;
  /** Configuration of the default clients, made with `client()` of `@fleece/aws`. */
  clientConfig?: CustomResourceClientConfig;
  /** Clock in epoch ms for `CreationTime` and `Timeout`, injectable for tests. Default `Date.now`. */
  clock?: () => number;
}

/** Options with their defaults applied. */
export interface Settings {
  resolveSecrets: boolean;
  secretsInData: SecretsInData;
  stackStatus: boolean;
  marginMs: number | undefined;
  operationTimeoutMs: number;
  maxHops: number;
  responseRetry: RetryPolicy;
  responseAttemptTimeoutMs: number;
  stackStatusTimeoutMs: number;
  logger: Logger | undefined;
  clients: CustomResourceClients;
  clientConfig: CustomResourceClientConfig;
  clock: () => number;
}

/** The most hops allowed, kept well below the 16 at which Lambda stops a recursive loop. */
export const MAX_HOPS_LIMIT = 12;

function invalid(option: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : typeof got === 'function' ? 'a function' : String(got);
  throw new TypeError(`@fleece/cfn-handler: option "${option}" must be ${expected}, got ${shown}`);
}

function checkMs(option: string, value: unknown, positive = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    invalid(option, `a finite number of milliseconds ${positive ? '> 0' : '>= 0'}`, value);
  }
}

function checkBoolean(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') invalid(option, 'a boolean', value);
}

function checkSendClient(option: string, value: unknown): void {
  if (value !== undefined && typeof (value as { send?: unknown } | null)?.send !== 'function') {
    invalid(option, 'an AWS SDK v3 client (an object with send())', value);
  }
}

function checkObject(option: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) invalid(option, 'an object', value);
}

/**
 * Validates options and applies defaults.
 *
 * @throws TypeError naming the option when one is invalid.
 */
export function settingsFrom(options: CustomResourceOptions = {}): Settings {
  if (options === null || typeof options !== 'object') invalid('options', 'an object', options);
  checkBoolean('resolveSecrets', options.resolveSecrets);
  checkBoolean('stackStatus', options.stackStatus);
  if (options.secretsInData !== undefined && options.secretsInData !== 'noEcho' && options.secretsInData !== 'refuse') {
    invalid('secretsInData', "'noEcho' or 'refuse'", options.secretsInData);
  }
  checkMs('marginMs', options.marginMs);
  checkMs('operationTimeoutMs', options.operationTimeoutMs, true);
  checkMs('responseAttemptTimeoutMs', options.responseAttemptTimeoutMs, true);
  checkMs('stackStatusTimeoutMs', options.stackStatusTimeoutMs, true);
  if (
    options.maxHops !== undefined &&
    (!Number.isInteger(options.maxHops) || options.maxHops < 1 || options.maxHops > MAX_HOPS_LIMIT)
  ) {
    invalid('maxHops', `an integer from 1 to ${MAX_HOPS_LIMIT}`, options.maxHops);
  }
  const logger = options.logger;
  if (
    logger !== undefined &&
    (['debug', 'info', 'warn', 'error'] as const).some((level) => typeof (logger as Partial<Logger> | null)?.[level] !== 'function')
  ) {
    invalid('logger', 'an object with debug, info, warn and error functions', logger);
  }
  checkObject('clients', options.clients);
  checkSendClient('clients.lambda', options.clients?.lambda);
  checkSendClient('clients.cloudFormation', options.clients?.cloudFormation);
  checkSendClient('clients.secretsManager', options.clients?.secretsManager);
  checkObject('clientConfig', options.clientConfig);
  if (options.clock !== undefined && typeof options.clock !== 'function') invalid('clock', 'a function', options.clock);
  let responseRetry: RetryPolicy;
  try {
    responseRetry = RetryPolicy.from(options.responseRetry ?? { retries: 100, base: 200, cap: 5000 });
  } catch (error) {
    throw new TypeError(`@fleece/cfn-handler: option "responseRetry" is invalid: ${(error as Error).message}`, { cause: error });
  }
  return {
    resolveSecrets: options.resolveSecrets ?? true,
    secretsInData: options.secretsInData ?? 'noEcho',
    stackStatus: options.stackStatus ?? true,
    marginMs: options.marginMs,
    operationTimeoutMs: options.operationTimeoutMs ?? 300_000,
    maxHops: options.maxHops ?? 8,
    responseRetry,
    responseAttemptTimeoutMs: options.responseAttemptTimeoutMs ?? 10_000,
    stackStatusTimeoutMs: options.stackStatusTimeoutMs ?? 3000,
    logger,
    clients: { ...options.clients },
    clientConfig: { ...options.clientConfig },
    clock: options.clock ?? Date.now,
  };
}
