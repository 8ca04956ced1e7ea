import type { Identity } from '../credentials.js';
import { AwsServiceError, type ServiceDefinition, type ServiceName, type ServiceReply } from '../http-service.js';

/** One query-protocol operation: form parameters in, the inner XML of `<ActionResult>` out. */
export type QueryOperation = (params: URLSearchParams, context: { identity: Identity; requestId: string }) => string;

const QUERY_AUTH_ERRORS: ServiceDefinition['authErrors'] = {
  missing: ['MissingAuthenticationToken', 403],
  malformed: ['IncompleteSignature', 400],
  'unknown-key': ['InvalidClientTokenId', 403],
  'bad-token': ['InvalidClientTokenId', 403],
  signature: ['SignatureDoesNotMatch', 403],
  expired: ['ExpiredToken', 403],
};

const XML_ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/** Escapes text for XML element content and attributes. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => XML_ENTITIES[c] ?? c);
}

/** `<name>value</name>`, or nothing when the value is absent. */
export function el(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name><member>…</member>…</name>` as the query protocol lists things. */
export function members<T>(name: string, items: readonly T[] | undefined, render: (item: T) => string): string {
  if (!items) return '';
  return `<${name}>${items.map((item) => `<member>${render(item)}</member>`).join('')}</${name}>`;
}

/**
 * A service speaking the AWS query protocol: a form-encoded `POST /` with `Action` and `Version`,
 * answered with XML. Actions not in `operations` are refused with an error naming them.
 */
export function queryService(options: {
  name: ServiceName;
  title: string;
  signingName: string;
  version: string;
  xmlns: string;
  operations: Record<string, QueryOperation>;
}): ServiceDefinition {
  const renderError = (error: AwsServiceError, requestId: string): ServiceReply => ({
    status: error.status,
    headers: { 'Content-Type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${options.xmlns}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `${el('Code', error.code)}${el('Message', error.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>`,
  });
  return {
    name: options.name,
    operations: Object.keys(options.operations).sort(),
    signingName: options.signingName,
    escapePath: true,
    allowQueryAuth: false,
    bufferBody: true,
    maxBodyBytes: 1024 * 1024,
    authErrors: QUERY_AUTH_ERRORS,
    operationOf: (head) => formParams(head.body, head.query).get('Action') ?? 'Unknown',
    async handle(request) {
      const params = formParams(request.body, request.query);
      const action = params.get('Action');
      if (!action) throw new AwsServiceError('MissingAction', `${options.title} needs an Action parameter`);
      const run = Object.hasOwn(options.operations, action) ? options.operations[action] : undefined;
      if (!run) throw new AwsServiceError('InvalidAction', `@fleece/testing: ${options.title} operation ${action} is not implemented`);
      const version = params.get('Version');
      if (version !== options.version) {
        throw new AwsServiceError('InvalidParameterValue', `${options.title} speaks Version ${options.version}, got ${version ?? '(none)'}`);
      }
      const inner = run(params, { identity: request.identity, requestId: request.requestId });
      return {
        status: 200,
        headers: { 'Content-Type': 'text/xml' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${options.xmlns}"><${action}Result>${inner}</${action}Result>` +
          `<ResponseMetadata>${el('RequestId', request.requestId)}</ResponseMetadata></${action}Response>`,
      };
    },
    renderError,
  };
}

/** Query parameters travel in a form body (or, for GET, in the URL). */
function formParams(body: Buffer, query: URLSearchParams): URLSearchParams {
  return body.length > 0 ? new URLSearchParams(body.toString('utf8')) : query;
}
