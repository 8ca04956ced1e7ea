import { Readable } from 'node:stream';
import type { StreamingInvocation } from './streaming-global.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, PRELUDE_DELIMITER_BYTES } from './response-stream.js';

/** What an HTTP client receives from a streamed Function URL or REST API response. */
export interface StreamedHttpResponse {
  statusCode: number;
  /** Header names lower-cased; a map without a prototype. */
  headers: Record<string, string>;
  /** `Set-Cookie` values, from the prelude's `cookies` (and any `set-cookie` header). */
  cookies: string[];
  /** The body bytes, read on demand (backpressure reaches the handler). */
  body: Readable;
}

/**
 * What {@link readStreamedResponse} reads: a {@link StreamingInvocation}, or the same three parts
 * carried elsewhere (a server that runs the handler in a worker thread and relays its bytes).
 */
export type StreamedBytes = Pick<StreamingInvocation, 'raw' | 'done'> & { responseStream: { readonly contentType: string } };

/** Thrown when a streamed response's prelude is not what Lambda's front doors accept. */
export class MalformedPreludeError extends Error {
  override readonly name = 'MalformedPreludeError';
}

// A prelude larger than this without its delimiter is a handler bug, not a slow writer.
const MAX_PRELUDE_BYTES = 1024 * 1024;

/**
 * Reads a streaming invocation as the client of a Function URL (InvokeMode RESPONSE_STREAM) or of a
 * REST API (responseTransferMode STREAM) would see it: with the HTTP integration content type, the
 * JSON prelude up to the first NUL gives status, headers and cookies, the eight NUL bytes are
 * dropped, and the rest is the body; without it, status 200 with the stream's content type. A
 * function that fails before its first byte is a `502`, as the front door answers.
 */
export async function readStreamedResponse(invocation: StreamedBytes): Promise<StreamedHttpResponse> {
  const iterator = invocation.raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done && (await invocation.done).error) {
    // Nothing was sent before the function failed: the front door answers for it.
    return { statusCode: 502, headers: headersOf({ 'content-type': 'application/json' }), cookies: [], body: Readable.from([Buffer.from('{"message":"Internal Server Error"}')]) };
  }
  const contentType = invocation.responseStream.contentType;
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    return { statusCode: 200, headers: headersOf({ 'content-type': contentType }), cookies: [], body: rest(first.done ? [] : [first.value], iterator, invocation) };
  }
  let buffered = first.done ? Buffer.alloc(0) : first.value;
  let nul = buffered.indexOf(0);
  while (nul < 0 || buffered.length < nul + PRELUDE_DELIMITER_BYTES) {
    if (buffered.length > MAX_PRELUDE_BYTES) throw new MalformedPreludeError(`no prelude delimiter in the first ${MAX_PRELUDE_BYTES} bytes`);
    const next = await iterator.next();
    if (next.done) throw new MalformedPreludeError('the stream ended before the prelude delimiter (eight NUL bytes)');
    buffered = Buffer.concat([buffered, next.value]);
    nul = buffered.indexOf(0);
  }
  if (buffered.subarray(nul, nul + PRELUDE_DELIMITER_BYTES).some((byte) => byte !== 0)) {
    throw new MalformedPreludeError('the prelude is not followed by eight NUL bytes');
  }
  const prelude = parsePrelude(buffered.subarray(0, nul).toString('utf8'));
  return { ...prelude, body: rest([buffered.subarray(nul + PRELUDE_DELIMITER_BYTES)], iterator, invocation) };
}

function parsePrelude(json: string): Omit<StreamedHttpResponse, 'body'> {
  let prelude: unknown;
  try {
    prelude = JSON.parse(json);
  } catch (error) {
    throw new MalformedPreludeError(`the prelude is not JSON: ${(error as Error).message}`);
  }
  if (!prelude || typeof prelude !== 'object' || Array.isArray(prelude)) throw new MalformedPreludeError('the prelude is not a JSON object');
  const { statusCode = 200, headers = {}, multiValueHeaders = {}, cookies = [] } = prelude as Record<string, unknown>;
  if (!Number.isInteger(statusCode) || (statusCode as number) < 100 || (statusCode as number) > 599) throw new MalformedPreludeError(`the prelude's statusCode is not an HTTP status: ${JSON.stringify(statusCode)}`);
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== 'string')) throw new MalformedPreludeError('the prelude\'s cookies are not an array of strings');
  const out = headersOf({});
  const setCookies = [...(cookies as string[])];
  for (const [name, values] of Object.entries(multiValueHeaders as Record<string, unknown>)) {
    if (Array.isArray(values)) add(out, setCookies, name, values.map(String));
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) add(out, setCookies, name, [String(value)]);
  return { statusCode: statusCode as number, headers: out, cookies: setCookies };
}

function add(headers: Record<string, string>, cookies: string[], name: string, values: string[]): void {
  const lower = name.toLowerCase();
  if (lower === 'set-cookie') cookies.push(...values);
  else headers[lower] = values.join(', ');
}

function headersOf(values: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, values);
}

function rest(head: Buffer[], iterator: AsyncIterator<Buffer>, invocation: StreamedBytes): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const chunk of head) if (chunk.length > 0) yield chunk;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    const { error } = await invocation.done;
    if (error) throw new Error(`the response was cut short: the function failed with ${error.errorType}: ${error.errorMessage}`);
  }
  const body = Readable.from(chunks(), { objectMode: false });
  // Reading no further (a client that hung up) releases the handler's stream too.
  body.once('close', () => void iterator.return?.());
  return body;
}
