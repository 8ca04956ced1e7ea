import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FunctionPool } from '../src/serve/pool.js';
import { eventually, project, serve, type Project } from './serve-helpers.js';

// The pool under a burst on a cold start: it grows a few workers at a time, every invocation is
// answered, and workers idle after the burst are stopped again.

/** A module whose init reports to a test server and waits for its answer, so the test sees how many start at once. */
const REPORTING = `
const res = await fetch(process.env.START_URL);
await res.text();
export const handler = async (event) => ({ statusCode: 200, body: String(event.path ?? event.n) });
`;

let p: Project;
let startServer: Server;
let startUrl: string;
let inFlight = 0;
let mostAtOnce = 0;
let starts = 0;

beforeAll(async () => {
  p = await project({ 'app/handler.mjs': REPORTING });
  startServer = createServer((_req, res) => {
    inFlight++;
    starts++;
    mostAtOnce = Math.max(mostAtOnce, inFlight);
    // Holding each start a moment makes overlapping starts visible.
    setTimeout(() => {
      inFlight--;
      res.end('ok');
    }, 100);
  });
  await new Promise<void>((resolve) => startServer.listen(0, '127.0.0.1', resolve));
  startUrl = `http://127.0.0.1:${(startServer.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  startServer.closeAllConnections();
  await new Promise((resolve) => startServer.close(resolve));
  await p.remove();
});
beforeEach(() => {
  mostAtOnce = 0;
  starts = 0;
});

const context = { awsRequestId: 'r', functionName: 'f', functionVersion: '$LATEST', invokedFunctionArn: 'arn', memoryLimitInMB: '128', logGroupName: 'g', logStreamName: 's' };

describe('the function pool', () => {
  it('answers a burst of 40 on a cold pool, starting at most maxStarting workers at once, and retires idle ones', async () => {
    const pool = new FunctionPool({ module: { file: `${p.dir}/app/handler.mjs`, exportName: 'handler' }, env: { START_URL: startUrl }, concurrency: 8, maxStarting: 2, idleMs: 300, output: { stdout: () => undefined, stderr: () => undefined } });
    try {
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, n) => pool.invoke({ event: JSON.stringify({ n }), context, timeoutMs: 30_000 })));
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(outcomes.map((o) => (o.ok ? JSON.parse(o.payload).body : undefined))).toEqual(Array.from({ length: 40 }, (_, n) => String(n)));
      expect(mostAtOnce).toBeLessThanOrEqual(2);
      expect(starts).toBeGreaterThanOrEqual(1);
      expect(pool.size).toBeLessThanOrEqual(8);
      // A cold start reports the init time, counted in the worker (the test server held it 100 ms).
      const cold = outcomes.filter((o) => o.coldStartMs !== undefined);
      // A worker that started may find the burst already served by its sibling, so at most one each.
      expect(cold.length).toBeGreaterThanOrEqual(1);
      expect(cold.length).toBeLessThanOrEqual(starts);
      for (const o of cold) expect(o.coldStartMs).toBeGreaterThanOrEqual(90);
      // Idle workers go, one stays warm.
      await eventually(() => (pool.size === 1 ? true : undefined), 15_000);
      const again = await pool.invoke({ event: '{"n":"warm"}', context, timeoutMs: 30_000 });
      expect(again).toMatchObject({ ok: true });
      // The worker kept warm may be one that started during the burst but served none of it.
      expect(again.coldStartMs === undefined || cold.length < starts).toBe(true);
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  }, 60_000);

  it('answers waiting invocations with the init error when the module stops loading, and as stopping on close', async () => {
    const broken = await project({ 'bad.mjs': "throw new RangeError('no config');\n", 'slow.mjs': 'await new Promise((r) => setTimeout(r, 60000));\nexport const handler = async () => 1;\n' });
    const output = { stdout: () => undefined, stderr: () => undefined };
    const bad = new FunctionPool({ module: { file: `${broken.dir}/bad.mjs`, exportName: 'handler' }, env: {}, concurrency: 3, output });
    const slow = new FunctionPool({ module: { file: `${broken.dir}/slow.mjs`, exportName: 'handler' }, env: {}, concurrency: 3, output });
    try {
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => bad.invoke({ event: '{}', context, timeoutMs: 1000 })));
      for (const o of outcomes) expect(o).toMatchObject({ ok: false, reason: 'init', error: { errorType: 'RangeError', errorMessage: 'no config' } });
      const waiting = slow.invoke({ event: '{}', context, timeoutMs: 1000 });
      await eventually(() => (slow.size > 0 ? true : undefined));
      await slow.close();
      expect(await waiting).toMatchObject({ ok: false, error: { errorMessage: 'the server is stopping' } });
      await expect(slow.warm()).rejects.toThrow('the server is stopping');
    } finally {
      await bad.close();
      await slow.close();
      await broken.remove();
    }
  }, 30_000);
});

describe('fleece serve under load', () => {
  it('answers 20 connections for 4 s on a cold server without a 5xx', async () => {
    const { running, out, url } = await serve(`${p.dir}/app/handler.mjs`, { concurrency: 10, timeoutMs: 30_000, env: { START_URL: startUrl } });
    try {
      const statuses = new Map<number, number>();
      const until = Date.now() + 4000;
      await Promise.all(
        Array.from({ length: 20 }, async (_, c) => {
          for (let i = 0; Date.now() < until; i++) {
            const response = await fetch(url(`/c${c}/${i}`));
            await response.arrayBuffer();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          }
        }),
      );
      expect([...statuses.keys()]).toEqual([200]);
      expect(mostAtOnce).toBeLessThanOrEqual(2);
      expect(out.stderr).not.toMatch(/InitTimeout/);
    } finally {
      await running.stop();
    }
  }, 60_000);
});
