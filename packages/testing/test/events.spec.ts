import { createHash } from 'node:crypto';
import { apiGatewayV1Event, functionUrlEvent, httpApiEvent, scheduledEvent, sqsEvent } from '../src/index.js';

describe('API Gateway REST (v1) events', () => {
  it('has realistic defaults and null maps when nothing is given', () => {
    const event = apiGatewayV1Event();
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/',
      resource: '/',
      body: null,
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
    });
    expect(event.headers['X-Forwarded-Proto']).toBe('https');
    expect(event.multiValueHeaders['Host']).toEqual([event.requestContext.domainName]);
    expect(event.requestContext).toMatchObject({ stage: 'prod', path: '/prod/', httpMethod: 'GET', accountId: '123456789012' });
    expect(event.requestContext.identity.sourceIp).toBe('203.0.113.10');
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('keeps every value of repeated headers and query names, the last one in the single-value maps', () => {
    const event = apiGatewayV1Event({
      method: 'post',
      path: '/orders/42',
      resource: '/orders/{id}',
      pathParameters: { id: '42' },
      headers: { Accept: ['text/html', 'application/json'], 'X-Custom': 'a' },
      query: 'tag=a&tag=b%20c&single=1',
      body: { item: 'book' },
      authorizer: { claims: { sub: 'user-1' } },
    });
    expect(event.httpMethod).toBe('POST');
    expect(event.multiValueHeaders['Accept']).toEqual(['text/html', 'application/json']);
    expect(event.headers['Accept']).toBe('application/json');
    expect(event.headers['Content-Type']).toBe('application/json');
    expect(event.multiValueQueryStringParameters).toEqual({ tag: ['a', 'b c'], single: ['1'] });
    expect(event.queryStringParameters).toEqual({ tag: 'b c', single: '1' });
    expect(JSON.parse(event.body!)).toEqual({ item: 'book' });
    expect(event.requestContext.resourcePath).toBe('/orders/{id}');
    expect(event.requestContext.authorizer).toEqual({ claims: { sub: 'user-1' } });
  });

  it('base64-encodes binary bodies and applies overrides one level deep', () => {
    const event = apiGatewayV1Event({ body: Buffer.from([1, 2, 3]), query: { a: ['1', '2'] } }, { requestContext: { stage: 'dev' } as never, path: '/x' });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(Buffer.from([1, 2, 3]));
    expect(event.requestContext.stage).toBe('dev');
    expect(event.requestContext.httpMethod).toBe('GET');
    expect(event.path).toBe('/x');
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'] });
  });

  it('rejects a bad method or path', () => {
    expect(() => apiGatewayV1Event({ path: 'no-slash' })).toThrow(/"path"/);
    expect(() => apiGatewayV1Event({ method: 'GE T' })).toThrow(/"method"/);
    expect(() => apiGatewayV1Event({ time: NaN })).toThrow(/"time"/);
    expect(() => apiGatewayV1Event({}, 'x' as never)).toThrow(/"overrides"/);
  });
});

