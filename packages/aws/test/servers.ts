import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** One request as a DynamoDB JSON-protocol server sees it. */
export interface SeenRequest {
  /** The operation, from X-Amz-Target (`GetItem`). */
  operation: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** Answers one request: the server's part of a fault-injection script. */
export type Reply = (request: SeenRequest, response: ServerResponse) => void;

/** A local server speaking the DynamoDB JSON protocol (awsJson1_0) on 127.0.0.1. */
export interface DynamoServer {
  endpoint: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Sends a DynamoDB JSON reply. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': `req-${Math.random().toString(16).slice(2)}`,
  });
  response.end(payload);
}

/** A DynamoDB error reply, as the service sends it. */
export function awsError(response: ServerResponse, status: number, type: string, message: string): void {
  json(response, status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

export const throttle: Reply = (_request, response) =>
  awsError(response, 400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
export const internalError: Reply = (_request, response) =>
  awsError(response, 500, 'InternalServerError', 'Internal server error');
export const validationError: Reply = (_request, response) =>
  awsError(response, 400, 'ValidationException', 'One or more parameter values were invalid');
export const item: Reply = (_request, response) => json(response, 200, { Item: { pk: { S: 'a' }, n: { N: '1' } } });
/** Accepts the request and never answers. */
export const stall: Reply = () => {};

/**
 * Starts a DynamoDB JSON-protocol server whose n-th request is answered by `script[n]` (the last
 * entry answers every later one).
 */
export async function startDynamoServer(script: Reply[]): Promise<DynamoServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const text = Buffer.concat(chunks).toString('utf8');
      const seen: SeenRequest = {
        operation: target.split('.').pop() ?? '',
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      const reply = script[Math.min(requests.length, script.length - 1)]!;
      requests.push(seen);
      reply(seen, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port whose listener never accepts: connecting to it hangs until the client gives up. */
export interface NeverAccepting {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts a listener in a child process with a backlog of 1, stops the child (SIGSTOP) so it never
 * accepts, and fills the kernel's accept queue: further SYNs are dropped, so a connect hangs.
 */
export async function startNeverAcceptingServer(): Promise<NeverAccepting> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer(() => {});
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => process.stdout.write(s.address().port + '\\n'));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  // Connect until one connection hangs: the queue is then full.
  for (let i = 0; i < 16; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 250);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Static credentials and a region, so no provider chain is consulted. */
export const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
};

/** Measures how long a promise takes to settle, in ms, and what it rejected with. */
export async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown; value: T | undefined }> {
  const start = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - start, error: undefined, value };
  } catch (error) {
    return { ms: performance.now() - start, error, value: undefined };
  }
}

/**
 * Makes one call through a client of `make`'s kind, so the SDK's lazily loaded modules are in
 * place before a test measures time.
 */
export async function warmUp(make: (endpoint: string) => { send(command: never): Promise<unknown>; destroy(): void }, command: unknown): Promise<void> {
  const server = await startDynamoServer([item]);
  try {
    const warm = make(server.endpoint);
    await warm.send(command as never);
    warm.destroy();
  } finally {
    await server.close();
  }
}
