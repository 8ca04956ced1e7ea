import { randomUUID } from 'node:crypto';
import { joinInvocation } from '@fleece/retry';
import { chunksOf, isStreamSource, pump, type ResponseStreamLike, type StreamingBody } from './streaming-body.js';

/** What a streaming handler returns: a proxy result whose body may be a stream. */
export interface StreamingResult {
  /** Default 200. */
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  /** REST APIs (responseTransferMode STREAM) read these too; Function URLs do not. */
  multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  /** `Set-Cookie` values. */
  cookies?: string[];
  body?: StreamingBody | null;
  /** For a string body: it is base64 of the bytes to send (a buffered-era habit; bytes are sent). */
  isBase64Encoded?: boolean;
}

/** The runtime's `awslambda` global, as far as streaming uses it. */
interface AwsLambdaStreaming {
  streamifyResponse(handler: (event: never, stream: ResponseStreamLike, context: never) => Promise<void>, options?: { highWaterMark?: number }): unknown;
  HttpResponseStream: { from(stream: ResponseStreamLike, prelude: Record<string, unknown>): ResponseStreamLike };
}

/** The context fields streaming reads. */
export interface StreamingContext {
  awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** Where errors go; never to the client. */
export interface StreamingLogger {
  error(message: string, ...meta: unknown[]): void;
}

/** Options of {@link streamingResponse}. Sizes are bytes, durations milliseconds. */
export interface StreamingResponseOptions {
  /** Most body bytes one response may stream. Default 200 MiB, Lambda's limit for a streamed response. */
  maxBytes?: number;
  /** Streaming stops (logged, response cut short) this long before the invocation's end. Default 1000. */
  marginMs?: number;
  /** The response stream's buffer (the runtime's `highWaterMark`); default the runtime's. */
  highWaterMark?: number;
  /** Where failures go, with an `errorId` (the client sees only the id). Default `console`. */
  logger?: StreamingLogger;
}

/** Lambda's limit on a streamed response (200 MB), which the prelude counts towards too. */
export const STREAMING_RESPONSE_LIMIT_BYTES = 200 * 1024 * 1024;

/**
 * Wraps an API handler for a Function URL with `InvokeMode: RESPONSE_STREAM`, or an API Gateway
 * REST integration with `responseTransferMode: STREAM`: the result's status, headers and cookies go
 * out as the HTTP prelude of `awslambda.HttpResponseStream`, and its body (a string, bytes, a
 * Readable or an async iterable) follows as it is produced, never faster than the client reads.
 *
 * A handler that throws, or returns something that is not a response, is answered `500` with an
 * `errorId` (the error goes to the logger). A failure after the first byte (the body's stream
 * errors, the byte limit or the deadline is reached) is logged with an `errorId` and ends the
 * stream with the error, so the runtime reports it and the client sees the response cut short.
 *
 * Needs the runtime's `awslambda` global when called: call it at module load in Lambda; in unit
 * tests install the global first (`installStreamingGlobal()` of `@fleece/testing`).
 *
 * @throws TypeError naming the option when an option is invalid, or when the global is missing.
 */
export function streamingResponse<E, C extends StreamingContext>(
  handler: (event: E, context: C) => Promise<StreamingResult | unknown>,
  options: StreamingResponseOptions = {},
): (event: E, responseStream: ResponseStreamLike, context: C) => Promise<void> {
  const settings = validate(handler, options);
  const runtime = (globalThis as unknown as { awslambda?: Partial<AwsLambdaStreaming> }).awslambda;
  if (typeof runtime?.streamifyResponse !== 'function' || typeof runtime.HttpResponseStream?.from !== 'function') {
    throw new TypeError(
      '@fleece/api-overflow: streamingResponse needs the awslambda global of the Lambda Node.js runtime (awslambda.streamifyResponse); in unit tests call installStreamingGlobal() of @fleece/testing before wrapping',
    );
  }
  const { HttpResponseStream } = runtime as AwsLambdaStreaming;
  const logger = settings.logger;

  // Joins (or opens) the invocation scope, so retries and timeouts inside the handler share its deadline.
  const streaming = (event: E, responseStream: ResponseStreamLike, context: C): Promise<void> => joinInvocation(event, context, () => respond(event, responseStream, context));
  const respond = async (event: E, responseStream: ResponseStreamLike, context: C): Promise<void> => {
    let parts: { prelude: Record<string, unknown>; body: AsyncIterable<unknown> };
    try {
      parts = partsOf(await handler(event, context));
    } catch (error) {
      const errorId = randomUUID();
      logger.error('streaming handler failed before its first byte', { errorId, error, lambdaRequestId: context?.awsRequestId });
      parts = partsOf({ statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: '500: Internal Server Error', errorId }) });
    }
    const stream = HttpResponseStream.from(responseStream, parts.prelude);
    try {
      // An empty first write sends the prelude now: the client has status and headers before the body.
      stream.write(new Uint8Array(0));
      await pump(parts.body, stream, { maxBytes: settings.maxBytes, remainingMs: () => context.getRemainingTimeInMillis() - settings.marginMs });
    } catch (error) {
      const errorId = randomUUID();
      logger.error('streamed response failed after its first byte; the response was cut short', { errorId, error, lambdaRequestId: context?.awsRequestId });
      // Rethrown so the runtime ends the stream with its error trailers: the client sees a cut, not a clean end.
      throw error;
    }
  };
  const options_ = settings.highWaterMark === undefined ? undefined : { highWaterMark: settings.highWaterMark };
  return (runtime as AwsLambdaStreaming).streamifyResponse(streaming as never, options_) as typeof streaming;
}

