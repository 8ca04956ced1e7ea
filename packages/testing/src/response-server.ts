import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { closeServer, listen } from './http-service.js';
import { checkMs, checkObject, checkPort, invalid } from './validate.js';

/** 4096 bytes: the most CloudFormation reads of a custom-resource response. */
export const MAX_RESPONSE_BYTES = 4096;
/** 1 KB: the longest PhysicalResourceId CloudFormation accepts. */
export const MAX_PHYSICAL_ID_BYTES = 1024;

/** The ids a response must echo from its request. */
export interface ExpectedEcho {
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
}

/** One response PUT that reached the server (S3 would have stored it), valid or not. */
export interface RecordedResponse {
  name: string;
  /** The parsed JSON body, `undefined` when it was not JSON. */
  body: Record<string, unknown> | undefined;
  /** The body as sent, decoded as UTF-8. */
  raw: string;
  headers: IncomingHttpHeaders;
  /** Every protocol rule this response broke; empty when it is valid. */
  problems: string[];
  /** Epoch ms. */
  at: number;
}

/** A broken rule, with the URL name it was sent to. */
export interface ResponseProblem {
  name: string;
  message: string;
}

/** Options of {@link startResponseServer}. */
export interface ResponseServerOptions {
  /** Default 0: a random free port on 127.0.0.1. */
  port?: number;
  /**
   * Refuse (403, as S3 does for a V2-presigned URL) a response with a non-empty Content-Type.
   * Default true: the presigned URL may sign Content-Type, so the portable response sends none.
   */
  requireEmptyContentType?: boolean;
  /** How long a body may take to arrive in full, ms, before it counts as shorter than its Content-Length. Default 2000. */
  bodyTimeoutMs?: number;
}

/** A CloudFormation ResponseURL server: hands out presigned-looking URLs and checks what is PUT there. */
export interface ResponseServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /**
   * A fresh ResponseURL (with a presigned-style query that must come back intact). With `expect`,
   * the response must echo those ids; without, they need only be non-empty strings.
   */
  url(name?: string, expect?: ExpectedEcho): string;
  /** Every response that arrived, oldest first. */
  readonly responses: RecordedResponse[];
  /** Every broken rule, including a second response to the same URL. */
  readonly errors: ResponseProblem[];
  /** The first response sent to `name`, if any. */
  response(name: string): RecordedResponse | undefined;
  /** Resolves with the first response to `name` (or the next response at all) once it arrives; rejects after `timeoutMs` (default 5000). */
  waitForResponse(name?: string, timeoutMs?: number): Promise<RecordedResponse>;
  /** Answers the next `count` PUTs with `status` (default 503) without recording them, to test retries. */
  failNext(count: number, status?: number): void;
  /** Closes the server and every connection. Safe to call more than once. */
  stop(): Promise<void>;
}

interface Slot {
  name: string;
  signature: string;
  expect?: ExpectedEcho;
}

/**
 * Starts a server that plays the S3 bucket behind a custom resource's ResponseURL and checks every
 * rule of the protocol: PUT with a byte-exact Content-Length, at most 4096 bytes of valid JSON,
 * Status exactly SUCCESS or FAILED, a Reason when FAILED, a PhysicalResourceId of 1 to 1024 bytes,
 * StackId/RequestId/LogicalResourceId echoed, one response per URL.
 */
