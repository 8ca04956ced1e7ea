import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { client } from '@fleece/aws';
import { startLocalAws, type LocalAws } from '@fleece/testing';

import { captureAwsSdk, captureClient, traceSubsegment, tracingStatus } from '../src/index.js';
import { exceptionsOf, startCollector, type Collector, type XrayDocument } from './support/collector.js';
import { enterInvocation, lambdaEnvironment } from './support/trace.js';

let collector: Collector;
let aws: LocalAws;
const TABLE = 'orders';

// Records the trace header each request leaves with, after signing.
function headerSpy(target: { middlewareStack: DynamoDBClient['middlewareStack'] }): string[] {
  const seen: string[] = [];
  target.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      seen.push(headers['X-Amzn-Trace-Id'] ?? '(none)');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'headerSpy', priority: 'low' },
  );
  return seen;
}

beforeAll(async () => {
  collector = await startCollector();
  lambdaEnvironment(collector.address);
  aws = await startLocalAws({ services: ['dynamodb'] });
  const setup = new DynamoDBClient(aws.clientConfig('dynamodb'));
  await setup.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  setup.destroy();
});

afterAll(async () => {
  await aws.stop();
  await collector.close();
});

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
});

const awsDocs = (docs: XrayDocument[]) => docs.filter((d) => d.namespace === 'aws');

