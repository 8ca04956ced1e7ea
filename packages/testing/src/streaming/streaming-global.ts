import type { Context } from 'aws-lambda';
import { PassThrough, type Readable } from 'node:stream';
import { lambdaContext } from '../context.js';
import { invalid } from '../validate.js';
import { EmulatedResponseStream, HttpResponseStream } from './response-stream.js';

/** A handler in the runtime's streaming shape: it writes to `responseStream` and ends it. */
export type StreamingHandler<E = any> = (event: E, responseStream: EmulatedResponseStream, context: Context) => Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of `awslambda.streamifyResponse`, as the runtime accepts them. */
export interface StreamifyOptions {
  /** The response stream's high-water mark, bytes. */
  highWaterMark?: number;
}

/** The `awslambda` global of the Node.js runtime, as far as streaming goes. */
export interface AwsLambdaGlobal {
  streamifyResponse<H extends StreamingHandler>(handler: H, options?: StreamifyOptions): H;
  HttpResponseStream: typeof HttpResponseStream;
}

// The runtime marks a streamified handler on the function itself; so do we, under our own symbol.
const STREAMING = Symbol.for('@fleece/testing.streamifyResponse');

interface Marked {
  [STREAMING]?: StreamifyOptions;
}

/** The emulated `awslambda` global: `streamifyResponse` marks a handler, as the runtime's does. */
export const awslambda: AwsLambdaGlobal = {
  streamifyResponse(handler, options = {}) {
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    if (options.highWaterMark !== undefined && !(Number.isInteger(options.highWaterMark) && options.highWaterMark > 0)) {
      invalid('highWaterMark', 'a positive integer of bytes', options.highWaterMark);
    }
    (handler as Marked)[STREAMING] = { ...options };
    return handler;
  },
  HttpResponseStream,
};

/** Whether `handler` went through `awslambda.streamifyResponse` (the runtime streams only those). */
export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && (handler as Marked)[STREAMING] !== undefined;
}

/**
 * Installs the emulated `awslambda` global (as the Lambda runtime does before loading a handler
 * module) and returns a function that puts back what was there. Install it before the module that
 * calls `awslambda.streamifyResponse` is loaded: in a jest `setupFiles` entry, or before a dynamic
 * `import()` of the handler.
 */
export function installStreamingGlobal(): () => void {
  const holder = globalThis as { awslambda?: unknown };
  const had = Object.prototype.hasOwnProperty.call(holder, 'awslambda');
  const before = holder.awslambda;
  holder.awslambda = awslambda;
  return () => {
    if (had) holder.awslambda = before;
    else delete holder.awslambda;
  };
}

/** How a streaming invocation ended, as the runtime reports it in its error trailers. */
export interface StreamingOutcome {
  /** Present when the handler threw or rejected (after or before its first byte). */
  error?: { errorType: string; errorMessage: string };
}

/** One streaming invocation in flight. */
export interface StreamingInvocation {
  /**
   * The bytes the runtime sends to Lambda, as it sends them: prelude, delimiter, body. It ends
   * normally even when the handler fails; `done` tells whether it was cut short.
   */
  raw: Readable;
  /** The stream handed to the handler (its `contentType` is what the runtime would send). */
  responseStream: EmulatedResponseStream;
  /** Settles when the handler is done and the stream ended; never rejects. */
  done: Promise<StreamingOutcome>;
}

/** Options of {@link invokeStreaming}. */
export interface InvokeStreamingOptions {
  /** The context; default `lambdaContext()`. */
  context?: Context;
}

/**
 * Runs a streamified handler the way the Node.js runtime does: hands it an emulated response
 * stream, awaits it, and waits for the stream to end. The bytes come out of `raw` as the client's
 * front door would receive them from Lambda; read them with `readStreamedResponse` to get what an
 * HTTP client sees. A handler that rejects ends `raw` after what it wrote, and `done` carries the
 * error as the runtime's trailers would (a client sees the response cut short).
 */
export function invokeStreaming<E>(handler: StreamingHandler<E>, event: E, options: InvokeStreamingOptions = {}): StreamingInvocation {
  if (!isStreamingHandler(handler)) {
    throw new TypeError('@fleece/testing: the handler was not wrapped with awslambda.streamifyResponse, so Lambda would not stream it');
  }
  const { highWaterMark } = (handler as Marked)[STREAMING] ?? {};
  const raw = new PassThrough(highWaterMark === undefined ? {} : { highWaterMark });
  const responseStream = new EmulatedResponseStream(raw, highWaterMark);
  const context = options.context ?? lambdaContext();
  const done = run(handler, event, responseStream, context).then(
    (): StreamingOutcome => ({}),
    (error: unknown): StreamingOutcome => {
      // What was written before the failure still reaches the client; then the response stops.
      // readStreamedResponse turns this end into an error, as a client sees a cut connection.
      responseStream.destroy();
      raw.end();
      return { error: { errorType: error instanceof Error ? error.name : typeof error, errorMessage: error instanceof Error ? error.message : String(error) } };
    },
  );
  return { raw, responseStream, done };
}

async function run<E>(handler: StreamingHandler<E>, event: E, stream: EmulatedResponseStream, context: Context): Promise<void> {
  const result = handler(event, stream, context) as unknown;
  if (typeof (result as Promise<unknown> | undefined)?.then !== 'function') throw new Error('Streaming does not support non-async handlers.');
  await result;
  if (stream.writableFinished) return;
  // Like the runtime, the invocation is over only once the stream has ended, or at the timeout.
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('Task timed out: the handler returned without ending its response stream'), { name: 'Sandbox.Timedout' })), Math.max(0, context.getRemainingTimeInMillis()));
    stream.once('finish', resolve);
    stream.once('error', reject);
    stream.once('close', () => (stream.writableFinished ? resolve() : reject(new Error('Response stream is not finished.'))));
  }).finally(() => clearTimeout(timer));
}
