import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** A REST API (v1) proxy event for a path with a query string. */
export function v1(method: string, pathAndQuery: string, init: { headers?: Record<string, string[]>; body?: string | Buffer } = {}): APIGatewayProxyEvent {
  const [path, query = ''] = pathAndQuery.split('?');
  const multiQuery: Record<string, string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(query)) (multiQuery[k] ??= []).push(v);
  const multiHeaders = init.headers ?? {};
  const binary = Buffer.isBuffer(init.body);
  return {
    httpMethod: method,
    path: path!,
    resource: path!,
    // API Gateway keeps only the last value in the single-value maps.
    headers: Object.fromEntries(Object.entries(multiHeaders).map(([k, v]) => [k, v[v.length - 1]!])),
    multiValueHeaders: multiHeaders,
    queryStringParameters: query ? Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1]!])) : null,
    multiValueQueryStringParameters: query ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: init.body === undefined ? null : binary ? (init.body as Buffer).toString('base64') : (init.body as string),
    isBase64Encoded: binary,
    requestContext: { requestId: 'api-req-1' } as APIGatewayProxyEvent['requestContext'],
  };
}

/** An HTTP API (v2) / Function URL event. */
export function v2(method: string, pathAndQuery: string, init: { headers?: Record<string, string>; cookies?: string[]; body?: string | Buffer } = {}): APIGatewayProxyEventV2 {
  const [path, query = ''] = pathAndQuery.split('?');
  const binary = Buffer.isBuffer(init.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path!,
    rawQueryString: query,
    headers: init.headers ?? {},
    ...(init.cookies ? { cookies: init.cookies } : {}),
    body: init.body === undefined ? undefined : binary ? (init.body as Buffer).toString('base64') : (init.body as string),
    isBase64Encoded: binary,
    requestContext: { requestId: 'api-req-2', http: { method, path: path!, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } as APIGatewayProxyEventV2['requestContext'],
  };
}

export const context = { awsRequestId: 'lambda-req-1', getRemainingTimeInMillis: () => 3000 } as unknown as Context;

/** A Lambda Function URL event: the v2 shape with the URL's own request context. */
export function functionUrl(method: string, pathAndQuery: string, init: { headers?: Record<string, string>; cookies?: string[]; body?: string | Buffer } = {}): APIGatewayProxyEventV2 {
  const event = v2(method, pathAndQuery, init);
  event.requestContext = {
    ...event.requestContext,
    accountId: 'anonymous',
    apiId: 'abcdefghijklmnop',
    domainName: 'abcdefghijklmnop.lambda-url.eu-west-1.on.aws',
    domainPrefix: 'abcdefghijklmnop',
    routeKey: '$default',
    stage: '$default',
  };
  return event;
}
