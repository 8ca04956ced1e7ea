import { createSocket } from 'node:dgram';
import { startLocalEnvironment } from '../src/serve/local-env.js';
import { eventually } from './serve-helpers.js';

// A long-running `fleece serve --aws local` keeps a bounded number of X-Ray documents and local
// AWS request records, counting what it drops for the summary.

describe('the local environment of fleece serve', () => {
  it('trims X-Ray documents and request records past maxRecords, and still counts every subsegment', async () => {
    const local = await startLocalEnvironment({ maxRecords: 5, trimEveryMs: 50 });
    const socket = createSocket('udp4');
    try {
      const [host, port] = local.xray.address.split(':') as [string, string];
      const send = (text: string) => new Promise<void>((resolve, reject) => socket.send(text, Number(port), host, (error) => (error ? reject(error) : resolve())));
      for (let i = 0; i < 20; i++) {
        const traceId = `1-6b130766-${String(i).padStart(24, '0')}`;
        await send(`{"format":"json","version":1}\n${JSON.stringify({ id: `a${i}`.padStart(16, '0'), name: 'fn', trace_id: traceId, start_time: 1, end_time: 2, subsegments: [{ id: `b${i}`.padStart(16, '0'), name: 'DynamoDB', start_time: 1, end_time: 2 }] })}`);
        await fetch(local.aws.endpoint('dynamodb'), { method: 'POST', body: '{}' }).then((r) => r.arrayBuffer());
        if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 120));
      }
      await eventually(() => (local.received().subsegments === 20 ? true : undefined));
      expect(local.received()).toEqual({ subsegments: 20, traces: 20 });
      await eventually(() => (local.xray.documents().length <= 5 && local.aws.requests().length <= 5 ? true : undefined));
    } finally {
      socket.close();
      await local.stop();
    }
  }, 30_000);
});
