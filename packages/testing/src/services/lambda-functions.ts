import { AwsServiceError, type RequestHead, type ServiceReply, type ServiceRequest } from '../http-service.js';
import { pageOf } from '../protocols/paging.js';
import type { LambdaInvocation, LambdaRegistry } from './lambda.js';

const STARTED = new Date().toISOString().replace('Z', '+0000');

/** A registered handler as Lambda's FunctionConfiguration describes a function. */
function configuration(registry: LambdaRegistry, name: string, qualifier?: string | null): Record<string, unknown> {
  const target = registry.lookup(name, qualifier ?? null);
  return {
    FunctionName: target.name,
    FunctionArn: target.invokedArn,
    Runtime: 'nodejs22.x',
    Role: `arn:aws:iam::${registry.account}:role/${target.name}-role`,
    Handler: 'index.handler',
    CodeSize: 0,
    Description: '',
    // Lambda states the timeout in whole seconds.
    Timeout: Math.ceil(target.registration.timeoutMs / 1000),
    MemorySize: target.registration.memoryLimitInMB,
    LastModified: STARTED,
    Version: target.version,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

/** GetFunction and ListFunctions over the handlers a test registered. */
export function functionOperation(registry: LambdaRegistry, operation: 'GetFunction' | 'ListFunctions', request: ServiceRequest): ServiceReply {
  const json = (body: unknown): ServiceReply => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (operation === 'GetFunction') {
    const name = decodeURIComponent(request.rawPath.split('/')[3] ?? '');
    return json({ Configuration: configuration(registry, name, request.query.get('Qualifier')), Code: { RepositoryType: 'S3', Location: '' } });
  }
  const max = request.query.get('MaxItems');
  const limit = max === null ? undefined : Number(max);
  let listed;
  try {
    listed = pageOf(registry.names(), limit, request.query.get('Marker') ?? undefined, {
      limitMember: 'MaxItems',
      max: 10_000,
      defaultLimit: 50,
      badTokenCode: 'InvalidParameterValueException',
      scope: 'ListFunctions',
    });
  } catch (error) {
    // Lambda answers every bad paging parameter with InvalidParameterValueException.
    if (error instanceof AwsServiceError) throw new AwsServiceError('InvalidParameterValueException', error.message);
    throw error;
  }
  return json({ Functions: listed.page.map((name) => configuration(registry, name)), ...(listed.next && { NextMarker: listed.next }) });
}

/** The Invoke path, with the function name or ARN. */
export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** The Lambda REST operation a request is, for errors and counting. */
export function lambdaOperation(head: RequestHead): string {
  const path = head.rawPath;
  if (INVOKE_PATH.test(path)) return 'Invoke';
  if (/\/invoke-async\/?$/.test(path)) return 'InvokeAsync';
  if (/\/response-streaming-invocations\/?$/.test(path)) return 'InvokeWithResponseStream';
  const fn = /^\/2015-03-31\/functions\/?([^/]*)\/?([^/]*)\/?$/.exec(path);
  if (fn) {
    const [, name, sub] = fn;
    if (!name) return head.method === 'POST' ? 'CreateFunction' : 'ListFunctions';
    if (!sub) return head.method === 'DELETE' ? 'DeleteFunction' : 'GetFunction';
    if (sub === 'configuration') return head.method === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration';
    if (sub === 'code') return 'UpdateFunctionCode';
    if (sub === 'versions') return head.method === 'POST' ? 'PublishVersion' : 'ListVersionsByFunction';
    if (sub === 'aliases') return head.method === 'POST' ? 'CreateAlias' : 'ListAliases';
    if (sub === 'policy') return head.method === 'POST' ? 'AddPermission' : 'GetPolicy';
  }
  return `${head.method} ${path}`;
}

/** The `X-Amz-Log-Result` of an invocation: the runtime's START, END and REPORT lines, base64. */
export function logTail(invocation: LambdaInvocation, startedAt: number): string {
  const lines = [
    `START RequestId: ${invocation.requestId} Version: ${invocation.version}`,
    `END RequestId: ${invocation.requestId}`,
    `REPORT RequestId: ${invocation.requestId}\tDuration: ${Date.now() - startedAt} ms`,
  ];
  return Buffer.from(`${lines.join('\n')}\n`).toString('base64');
}
