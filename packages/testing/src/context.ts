import type { ClientContext, CognitoIdentity, Context } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT } from './credentials.js';
import { checkMs, checkObject, checkString, invalid } from './validate.js';

/** Options of {@link lambdaContext}; every one has a realistic default. */
export interface LambdaContextOptions {
  /** The function's timeout, ms; `getRemainingTimeInMillis()` counts down from it. Default 3000 (Lambda's default 3 s). */
  timeoutMs?: number;
  /** Default `'test-function'`. */
  functionName?: string;
  /** Default `'$LATEST'`. */
  functionVersion?: string;
  /** Default a fresh UUID. */
  awsRequestId?: string;
  /** Default `128`. */
  memoryLimitInMB?: number;
  /** Default `'us-east-1'`. */
  region?: string;
  /** Default `'123456789012'`. */
  accountId?: string;
  /** Default the unqualified ARN built from region, account and name. */
  invokedFunctionArn?: string;
  clientContext?: ClientContext;
  identity?: CognitoIdentity;
  tenantId?: string;
  /** The clock the countdown reads, epoch ms; inject a fake one for instant tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * A Lambda context as the Node.js runtime builds it. `getRemainingTimeInMillis()` counts down from
 * `timeoutMs` on `now`, and never goes below 0. The deprecated `done`/`fail`/`succeed` callbacks
 * throw: fleece handlers are async (the nodejs24.x runtime dropped callbacks).
 */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  checkObject('options', options);
  checkMs('timeoutMs', options.timeoutMs);
  for (const key of ['functionName', 'functionVersion', 'awsRequestId', 'region', 'accountId', 'invokedFunctionArn', 'tenantId'] as const) {
    checkString(key, options[key]);
  }
  if (options.memoryLimitInMB !== undefined && (!Number.isInteger(options.memoryLimitInMB) || options.memoryLimitInMB < 128)) {
    invalid('memoryLimitInMB', 'an integer >= 128', options.memoryLimitInMB);
  }
  if (options.now !== undefined && typeof options.now !== 'function') invalid('now', 'a function returning epoch ms', options.now);
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 3000;
  const functionName = options.functionName ?? 'test-function';
  const functionVersion = options.functionVersion ?? '$LATEST';
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? LOCAL_ACCOUNT;
  const deadline = now() + timeoutMs;
  const day = new Date(now()).toISOString().slice(0, 10).replace(/-/g, '/');
  const refuse = (name: string) => () => {
    throw new TypeError(`@fleece/testing: context.${name}() is not supported; return a promise from an async handler instead`);
  };
  const context: Context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: options.invokedFunctionArn ?? `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 128),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[${functionVersion}]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - now())),
    done: refuse('done'),
    fail: refuse('fail'),
    succeed: refuse('succeed'),
  };
  if (options.clientContext) context.clientContext = options.clientContext;
  if (options.identity) context.identity = options.identity;
  if (options.tenantId) context.tenantId = options.tenantId;
  return context;
}