/** The prelude and the body of a handler's result; throws for a result that is not a response. */
function partsOf(result: unknown): { prelude: Record<string, unknown>; body: AsyncIterable<unknown> } {
  if (isStreamSource(result)) return { prelude: { statusCode: 200, headers: { 'content-type': 'application/octet-stream' } }, body: result };
  if (!result || typeof result !== 'object' || !('statusCode' in result || isStreamSource((result as StreamingResult).body))) {
    // As HTTP APIs and Function URLs do with a bare value: JSON, status 200.
    return { prelude: { statusCode: 200, headers: { 'content-type': 'application/json' } }, body: chunksOf(JSON.stringify(result ?? null), false) };
  }
  const r = result as StreamingResult;
  const statusCode = r.statusCode ?? 200;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw new TypeError(`the handler returned statusCode ${JSON.stringify(statusCode)}, not an HTTP status`);
  const prelude: Record<string, unknown> = { statusCode };
  if (r.headers !== undefined) prelude['headers'] = stringMap(r.headers, 'headers');
  if (r.multiValueHeaders !== undefined) {
    prelude['multiValueHeaders'] = Object.fromEntries(Object.entries(r.multiValueHeaders).map(([k, v]) => {
      if (!Array.isArray(v)) throw new TypeError(`the handler returned multiValueHeaders.${k} that is not an array`);
      return [k, v.map(String)];
    }));
  }
  if (r.cookies !== undefined) {
    if (!Array.isArray(r.cookies) || r.cookies.some((c) => typeof c !== 'string')) throw new TypeError('the handler returned cookies that are not an array of strings');
    prelude['cookies'] = [...r.cookies];
  }
  const body = r.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array) && !isStreamSource(body)) {
    throw new TypeError(`the handler returned a ${typeof body} body; a streamed body is a string, bytes, a Readable or an async iterable`);
  }
  return { prelude, body: chunksOf(body, r.isBase64Encoded === true) };
}

function stringMap(values: Record<string, unknown>, name: string): Record<string, string> {
  if (typeof values !== 'object' || values === null) throw new TypeError(`the handler returned ${name} that are not an object`);
  // Built with entries, so names like __proto__ are ordinary header names.
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

interface Settings {
  maxBytes: number;
  marginMs: number;
  highWaterMark: number | undefined;
  logger: StreamingLogger;
}

function validate(handler: unknown, options: StreamingResponseOptions): Settings {
  if (typeof handler !== 'function') throw new TypeError(`@fleece/api-overflow: streamingResponse needs a handler function, got ${typeof handler}`);
  if (!options || typeof options !== 'object') throw new TypeError('@fleece/api-overflow: streamingResponse options must be an object');
  const maxBytes = options.maxBytes ?? STREAMING_RESPONSE_LIMIT_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 0 || maxBytes > STREAMING_RESPONSE_LIMIT_BYTES) {
    throw new TypeError(`@fleece/api-overflow: option "maxBytes" must be an integer from 0 to ${STREAMING_RESPONSE_LIMIT_BYTES}, got ${maxBytes}`);
  }
  const marginMs = options.marginMs ?? 1000;
  if (typeof marginMs !== 'number' || !Number.isFinite(marginMs) || marginMs < 0) throw new TypeError(`@fleece/api-overflow: option "marginMs" must be a number of milliseconds >= 0, got ${marginMs}`);
  const { highWaterMark } = options;
  if (highWaterMark !== undefined && !(Number.isInteger(highWaterMark) && highWaterMark > 0)) {
    throw new TypeError(`@fleece/api-overflow: option "highWaterMark" must be a positive integer of bytes, got ${highWaterMark}`);
  }
  const logger = options.logger ?? console;
  if (typeof logger?.error !== 'function') throw new TypeError('@fleece/api-overflow: option "logger" must have an error function');
  return { maxBytes, marginMs, highWaterMark, logger };
}
