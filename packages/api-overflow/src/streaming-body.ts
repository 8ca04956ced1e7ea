import { Readable } from 'node:stream';

/** A streamed body: text, bytes, a Readable, or any async iterable of text or byte chunks. */
export type StreamingBody = string | Uint8Array | Readable | AsyncIterable<string | Uint8Array>;

/** The few members of Lambda's response stream that streaming uses; a Node.js Writable has them. */
export interface ResponseStreamLike {
  write(chunk: Uint8Array): boolean;
  end(): void;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly writableFinished?: boolean;
}

/** Thrown when a streamed response cannot go on: too large, out of time, or the stream closed. */
export class StreamingError extends Error {
  override readonly name = 'StreamingError';
}

/** Whether `value` is something chunks can be read from, one at a time. */
export function isStreamSource(value: unknown): value is Readable | AsyncIterable<string | Uint8Array> {
  return value instanceof Readable || (typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function');
}

/** The body as chunks to send: whole text and bytes as one chunk, streams as they come. */
export function chunksOf(body: StreamingBody | null | undefined, isBase64Encoded: boolean): AsyncIterable<unknown> {
  if (body === undefined || body === null) return Readable.from([]);
  if (typeof body === 'string') return Readable.from([Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([body]);
  return body;
}

/** What a chunk is as bytes; text is UTF-8. Anything else is the handler's mistake, named. */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new StreamingError(`the body yielded a ${chunk === null ? 'null' : typeof chunk} chunk; only strings and bytes can be streamed`);
}

/** Limits of one streamed response. */
export interface PumpLimits {
  /** Most body bytes to send. */
  maxBytes: number;
  /** ms left before the stream must have ended; streaming stops with an error at 0. */
  remainingMs: () => number;
}

/**
 * Copies `source` into `stream`, waiting for `drain` whenever a write is refused, so a fast
 * producer never runs ahead of the client by more than the stream's buffers. Stops (and releases
 * the source) at the byte limit, at the deadline, or when the stream closes; resolves once the
 * stream has finished.
 */
export async function pump(source: AsyncIterable<unknown>, stream: ResponseStreamLike, limits: PumpLimits): Promise<number> {
  const iterator = source[Symbol.asyncIterator]();
  // One timer for the whole response; it rejects whichever wait is current. (Racing every wait
  // against one long-lived promise instead would keep every chunk reachable until the end.)
  let outOfTime: StreamingError | undefined;
  let rejectWait: ((error: unknown) => void) | undefined;
  const timer = setTimeout(() => {
    outOfTime = new StreamingError('the invocation ran out of time while streaming; the response was cut short');
    rejectWait?.(outOfTime);
  }, Math.max(0, limits.remainingMs()));
  const timed = <T>(work: Promise<T>): Promise<T> => {
    if (outOfTime) return Promise.reject(outOfTime);
    return new Promise<T>((resolve, reject) => {
      rejectWait = reject;
      work.then(resolve, reject);
    });
  };
  let sent = 0;
  try {
    for (;;) {
      const next = await timed(iterator.next());
      if (next.done) break;
      const chunk = bytesOf(next.value);
      sent += chunk.length;
      if (sent > limits.maxBytes) throw new StreamingError(`the body passed the ${limits.maxBytes}-byte limit of a streamed response; the response was cut short`);
      if (!stream.write(chunk)) await timed(settled(stream, 'drain'));
    }
    stream.end();
    if (!stream.writableFinished) await timed(settled(stream, 'finish'));
    return sent;
  } catch (error) {
    // Not awaited: a generator stalled in its own await finishes return() only when it wakes.
    Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves on `event`; rejects if the stream errors or closes first. */
function settled(stream: ResponseStreamLike, event: 'drain' | 'finish'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.removeListener(event, onEvent);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onEvent = () => done();
    const onError = (error: unknown) => done(new StreamingError(`the response stream failed: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
    const onClose = () => done(new StreamingError('the response stream closed before the body was sent'));
    stream.once(event, onEvent);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
