import type { APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import {
  accountOf,
  applyOverrides,
  checkRequest,
  copyMap,
  DEFAULT_SOURCE_IP,
  DEFAULT_USER_AGENT,
  dict,
  dictFrom,
  encodeBody,
  entries,
  group,
  queryPairs,
  rawQuery,
  requestTime,
  shortId,
  type HttpRequestInput,
} from './shared.js';

/** Input of {@link httpApiEvent} and {@link functionUrlEvent}. */
export interface HttpApiInput extends HttpRequestInput {
  /** Cookies, as `{ name: value }` or `['name=value']`; they travel in `cookies`, not in a header. */
  cookies?: Record<string, string> | string[];
  /** HTTP API only: the route, e.g. `'GET /orders/{id}'`. Default `'$default'`. */
  routeKey?: string;
  /** HTTP API only. Default `'$default'`. */
  stage?: string;
  /** `requestContext.authorizer`. */
  authorizer?: Record<string, unknown>;
}

function v2Event(input: HttpApiInput, apiId: string, domainName: string, routeKey: string, stage: string): APIGatewayProxyEventV2 {
  checkRequest(input);
  const method = (input.method ?? 'GET').toUpperCase();
  const path = input.path ?? '/';
  const time = input.time ?? Date.now();
  const encoded = encodeBody(input.body);
  const headers = dict<string>();
  const cookieHeader: string[] = [];
  for (const [name, values] of entries(input.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') cookieHeader.push(...values.flatMap((v) => v.split(/;\s*/)));
    else headers[lower] = headers[lower] !== undefined ? `${headers[lower]},${values.join(',')}` : values.join(',');
  }
  headers['host'] ??= domainName;
  headers['user-agent'] ??= DEFAULT_USER_AGENT;
  headers['x-forwarded-for'] ??= input.sourceIp ?? DEFAULT_SOURCE_IP;
  headers['x-forwarded-port'] ??= '443';
  headers['x-forwarded-proto'] ??= 'https';
  if (encoded.contentType) headers['content-type'] ??= encoded.contentType;
  const cookies = [
    ...cookieHeader.filter(Boolean),
    ...(Array.isArray(input.cookies) ? input.cookies : Object.entries(input.cookies ?? {}).map(([k, v]) => `${k}=${v}`)),
  ];
  const query = group(queryPairs(input.query));
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: stage === '$default' ? path : `/${stage}${path}`,
    rawQueryString: rawQuery(input.query),
    headers,
    requestContext: {
      accountId: accountOf(input),
      apiId,
      domainName,
      domainPrefix: domainName.slice(0, domainName.indexOf('.')),
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: input.sourceIp ?? DEFAULT_SOURCE_IP, userAgent: headers['user-agent'] },
      requestId: input.requestId ?? randomUUID(),
      routeKey,
      stage,
      time: requestTime(time),
      timeEpoch: time,
    },
    isBase64Encoded: encoded.isBase64Encoded,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = dictFrom(Object.entries(query).map(([k, vs]) => [k, vs.join(',')] as const));
  if (encoded.body !== null) event.body = encoded.body;
  if (input.pathParameters) event.pathParameters = copyMap(input.pathParameters);
  if (input.stageVariables) event.stageVariables = copyMap(input.stageVariables);
  if (input.authorizer) (event.requestContext as unknown as Record<string, unknown>)['authorizer'] = input.authorizer;
  return event;
}

/**
 * An API Gateway HTTP API (payload v2) event: lower-cased headers with repeated values joined by
 * commas, `rawQueryString` as sent, `queryStringParameters` joined by commas, cookies in `cookies`.
 */
export function httpApiEvent(input: HttpApiInput = {}, overrides?: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 {
  const region = input.region ?? 'us-east-1';
  const apiId = shortId();
  const event = v2Event(input, apiId, `${apiId}.execute-api.${region}.amazonaws.com`, input.routeKey ?? '$default', input.stage ?? '$default');
  return applyOverrides(event, overrides);
}

/** Input of {@link functionUrlEvent}. */
export interface FunctionUrlInput extends Omit<HttpApiInput, 'routeKey' | 'stage'> {
  /** `'NONE'` (default) or `'AWS_IAM'`, which adds an IAM authorizer for the local account. */
  authType?: 'NONE' | 'AWS_IAM';
}

/** A Lambda Function URL event: payload v2 with `routeKey` and `stage` `$default` and a `lambda-url` domain. */
export function functionUrlEvent(input: FunctionUrlInput = {}, overrides?: Partial<LambdaFunctionURLEvent>): LambdaFunctionURLEvent {
  const region = input.region ?? 'us-east-1';
  const urlId = shortId(32);
  const { authType, ...rest } = input;
  const event = v2Event(rest, urlId, `${urlId}.lambda-url.${region}.on.aws`, '$default', '$default');
  if (authType === 'AWS_IAM') {
    const account = accountOf(input);
    (event.requestContext as unknown as Record<string, unknown>)['authorizer'] = {
      iam: {
        accessKey: 'AKIAFLEECELOCAL00001',
        accountId: account,
        callerId: 'AIDAFLEECELOCALUSER01',
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: `arn:aws:iam::${account}:user/fleece-local`,
        userId: 'AIDAFLEECELOCALUSER01',
      },
    };
  }
  return applyOverrides(event, overrides);
}