describe('captureAwsSdk', () => {
  it('records one subsegment per call of every @fleece/aws client made afterwards, under the caller, with the trace header sent along', async () => {
    const untraced = client(DynamoDBClient, aws.clientConfig('dynamodb'));
    const stop = captureAwsSdk();
    expect(captureAwsSdk()).toBe(stop);
    const dynamo = client(DynamoDBClient, aws.clientConfig('dynamodb'));
    const headers = headerSpy(dynamo);
    const { traceId } = enterInvocation();
    const saveAndLoad = traceSubsegment(async () => {
      await dynamo.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'o1' }, total: { N: '12' } } }));
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
      await untraced.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
      return Item;
    }, { name: 'saveAndLoad' });
    await expect(saveAndLoad()).resolves.toEqual({ id: { S: 'o1' }, total: { N: '12' } });

    const docs = await collector.waitFor(traceId, 3);
    const parent = docs.find((d) => d.name === 'saveAndLoad')!;
    const calls = awsDocs(docs);
    // The client made before captureAwsSdk() stays untraced.
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ name: 'DynamoDB', namespace: 'aws', parent_id: parent.id, trace_id: traceId });
      expect(call.aws).toMatchObject({ region: aws.region, retries: 0, table_name: TABLE });
      expect(call.aws!['request_id']).toEqual(expect.any(String));
      expect(call.http).toEqual({ response: expect.objectContaining({ status: 200 }) });
      expect(call.fault ?? call.error).toBeUndefined();
    }
    expect(calls.map((c) => c.aws!['operation']).sort()).toEqual(['GetItem', 'PutItem']);
    // Each request carried the header naming its own subsegment as parent.
    expect(headers.sort()).toEqual(calls.map((c) => `Root=${traceId};Parent=${c.id};Sampled=1;Lineage=a87bd80c:0`).sort());

    stop();
    const after = client(DynamoDBClient, aws.clientConfig('dynamodb'));
    const next = enterInvocation();
    await traceSubsegment(async () => after.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } })), { name: 'after' })();
    expect(awsDocs(await collector.waitFor(next.traceId, 1))).toEqual([]);
    for (const c of [untraced, dynamo, after]) c.destroy();
  });

  it('records a failed call as error (4xx) with the remote exception, and rethrows the SDK error', async () => {
    const dynamo = captureClient(new DynamoDBClient(aws.clientConfig('dynamodb')));
    const { traceId } = enterInvocation();
    const failure = await traceSubsegment(async () => dynamo.send(new GetItemCommand({ TableName: 'missing', Key: { id: { S: 'x' } } })), {
      name: 'lookup',
    })().catch((e: unknown) => e);
    expect((failure as Error).name).toBe('ResourceNotFoundException');
    const docs = await collector.waitFor(traceId, 2);
    const [call] = awsDocs(docs);
    expect(call).toMatchObject({ name: 'DynamoDB', error: true, aws: { operation: 'GetItem', table_name: 'missing' }, http: { response: { status: 400 } } });
    expect(call!.fault).toBeUndefined();
    expect(exceptionsOf(call!)[0]).toMatchObject({ type: 'ResourceNotFoundException', remote: true });
    // The traced caller rethrew the same error: it names the call's exception instead of repeating it.
    const lookup = docs.find((d) => d.name === 'lookup')!;
    expect(lookup).toMatchObject({ error: true, cause: exceptionsOf(call!)[0]!.id });
    dynamo.destroy();
  });

  it('sends the unsampled decision to AWS and records nothing', async () => {
    const dynamo = captureClient(new DynamoDBClient(aws.clientConfig('dynamodb')));
    const headers = headerSpy(dynamo);
    const { traceId, parentId } = enterInvocation(false);
    const sent = tracingStatus().sent;
    await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
    expect(headers).toEqual([`Root=${traceId};Parent=${parentId};Sampled=0;Lineage=a87bd80c:0`]);
    expect(tracingStatus().sent).toBe(sent);
    // Outside any trace, no header at all.
    delete process.env['_X_AMZN_TRACE_ID'];
    await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
    expect(headers[1]).toBe('(none)');
    dynamo.destroy();
  });

  it('is idempotent per client: captured twice, still one subsegment per call', async () => {
    const dynamo = captureClient(captureClient(new DynamoDBClient(aws.clientConfig('dynamodb'))));
    const { traceId, parentId } = enterInvocation();
    await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
    const marker = enterInvocation();
    await traceSubsegment(async () => 1, { name: 'marker' })();
    await collector.waitFor(marker.traceId, 1);
    const calls = awsDocs(collector.documents(traceId));
    expect(calls).toHaveLength(1);
    // Called outside any traced function: hangs from the Lambda function segment.
    expect(calls[0]!.parent_id).toBe(parentId);
    dynamo.destroy();
  });

  it('names the DynamoDB operation behind a DocumentClient command', async () => {
    const raw = captureClient(new DynamoDBClient(aws.clientConfig('dynamodb')));
    const documents = DynamoDBDocumentClient.from(raw);
    const { traceId } = enterInvocation();
    await documents.send(new PutCommand({ TableName: TABLE, Item: { id: 'doc-1', total: 3 } }));
    await expect(documents.send(new GetCommand({ TableName: TABLE, Key: { id: 'doc-1' } }))).resolves.toMatchObject({ Item: { id: 'doc-1', total: 3 } });
    const calls = awsDocs(await collector.waitFor(traceId, 2));
    expect(calls.map((c) => [c.name, c.aws!['operation'], c.aws!['table_name']])).toEqual([
      ['DynamoDB', 'PutItem', TABLE],
      ['DynamoDB', 'GetItem', TABLE],
    ]);
    raw.destroy();
  });

  it('counts the retries a call needed', async () => {
    // A DynamoDB endpoint that fails once with a 500, then answers.
    let calls = 0;
    const server: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls++;
        const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${calls}` };
        if (calls === 1) {
          response.writeHead(500, headers).end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' }));
        } else {
          response.writeHead(200, headers).end('{}');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dynamo = captureClient(client(DynamoDBClient, { ...aws.clientConfig('dynamodb'), endpoint, retry: { retries: 2, base: 1, cap: 2 } }));
    const { traceId } = enterInvocation();
    await dynamo.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o1' } } }));
    const [call] = awsDocs(await collector.waitFor(traceId, 1));
    expect(call!.aws).toMatchObject({ operation: 'GetItem', retries: 1, request_id: 'req-2' });
    dynamo.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('records nothing for a presigned URL (nothing is sent) and keeps the header out of its signature', async () => {
    const s3 = captureClient(
      new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', forcePathStyle: true, credentials: aws.credentials }),
    );
    const { traceId } = enterInvocation();
    const url = await traceSubsegment(async () => getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 60 }), {
      name: 'presign',
    })();
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    const docs = await collector.waitFor(traceId, 1);
    expect(docs.map((d) => d.name)).toEqual(['presign']);
    s3.destroy();
  });

  it('refuses what is not an SDK v3 client', () => {
    expect(() => captureClient({} as never)).toThrow(/captureClient: client must be an AWS SDK v3 client/);
    expect(() => captureClient(null as never)).toThrow(TypeError);
  });
});