describe('HTTP API (v2) and Function URL events', () => {
  it('builds v2 with rawQueryString, comma-joined values, lower-case headers and cookies', () => {
    const event = httpApiEvent({
      method: 'PUT',
      path: '/items/7',
      routeKey: 'PUT /items/{id}',
      headers: { 'X-Multi': ['a', 'b'], Cookie: 'session=abc; theme=dark' },
      cookies: { lang: 'en' },
      query: { tag: ['x', 'y'], q: 'a b' },
      body: 'plain',
      pathParameters: { id: '7' },
      stageVariables: { env: 'test' },
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'PUT /items/{id}',
      rawPath: '/items/7',
      rawQueryString: 'tag=x&tag=y&q=a%20b',
      queryStringParameters: { tag: 'x,y', q: 'a b' },
      cookies: ['session=abc', 'theme=dark', 'lang=en'],
      body: 'plain',
      isBase64Encoded: false,
      pathParameters: { id: '7' },
      stageVariables: { env: 'test' },
    });
    expect(event.headers['x-multi']).toBe('a,b');
    expect(event.headers['cookie']).toBeUndefined();
    expect(event.requestContext.http).toMatchObject({ method: 'PUT', path: '/items/7', sourceIp: '203.0.113.10' });
    expect(event.requestContext.stage).toBe('$default');
  });

  it('leaves out absent parts, keeps a raw query as sent and puts a named stage in rawPath', () => {
    const event = httpApiEvent({ query: '?a=1&a=2', stage: 'live', authorizer: { jwt: { claims: { sub: 'u' } } } });
    expect(event.rawQueryString).toBe('a=1&a=2');
    expect(event.queryStringParameters).toEqual({ a: '1,2' });
    expect(event.rawPath).toBe('/live/');
    expect(event.cookies).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect((event.requestContext as unknown as { authorizer: unknown }).authorizer).toEqual({ jwt: { claims: { sub: 'u' } } });
    expect(httpApiEvent().rawQueryString).toBe('');
  });

  it('builds Function URL events with a lambda-url domain and an optional IAM authorizer', () => {
    const event = functionUrlEvent({ method: 'POST', body: { a: 1 }, authType: 'AWS_IAM', cookies: ['c=1'] });
    expect(event.routeKey).toBe('$default');
    expect(event.requestContext.domainName).toMatch(/^[0-9a-f]{32}\.lambda-url\.us-east-1\.on\.aws$/);
    expect(event.requestContext.apiId).toBe(event.requestContext.domainName.split('.')[0]);
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.cookies).toEqual(['c=1']);
    expect((event.requestContext as unknown as { authorizer: { iam: { accountId: string } } }).authorizer.iam.accountId).toBe('123456789012');
    expect((functionUrlEvent().requestContext as unknown as { authorizer?: unknown }).authorizer).toBeUndefined();
  });
});

describe('SQS batch events', () => {
  it('builds records with real MD5 digests and JSON bodies', () => {
    const event = sqsEvent(['hello', { body: { id: 1 }, messageAttributes: { kind: 'order' }, receiveCount: 3 }], { queueName: 'orders', time: 1_700_000_000_000 });
    expect(event.Records).toHaveLength(2);
    const [first, second] = event.Records;
    expect(first!.md5OfBody).toBe(createHash('md5').update('hello').digest('hex'));
    expect(first!).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders', awsRegion: 'us-east-1' });
    expect(first!.attributes.SentTimestamp).toBe('1700000000000');
    expect(first!.attributes.MessageGroupId).toBeUndefined();
    expect(second!.body).toBe('{"id":1}');
    expect(second!.attributes.ApproximateReceiveCount).toBe('3');
    expect(second!.messageAttributes['kind']).toEqual({ stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' });
    expect(first!.messageId).not.toBe(second!.messageId);
  });

  it('adds FIFO attributes for .fifo queues and rejects empty batches', () => {
    const event = sqsEvent([{ body: 'a', groupId: 'g' }, 'b'], { queueName: 'jobs.fifo' });
    expect(event.Records[0]!.attributes).toMatchObject({ MessageGroupId: 'g' });
    expect(event.Records[1]!.attributes.MessageGroupId).toBe('group-1');
    expect(BigInt(event.Records[1]!.attributes.SequenceNumber!)).toBeGreaterThan(BigInt(event.Records[0]!.attributes.SequenceNumber!));
    expect(() => sqsEvent([])).toThrow(/"messages"/);
    expect(() => sqsEvent([{} as never])).toThrow(/"messages\[0\]"/);
  });
});

describe('EventBridge scheduled events', () => {
  it('builds a scheduled event with whole-second time and the rule ARN', () => {
    const event = scheduledEvent({ ruleName: 'nightly', time: Date.UTC(2024, 0, 2, 3, 4, 5, 678) });
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2024-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/nightly'],
      detail: {},
    });
    expect(scheduledEvent().time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});
