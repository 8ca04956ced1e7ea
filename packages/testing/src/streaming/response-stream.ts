import type { PassThrough } from 'node:stream';
import { Writable } from 'node:stream';

/** The content type that tells Lambda a streamed response starts with an HTTP prelude. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The runtime's separator between the JSON prelude and the body: eight NUL bytes. */
export const PRELUDE_DELIMITER_BYTES = 8;
/** What a streamed response is sent as when nobody sets a content type (the runtime's default). */
export const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';

/** The hook `HttpResponseStream.from` installs; the runtime calls it on the first `write()`. */
export type BeforeFirstWrite = (write: (chunk: string | Uint8Array) => void) => void;

/** Raised when the client side of an emulated stream went away while the handler was writing. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
  constructor() {
    super('the client closed the response stream');
  }
}

/**
 * The `responseStream` a streaming handler is given, as the Node.js runtime builds it: a Writable
 * whose bytes go to the client (here: to `sink`, a PassThrough the test or server reads), with
 * `setContentType` (refused once bytes were written) and the `_onBeforeFirstWrite` hook that
 * `HttpResponseStream.from` uses to put the prelude in front. Backpressure is real: a write waits
 * until the client side has read the previous bytes, so `write()` returns `false` to a fast handler.
 */
export class EmulatedResponseStream extends Writable {
  /** The hook run once, just before the first `write()`; `HttpResponseStream.from` sets it. */
  _onBeforeFirstWrite: BeforeFirstWrite | undefined;
  #contentType = DEFAULT_STREAM_CONTENT_TYPE;
  #written = false;
  readonly #sink: PassThrough;

  constructor(sink: PassThrough, highWaterMark?: number) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.#sink = sink;
  }

  /** The content type the runtime would send to Lambda. */
  get contentType(): string {
    return this.#contentType;
  }

  /** Whether any byte was written (after which the content type is fixed). */
  get started(): boolean {
    return this.#written;
  }

  /** Sets the content type; like the runtime, refuses once a write happened. */
  setContentType(contentType: string): void {
    if (this.#written) throw new Error('Cannot set content-type, too late.');
    this.#contentType = contentType;
  }

  // Like the runtime's: the hook runs on the first write() call, and non-byte chunks are sent as JSON.
  // end(chunk) does not pass through here, as in the runtime, so a handler that only calls end(body)
  // loses its prelude there too: the emulation lets a test catch that.
  override write(chunk: unknown, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (!this.#written) {
      this.#written = true;
      this._onBeforeFirstWrite?.((early) => super.write(early));
    }
    return super.write(data, encoding as BufferEncoding, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#written = true;
    const sink = this.#sink;
    if (sink.destroyed) return callback(new ClientGoneError());
    if (sink.write(chunk)) return callback();
    const settle = (error?: Error) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      callback(error);
    };
    const onDrain = () => settle();
    const onClose = () => settle(new ClientGoneError());
    sink.on('drain', onDrain);
    sink.on('close', onClose);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#sink.end();
    callback();
  }
}

/**
 * `awslambda.HttpResponseStream` as the runtime exposes it: `from(stream, prelude)` sets the HTTP
 * integration content type and writes `JSON.stringify(prelude)` then eight NUL bytes before the
 * first body byte. JSON never holds a raw NUL, so the first NUL ends the prelude.
 */
export class HttpResponseStream {
  /** Prepends the prelude to `stream` and returns the same stream. */
  static from<S extends { setContentType(type: string): void; _onBeforeFirstWrite?: BeforeFirstWrite }>(stream: S, prelude: Record<string, unknown>): S {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const json = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  }
}
