import AWSXRay from 'aws-xray-sdk-core';
import { createSocket } from 'node:dgram';
import { startXrayCollector, type XrayCollector } from '../src/index.js';

describe('X-Ray UDP collector', () => {
  let collector: XrayCollector;

  beforeAll(() => {
    AWSXRay.setLogger({ debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
  });

  beforeEach(async () => {
    collector = await startXrayCollector();
    AWSXRay.setDaemonAddress(collector.address);
  });

  afterEach(async () => {
    await collector.stop();
  });

  it('receives what aws-xray-sdk-core sends, with parent/child nesting', async () => {
    AWSXRay.setStreamingThreshold(100);
    const segment = new AWSXRay.Segment('orders-api');
    const db = segment.addNewSubsegment('dynamodb');
    const query = db.addNewSubsegment('query');
    query.addAnnotation('table', 'orders');
    query.close();
    db.close();
    const http = segment.addNewSubsegment('http');
    http.close(new Error('upstream down'));
    segment.close();

    await collector.waitFor((c) => c.segments().some((s) => s.id === segment.id && s.end_time !== undefined));
    expect(collector.errors).toEqual([]);
    const [received] = collector.segments();
    expect(received).toMatchObject({ name: 'orders-api', trace_id: segment.trace_id, id: segment.id });
    expect(collector.children(segment.id).map((s) => s.name)).toEqual(['dynamodb', 'http']);
    const [queried] = collector.children(db.id);
    expect(queried).toMatchObject({ name: 'query', parent_id: db.id, trace_id: segment.trace_id, annotations: { table: 'orders' } });
    expect(collector.subsegments().find((s) => s.name === 'http')).toMatchObject({ fault: true, cause: expect.anything() });
  });

  it('receives subsegments streamed on their own', async () => {
    AWSXRay.setStreamingThreshold(0);
    const segment = new AWSXRay.Segment('streaming');
    const first = segment.addNewSubsegment('first');
    first.close();
    const second = segment.addNewSubsegment('second');
    second.close();
    segment.close();
    await collector.waitFor((c) => c.subsegments().filter((s) => s.parent_id === segment.id).length === 2 && c.segments().length === 1);
    const alone = collector.documents().filter((d) => d.type === 'subsegment');
    // The SDK streams closed subsegments once the segment holds more than the threshold; the rest ride along.
    expect(alone.length).toBeGreaterThanOrEqual(1);
    expect(alone.map((d) => d.name)).toContain('first');
    expect(alone.every((d) => d.parent_id === segment.id && d.trace_id === segment.trace_id)).toBe(true);
    expect(collector.children(segment.id).map((s) => s.name).sort()).toEqual(['first', 'second']);
    AWSXRay.setStreamingThreshold(100);
  });

  it('flags datagrams that break the daemon protocol', async () => {
    const socket = createSocket('udp4');
    const send = (text: string) => new Promise<void>((resolve) => socket.send(text, collector.port, '127.0.0.1', () => resolve()));
    await send('{"format":"json","version":2}\n{"id":"a","name":"n"}');
    await send('no header at all');
    await send('{"format":"json","version":1}\n{not json');
    await send('{"format":"json","version":1}\n{"name":"no id"}');
    await send('not json header\n{}');
    await collector.waitFor((c) => c.errors.length === 5);
    socket.close();
    expect(collector.errors).toEqual([
      expect.stringMatching(/daemon header must be/),
      expect.stringMatching(/no header line/),
      expect.stringMatching(/not valid JSON/),
      expect.stringMatching(/no id or name/),
      expect.stringMatching(/daemon header must be/),
    ]);
    expect(collector.documents()).toEqual([]);
    expect(collector.raw()).toHaveLength(5);
    expect(collector.raw()[1]).toBe('no header at all');
    collector.reset();
    expect(collector.raw()).toEqual([]);
    expect(collector.errors).toEqual([]);
  });

  it('keeps the latest version of an in-progress segment and times out waiting', async () => {
    const socket = createSocket('udp4');
    const send = (doc: object) =>
      new Promise<void>((resolve) => socket.send(`{"format":"json","version":1}\n${JSON.stringify(doc)}`, collector.port, '127.0.0.1', () => resolve()));
    await send({ id: 's1', name: 'seg', trace_id: 't', start_time: 1, in_progress: true });
    await send({ id: 's1', name: 'seg', trace_id: 't', start_time: 1, end_time: 2 });
    await collector.waitFor((c) => c.documents().length === 2);
    socket.close();
    expect(collector.segments()).toEqual([{ id: 's1', name: 'seg', trace_id: 't', start_time: 1, end_time: 2 }]);
    await expect(collector.waitFor(() => false, 10)).rejects.toThrow(/not met within 10 ms/);
    expect(() => collector.waitFor('x' as never)).toThrow(/"predicate"/);
  });
});
