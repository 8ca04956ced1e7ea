import type { APIGatewayProxyEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  accountOf,
  applyOverrides,
  checkRequest,
  copyMap,
  DEFAULT_SOURCE_IP,
  DEFAULT_USER_AGENT,
  dictFrom,
  encodeBody,
  entries,
  group,
  queryPairs,
  requestTime,
  shortId,
  type HttpRequestInput,
} from './shared.js';

/** Input of {@link apiGatewayV1Event}. */
export interface ApiGatewayV1Input extends HttpRequestInput {
  /** The resource template, e.g. `/orders/{id}`. Default the path. */
  resource?: string;
  /** Default `'prod'`. */
  stage?: string;
  /** `requestContext.authorizer`, e.g. `{ claims: {...} }` or a Lambda authorizer's context. */
  authorizer?: Record<string, unknown>;
}

/**
 * An API Gateway REST API (payload v1) proxy event: `headers` and `queryStringParameters` hold the
 * last value of a repeated name, `multiValueHeaders` and `multiValueQueryStringParameters` all of
 * them, and absent maps are `null`, as API Gateway sends them.
 */
export function apiGatewayV1Event(input: ApiGatewayV1Input = {}, overrides?: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  checkRequest(input);
  const method = (input.method ?? 'GET').toUpperCase();
  const path = input.path ?? '/';
  const stage = input.stage ?? 'prod';
  const region = input.region ?? 'us-east-1';
  const apiId = shortId();
  const domainName = `${apiId}.execute-api.${region}.amazonaws.com`;
  const time = input.time ?? Date.now();
  const encoded = encodeBody(input.body);
  const given = entries(input.headers);
  const hasHeader = (name: string) => given.some(([k]) => k.toLowerCase() === name.toLowerCase());
  const defaults: Array<[string, string[]]> = [];
  if (!hasHeader('Host')) defaults.push(['Host', [domainName]]);
  if (!hasHeader('User-Agent')) defaults.push(['User-Agent', [DEFAULT_USER_AGENT]]);
  if (!hasHeader('X-Forwarded-For')) defaults.push(['X-Forwarded-For', [input.sourceIp ?? DEFAULT_SOURCE_IP]]);
  if (!hasHeader('X-Forwarded-Port')) defaults.push(['X-Forwarded-Port', ['443']]);
  if (!hasHeader('X-Forwarded-Proto')) defaults.push(['X-Forwarded-Proto', ['https']]);
  if (encoded.contentType && !hasHeader('Content-Type')) defaults.push(['Content-Type', [encoded.contentType]]);
  const headerList = [...defaults, ...given];
  const multiValueHeaders = dictFrom(headerList);
  const headers = dictFrom(headerList.map(([k, vs]) => [k, vs[vs.length - 1] ?? ''] as const));
  const query = group(queryPairs(input.query));
  const hasQuery = Object.keys(query).length > 0;
  const userAgent = headers['User-Agent'] ?? headerList.find(([k]) => k.toLowerCase() === 'user-agent')?.[1][0] ?? null;
  const event: APIGatewayProxyEvent = {
    resource: input.resource ?? path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? dictFrom(Object.entries(query).map(([k, vs]) => [k, vs[vs.length - 1] ?? ''] as const)) : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    pathParameters: copyMap(input.pathParameters) ?? null,
    stageVariables: copyMap(input.stageVariables) ?? null,
    body: encoded.body,
    isBase64Encoded: encoded.isBase64Encoded,
    requestContext: {
      accountId: accountOf(input),
      apiId,
      authorizer: input.authorizer,
      domainName,
      domainPrefix: apiId,
      extendedRequestId: `${shortId(14)}=`,
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp ?? DEFAULT_SOURCE_IP,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${stage}${path}`,
      protocol: 'HTTP/1.1',
      requestId: input.requestId ?? randomUUID(),
      requestTime: requestTime(time),
      requestTimeEpoch: time,
      resourceId: shortId(6),
      resourcePath: input.resource ?? path,
      stage,
    },
  };
  return applyOverrides(event, overrides);
}
