import type { Context } from 'aws-lambda';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { lambdaContext } from '../context.js';
import { functionUrlEvent } from '../events/http-api.js';
import { checkMs, checkPort } from '../validate.js';
import { readStreamedResponse } from './http-response.js';
import { invokeStreaming, isStreamingHandler, type StreamingHandler, type StreamingOutcome } from './streaming-global.js';

/** Options of {@link startStreamingFunctionUrl}. */
export interface StreamingFunctionUrlOptions {
  /** The function's timeout, ms; the context counts down from it. Default 900000 (Lambda's longest). */
  timeoutMs?: number;
  /** Default 0: any free port on 127.0.0.1. */
  port?: number;
}

/** A Function URL in `RESPONSE_STREAM` mode on 127.0.0.1. */
export interface StreamingFunctionUrl {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** How each invocation ended, oldest first (settled once its stream ended). */
  outcomes: Promise<StreamingOutcome>[];
  close(): Promise<void>;
}

/**
 * Serves a streamified handler as a Function URL with `InvokeMode: RESPONSE_STREAM` would: each
 * HTTP request becomes a Function URL event, the handler's prelude becomes the status, headers and
 * `Set-Cookie`s, and its body goes to the client with chunked transfer as it is written, so
 * `curl -N` sees bytes as the handler writes them. A handler failing before its first byte is a
 * `502`; failing later cuts the response short (the socket is destroyed, as Lambda does).
 */
export async function startStreamingFunctionUrl(handler: StreamingHandler, options: StreamingFunctionUrlOptions = {}): Promise<StreamingFunctionUrl> {
  if (!isStreamingHandler(handler)) throw new TypeError('@fleece/testing: the handler was not wrapped with awslambda.streamifyResponse, so Lambda would not stream it');
  checkMs('timeoutMs', options.timeoutMs);
  checkPort('port', options.port);
  const outcomes: Promise<StreamingOutcome>[] = [];
  const server = createServer((req, res) => {
    void serve(handler, req, res, lambdaContext({ timeoutMs: options.timeoutMs ?? 900_000 }), outcomes).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    outcomes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(handler: StreamingHandler, req: IncomingMessage, res: ServerResponse, context: Context, outcomes: Promise<StreamingOutcome>[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const textual = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/.test(headers['content-type'] ?? '');
  const event = functionUrlEvent({
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body,
  });
  const invocation = invokeStreaming(handler, event, { context });
  outcomes.push(invocation.done);
  const response = await readStreamedResponse(invocation);
  const outgoing: Record<string, string | string[]> = { ...response.headers };
  if (response.cookies.length > 0) outgoing['set-cookie'] = response.cookies;
  res.writeHead(response.statusCode, outgoing);
  res.flushHeaders();
  await pipeline(response.body, res);
}
