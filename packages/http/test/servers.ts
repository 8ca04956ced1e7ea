import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

/** What a test server saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  requests: Seen[];
  close(): Promise<void>;
}

/** A reply: status, headers and body; or 'destroy' to drop the connection without answering. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'destroy';

/**
 * A node:http server on 127.0.0.1 that answers request n with `replies[n]` (the last one repeats),
 * recording every request it saw.
 */
export async function startServer(replies: Reply[] | ((seen: Seen, index: number) => Reply)): Promise<TestServer> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      const index = requests.push(seen) - 1;
      const reply = typeof replies === 'function' ? replies(seen, index) : replies[Math.min(index, replies.length - 1)]!;
      if (reply === 'destroy') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Accepts connections and never answers: the read timeout's server. */
export async function startStallingServer(): Promise<TestServer & { connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A listening socket that never accepts, on loopback: the connect timeout's server.
 *
 * The socket listens in a worker thread whose event loop is then parked in `Atomics.wait` (no CPU),
 * so nothing ever calls accept(). With a backlog of 1 the kernel completes two handshakes into the
 * accept queue; once the fillers below occupy it, further SYNs are dropped and `connect()` hangs,
 * exactly like a firewalled host, without leaving 127.0.0.1.
 */
export async function startUnacceptingServer(): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(workerData, 0, 0);
      server.close();
    });
    `,
    { eval: true, workerData: flag },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  // Fill the accept queue until a handshake no longer completes (two on Linux; bounded anyway).
  for (let i = 0; i < 8; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 200);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** A port with nothing listening (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A clock and a sleep that advances it instantly, recording each wait. */
export function fakeTime(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

/**
 * got loads (and jest transforms it, and maps the stacks of its first errors) on first use: one
 * request and one timeout before a timing test keep that out of the measured time.
 */
export async function warmUp(get: (url: string, options?: { timeout?: number }) => Promise<unknown>): Promise<void> {
  const ok = await startServer([{ status: 204 }]);
  await get(ok.url);
  await ok.close();
  const stall = await startStallingServer();
  await get(stall.url, { timeout: 50 }).catch(() => undefined);
  await stall.close();
}