export async function startResponseServer(options: ResponseServerOptions = {}): Promise<ResponseServer> {
  checkObject('options', options);
  checkPort('port', options.port);
  checkMs('bodyTimeoutMs', options.bodyTimeoutMs);
  const requireEmptyContentType = options.requireEmptyContentType ?? true;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 2000;
  const slots = new Map<string, Slot>();
  const responses: RecordedResponse[] = [];
  const errors: ResponseProblem[] = [];
  const waiters: Array<{ name: string | undefined; resolve: (r: RecordedResponse) => void }> = [];
  const lastOnSocket = new WeakMap<Socket, string>();
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  let counter = 0;

  const problem = (name: string, message: string) => errors.push({ name, message });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const name = decodeURIComponent(url.pathname.slice(1));
    const reply = (status: number, code?: string, message?: string) => {
      const body = code ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>` : '';
      res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...(body && { 'Content-Type': 'application/xml' }) });
      res.end(body);
    };
    const slot = slots.get(name);
    if (!slot) {
      problem(name, `response sent to ${url.pathname}, a URL this server never handed out`);
      req.resume();
      reply(404, 'NoSuchKey', 'The specified key does not exist.');
      return;
    }
    lastOnSocket.set(req.socket, name);
    if (req.method !== 'PUT') {
      problem(name, `ResponseURL takes PUT, got ${req.method}`);
      req.resume();
      reply(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
      return;
    }
    if (url.searchParams.get('X-Amz-Signature') !== slot.signature) {
      problem(name, 'the presigned query string of the ResponseURL was not sent back intact');
      req.resume();
      reply(403, 'AccessDenied', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
      return;
    }
    if (failures.count > 0) {
      failures.count -= 1;
      req.resume();
      reply(failures.status, 'ServiceUnavailable', 'Injected failure: please retry');
      return;
    }
    const declared = req.headers['content-length'];
    if (declared === undefined || req.headers['transfer-encoding'] !== undefined) {
      problem(name, 'response has no Content-Length (S3 refuses chunked uploads to a presigned URL)');
      req.resume();
      reply(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
      return;
    }
    const contentType = req.headers['content-type'];
    if (requireEmptyContentType && contentType) {
      problem(name, `Content-Type must be empty, got "${contentType}" (a presigned URL may sign it)`);
      req.resume();
      reply(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(() => {
      problem(name, `body ended before its Content-Length: ${declared} bytes declared, ${received} received`);
      reply(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header');
      req.socket.destroy();
    }, bodyTimeoutMs);
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('close', () => clearTimeout(timer));
    req.on('end', () => {
      clearTimeout(timer);
      const buffer = Buffer.concat(chunks);
      const record = inspect(name, buffer, req.headers, slot);
      if (responses.some((r) => r.name === name)) record.problems.push(`a second response was sent to the same ResponseURL (${name})`);
      for (const message of record.problems) problem(name, message);
      responses.push(record);
      for (const waiter of [...waiters]) {
        if (waiter.name === undefined || waiter.name === name) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record);
        }
      }
      reply(200);
    });
  };

  const server = createServer(handle);
  // Bytes after the declared body arrive as a malformed next request: Content-Length counted characters, not bytes.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const name = lastOnSocket.get(socket);
    if (name !== undefined && error.code !== 'ECONNRESET') {
      problem(name, 'more bytes arrived than Content-Length declared (Content-Length must count bytes, not characters)');
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  await listen(server, options.port ?? 0);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopping: Promise<void> | undefined;

  return {
    origin,
    url(name, expect) {
      if (name !== undefined && (typeof name !== 'string' || !/^[\w.-]{1,200}$/.test(name))) {
        invalid('name', 'letters, digits, ".", "_" or "-" (at most 200)', name);
      }
      if (expect !== undefined) {
        for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
          if (typeof expect[key] !== 'string' || !expect[key]) invalid(`expect.${key}`, 'a non-empty string', expect[key]);
        }
      }
      counter += 1;
      const slotName = name ?? `response-${counter}`;
      if (slots.has(slotName)) invalid('name', 'a name not handed out before', slotName);
      const signature = randomBytes(32).toString('hex');
      slots.set(slotName, { name: slotName, signature, ...(expect && { expect: { ...expect } }) });
      const query = new URLSearchParams({
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Date': new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''),
        'X-Amz-SignedHeaders': 'host',
        'X-Amz-Expires': '7200',
        'X-Amz-Signature': signature,
      });
      return `${origin}/${encodeURIComponent(slotName)}?${query.toString()}`;
    },
    responses,
    errors,
    response: (name) => responses.find((r) => r.name === name),
    waitForResponse(name, timeoutMs = 5000) {
      checkMs('timeoutMs', timeoutMs);
      const existing = name === undefined ? undefined : responses.find((r) => r.name === name);
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const waiter = {
          name,
          resolve: (record: RecordedResponse) => {
            clearTimeout(timer);
            resolve(record);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`@fleece/testing: no response to ${name ?? 'any ResponseURL'} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    failNext(count, status = 503) {
      if (!Number.isInteger(count) || count < 0) invalid('count', 'an integer >= 0', count);
      if (!Number.isInteger(status) || status < 400 || status > 599) invalid('status', 'an HTTP error status (400-599)', status);
      failures = { count, status };
    },
    stop() {
      stopping ??= closeServer(server);
      return stopping;
    },
  };
}

/** Checks one body against the custom-resource response rules. */
function inspect(name: string, buffer: Buffer, headers: IncomingHttpHeaders, slot: Slot): RecordedResponse {
  const problems: string[] = [];
  const raw = buffer.toString('utf8');
  const record: RecordedResponse = { name, body: undefined, raw, headers, problems, at: Date.now() };
  if (buffer.length > MAX_RESPONSE_BYTES) {
    problems.push(`body is ${buffer.length} bytes; CloudFormation accepts at most ${MAX_RESPONSE_BYTES}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('body is not valid JSON');
    return record;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push('body must be a JSON object');
    return record;
  }
  const body = parsed as Record<string, unknown>;
  record.body = body;
  if (body['Status'] !== 'SUCCESS' && body['Status'] !== 'FAILED') {
    problems.push(`Status must be exactly "SUCCESS" or "FAILED", got ${JSON.stringify(body['Status'])}`);
  }
  if (body['Status'] === 'FAILED' && (typeof body['Reason'] !== 'string' || body['Reason'].length === 0)) {
    problems.push('Reason is required when Status is FAILED');
  }
  if (body['Reason'] !== undefined && typeof body['Reason'] !== 'string') problems.push('Reason must be a string');
  const physical = body['PhysicalResourceId'];
  if (typeof physical !== 'string' || physical.length === 0) {
    problems.push('PhysicalResourceId must be a non-empty string');
  } else if (Buffer.byteLength(physical) > MAX_PHYSICAL_ID_BYTES) {
    problems.push(`PhysicalResourceId is ${Buffer.byteLength(physical)} bytes; at most ${MAX_PHYSICAL_ID_BYTES}`);
  }
  for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    const value = body[key];
    if (typeof value !== 'string' || value.length === 0) problems.push(`${key} must be echoed from the request, got ${JSON.stringify(value)}`);
    else if (slot.expect && value !== slot.expect[key]) problems.push(`${key} must be echoed from the request: expected ${JSON.stringify(slot.expect[key])}, got ${JSON.stringify(value)}`);
  }
  const data = body['Data'];
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) problems.push('Data must be a JSON object');
  if (body['NoEcho'] !== undefined && typeof body['NoEcho'] !== 'boolean') problems.push('NoEcho must be a boolean');
  return record;
}
