import { createSocket } from 'node:dgram';

import { traceHandler, traceSubsegment, tracingStatus } from '../src/index.js';
import { enterInvocation, lambdaEnvironment } from './support/trace.js';

// A port nobody listens on: bind one, note it, close it.
async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
});

it('runs every traced function exactly as without tracing when no daemon listens', async () => {
  lambdaEnvironment(`127.0.0.1:${await closedUdpPort()}`);
  const failure = new Error('still mine');
  const add = traceSubsegment((a: number, b: number) => a + b);
  const fails = traceSubsegment(async () => {
    throw failure;
  });
  const handler = traceHandler(async (event: { n: number }) => add(event.n, 1) + (await Promise.resolve(1)));
  for (let i = 0; i < 20; i++) {
    enterInvocation();
    await expect(handler({ n: i }, {})).resolves.toBe(i + 2);
    await expect(fails()).rejects.toBe(failure);
  }
  // Sent into the void, as UDP does; nothing failed on our side.
  expect(tracingStatus()).toMatchObject({ state: 'ready', sent: 60, dropped: 0 });
});
