// The same behaviour over the wire, whichever backend ships the spans: the X-Ray SDK to a UDP
// daemon, or OpenTelemetry over OTLP/HTTP to a collector.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { get } from '@fleece/http';
import { startLocalAws, type LocalAws } from '@fleece/testing';

import { addAnnotation, captureClient, captureHttp, traceHandler, traceSubsegment, tracingStatus } from '../src/index.js';
import { resetColdStart } from '../src/trace-handler.js';
import { enterInvocation } from './support/trace.js';
import { startWire, type Wire, type WireSpan } from './support/wires.js';

let aws: LocalAws;
let server: Server;
let base: string;
const received: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  aws = await startLocalAws({ services: ['dynamodb'] });
  const setup = new DynamoDBClient(aws.clientConfig('dynamodb'));
  await setup.send(
    new CreateTableCommand({
      TableName: 'orders',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  setup.destroy();
  server = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env['_HANDLER'] = 'index.handler';
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await aws.stop();
});

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
});

const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 30_000 });
const named = (spans: WireSpan[], name: string): WireSpan => {
  const found = spans.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no span named ${name} in ${JSON.stringify(spans)}`);
  return found;
};

describe.each(['xray-sdk', 'otel'] as const)('on the %s backend', (backend) => {
  let wire: Wire;
  beforeAll(async () => {
    wire = await startWire(backend);
    resetColdStart();
  });
  afterAll(() => wire.close());

  it('parents nested spans right across awaits, all under the handler', async () => {
    const { traceId, parentId } = enterInvocation();
    const third = traceSubsegment(async () => {
      await delay(2);
      addAnnotation('depth', 3);
      return 3;
    }, { name: 'third' });
    const second = traceSubsegment(async () => {
      await delay(1);
      return (await third()) + 2;
    }, { name: 'second' });
    const first = traceSubsegment(async () => (await second()) + 1, { name: 'first' });
    const handler = traceHandler(async () => first());
    await expect(handler({}, context('nested'))).resolves.toBe(6);
    const spans = await wire.waitFor(traceId, 4);
    expect(tracingStatus().backend).toBe(backend);
    const [h, a, b, c] = ['## index.handler', 'first', 'second', 'third'].map((name) => named(spans, name));
    expect(h!.parentId).toBe(parentId);
    expect(h!.annotations).toEqual({ ColdStart: true });
    expect(a!.parentId).toBe(h!.id);
    expect(b!.parentId).toBe(a!.id);
    expect(c!.parentId).toBe(b!.id);
    expect(c!.annotations).toEqual({ depth: 3 });
    expect(spans).toHaveLength(4);
  });

  it('records an AWS SDK call against local DynamoDB as a span naming service and operation', async () => {
    const { traceId } = enterInvocation();
    const dynamo = captureClient(new DynamoDBClient(aws.clientConfig('dynamodb')));
    const handler = traceHandler(async () => dynamo.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } } })));
    await handler({}, context('aws'));
    dynamo.destroy();
    const spans = await wire.waitFor(traceId, 2);
    const call = spans.find((s) => s.aws !== undefined);
    expect(call?.aws).toEqual({ service: 'DynamoDB', operation: 'GetItem' });
    expect(call!.parentId).toBe(named(spans, '## index.handler').id);
    expect(call!.failed).toBe(false);
  });

  it('sends the trace header to a local HTTP server, naming the span of the call as parent', async () => {
    const { traceId } = enterInvocation();
    const stop = captureHttp();
    received.length = 0;
    try {
      await traceHandler(async () => get(`${base}/orders?token=secret`))({}, context('http'));
    } finally {
      stop();
    }
    const spans = await wire.waitFor(traceId, 2);
    const call = named(spans, '127.0.0.1');
    expect(received[0]!['x-amzn-trace-id']).toBe(`Root=${traceId};Parent=${call.id};Sampled=1;Lineage=a87bd80c:0`);
    expect(JSON.stringify(spans)).not.toContain('secret');
  });

  it('sends nothing for an unsampled trace', async () => {
    const before = wire.count();
    const { traceId } = enterInvocation(false);
    const inner = traceSubsegment(async () => 'inner', { name: 'inner' });
    await expect(traceHandler(async () => inner())({}, context('unsampled'))).resolves.toBe('inner');
    // A sampled marker afterwards arrives; nothing of the unsampled trace came before it.
    const marker = enterInvocation(true);
    await traceHandler(async () => 'marker')({}, context('marker'));
    await wire.waitFor(marker.traceId, 1);
    expect(wire.spans(traceId)).toEqual([]);
    expect(wire.count()).toBe(before + 1);
  });

  it('records a throw and rethrows the very same value', async () => {
    const { traceId } = enterInvocation();
    const error = new RangeError('quantity must be positive');
    const validate = traceSubsegment(async () => {
      throw error;
    }, { name: 'validate' });
    const handler = traceHandler(async () => validate());
    await expect(handler({}, context('throw'))).rejects.toBe(error);
    const spans = await wire.waitFor(traceId, 2);
    const failing = named(spans, 'validate');
    expect(failing.failed).toBe(true);
    expect(failing.exception).toEqual({ type: 'RangeError', message: 'quantity must be positive' });
    expect(named(spans, '## index.handler').failed).toBe(true);
  });
});
