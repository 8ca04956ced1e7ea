import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity, IdentityStore } from './credentials.js';
import { AuthError, verifySigV4, type AuthFailure } from './sigv4.js';

/** The services `startLocalAws` can run. */
export type ServiceName = 'dynamodb' | 's3' | 'kms' | 'ssm' | 'secretsmanager' | 'sts' | 'lambda' | 'cloudformation' | 'appconfigdata';

/** A service error as AWS would send it: a code the SDK turns into the exception's `name`. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One request a local service answered, for tests that count calls. */
export interface RequestRecord {
  service: ServiceName;
  /** The AWS operation, e.g. `Decrypt`, `PutItem`, `GetObject`. */
  operation: string;
  /** The HTTP status the service answered with. */
  status: number;
  /** The identity that signed it (`undefined` when the signature was refused). */
  accessKeyId: string | undefined;
  /** Epoch ms when the request arrived. */
  at: number;
}

/** A request after its signature was checked. */
export interface ServiceRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The whole body; empty for services that stream it (S3). */
  body: Buffer;
  identity: Identity;
  requestId: string;
  raw: IncomingMessage;
}

/** What a handler answers, unless it wrote to the response itself. */
export interface ServiceReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The part of a request an operation name can be read from before the body is parsed. */
export interface RequestHead {
  method: string;
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** How one service speaks: signing, operation names, handling, errors. */
export interface ServiceDefinition {
  name: ServiceName;
  /** The AWS operations this service answers, for the README's generated table. */
  operations: readonly string[];
  signingName: string;
  /** S3 signs the path as sent; every other service double-encodes it. */
  escapePath: boolean;
  allowQueryAuth: boolean;
  /** Buffer the body before the handler runs (all but S3, which streams to disk). */
  bufferBody: boolean;
  maxBodyBytes: number;
  authErrors: Record<AuthFailure, readonly [code: string, status: number]>;
  operationOf(head: RequestHead): string;
  handle(request: ServiceRequest, res: ServerResponse): Promise<ServiceReply | undefined>;
  renderError(error: AwsServiceError, requestId: string): ServiceReply;
  /** Makes the HTTP server (dynalite brings its own, which also closes its database). */
  createServer?(listener: (req: IncomingMessage, res: ServerResponse) => void): Server;
  /** Releases what the service holds beyond its socket (temp dirs, loggers). */
  close?(): Promise<void>;
}

/** A listening service. */
export interface RunningService {
  readonly definition: ServiceDefinition;
  readonly port: number;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts `definition` on 127.0.0.1 and checks every request's signature before it runs. */
export async function startService(
  definition: ServiceDefinition,
  options: { port: number; identities: IdentityStore; record: (entry: RequestRecord) => void },
): Promise<RunningService> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(definition, options, req, res);
  };
  const server = definition.createServer?.(listener) ?? createServer(listener);
  // Slow clients must not keep a test's stop() waiting.
  server.keepAliveTimeout = 5_000;
  try {
    await listen(server, options.port);
  } catch (error) {
    await definition.close?.();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    definition,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        await closeServer(server);
        await definition.close?.();
      })();
      return closing;
    },
  };
}

async function serve(
  definition: ServiceDefinition,
  options: { identities: IdentityStore; record: (entry: RequestRecord) => void },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const at = Date.now();
  const requestId = randomUUID();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const query = new URLSearchParams(rawQuery);
  const method = req.method ?? 'GET';
  let operation = 'Unknown';
  let identity: Identity | undefined;
  res.on('finish', () =>
    options.record({ service: definition.name, operation, status: res.statusCode, accessKeyId: identity?.accessKeyId, at }),
  );
  const send = (reply: ServiceReply) => {
    if (res.headersSent) return;
    res.statusCode = reply.status;
    res.setHeader('x-amzn-RequestId', requestId);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    const body = reply.body ?? '';
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  };
  try {
    let body: Buffer = Buffer.alloc(0);
    if (definition.bufferBody) {
      const read = await readBody(req, definition.maxBodyBytes);
      if (read === undefined) {
        send(definition.renderError(new AwsServiceError('RequestTooLargeException', `Request body exceeds ${definition.maxBodyBytes} bytes`, 413), requestId));
        return;
      }
      body = read;
    }
    operation = definition.operationOf({ method, rawPath, query, headers: req.headers, body });
    try {
      identity = verifySigV4(
        { method, rawPath, rawQuery, headers: req.headersDistinct, body: definition.bufferBody ? body : undefined },
        options.identities,
        { signingName: definition.signingName, escapePath: definition.escapePath, allowQueryAuth: definition.allowQueryAuth },
      );
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const [code, status] = definition.authErrors[error.failure];
      send(definition.renderError(new AwsServiceError(code, error.message, status), requestId));
      return;
    }
    const reply = await definition.handle({ method, rawPath, rawQuery, query, headers: req.headers, body, identity, requestId, raw: req }, res);
    if (reply) send(reply);
  } catch (error) {
    const serviceError =
      error instanceof AwsServiceError
        ? error
        : new AwsServiceError('InternalFailure', `@fleece/testing ${definition.name}: ${(error as Error)?.message ?? String(error)}`, 500);
    send(definition.renderError(serviceError, requestId));
  }
}

/** Reads a whole body, or `undefined` once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Listens on loopback only. */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, then cuts every connection, kept-alive ones included, so nothing stays open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
