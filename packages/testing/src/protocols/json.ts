import type { Identity } from '../credentials.js';
import { AwsServiceError, type RequestHead, type ServiceDefinition, type ServiceName, type ServiceReply } from '../http-service.js';

/** What an operation knows about the call besides its input. */
export interface OperationContext {
  identity: Identity;
  requestId: string;
}

/** One JSON operation: input object in, output object out; throws `AwsServiceError` for AWS errors. */
export type JsonOperation = (input: Record<string, unknown>, context: OperationContext) => unknown;

/** The error codes AWS JSON services answer for refused signatures. */
export const JSON_AUTH_ERRORS: ServiceDefinition['authErrors'] = {
  missing: ['MissingAuthenticationTokenException', 403],
  malformed: ['IncompleteSignatureException', 400],
  'unknown-key': ['UnrecognizedClientException', 403],
  'bad-token': ['UnrecognizedClientException', 403],
  signature: ['InvalidSignatureException', 403],
  expired: ['ExpiredTokenException', 403],
};

/** The operation named by `X-Amz-Target: Prefix.Operation`. */
export function targetOperation(head: RequestHead): string {
  const target = String(head.headers['x-amz-target'] ?? '');
  const dot = target.lastIndexOf('.');
  return dot < 0 ? 'Unknown' : target.slice(dot + 1);
}

/** Renders an error the way AWS JSON 1.0/1.1 services do. */
export function jsonError(error: AwsServiceError, contentType: string): ServiceReply {
  return {
    status: error.status,
    headers: { 'Content-Type': contentType, 'x-amzn-ErrorType': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/**
 * A service speaking AWS JSON 1.1: `POST /` with `X-Amz-Target: <prefix>.<Operation>`, a JSON body
 * and a JSON answer. Operations not in `operations` are refused with an error naming them.
 */
export function jsonService(options: {
  name: ServiceName;
  title: string;
  signingName: string;
  targetPrefix: string;
  operations: Record<string, JsonOperation>;
}): ServiceDefinition {
  const contentType = 'application/x-amz-json-1.1';
  return {
    name: options.name,
    operations: Object.keys(options.operations).sort(),
    signingName: options.signingName,
    escapePath: true,
    allowQueryAuth: false,
    bufferBody: true,
    maxBodyBytes: 1024 * 1024,
    authErrors: JSON_AUTH_ERRORS,
    operationOf: targetOperation,
    async handle(request) {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = targetOperation(request);
      if (request.method !== 'POST' || !target.startsWith(`${options.targetPrefix}.`)) {
        throw new AwsServiceError('UnknownOperationException', `${options.title} expects POST with X-Amz-Target ${options.targetPrefix}.<Operation>, got ${request.method} ${target || '(no target)'}`);
      }
      const run = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
      if (!run) {
        throw new AwsServiceError('UnknownOperationException', `@fleece/testing: ${options.title} operation ${operation} is not implemented`);
      }
      let input: unknown = {};
      if (request.body.length > 0) {
        try {
          input = JSON.parse(request.body.toString('utf8'));
        } catch {
          throw new AwsServiceError('SerializationException', 'Request body is not valid JSON');
        }
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw new AwsServiceError('SerializationException', 'Request body must be a JSON object');
      }
      const output = await run(input as Record<string, unknown>, { identity: request.identity, requestId: request.requestId });
      return { status: 200, headers: { 'Content-Type': contentType }, body: JSON.stringify(output ?? {}) };
    },
    renderError: (error) => jsonError(error, contentType),
  };
}

/** Reads a required string member, failing as AWS validation does. */
export function requireString(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/** Reads an optional string member. */
export function optionalString(input: Record<string, unknown>, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError('SerializationException', `Member ${member} must be a string`);
  }
  return value;
}

/** Reads an optional string map member (tags, encryption contexts). */
export function optionalStringMap(input: Record<string, unknown>, member: string): Record<string, string> | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new AwsServiceError('SerializationException', `Member ${member} must be a map of strings`);
  }
  return value as Record<string, string>;
}

/** AWS names members in validation messages in lower camel case. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Epoch seconds with a fraction, as AWS JSON timestamps are. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
