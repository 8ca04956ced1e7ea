import { request } from 'node:http';
import { Readable } from 'node:stream';
import {
  awslambda,
  functionUrlEvent,
  HTTP_INTEGRATION_CONTENT_TYPE,
  installStreamingGlobal,
  invokeStreaming,
  lambdaContext,
  MalformedPreludeError,
  readStreamedResponse,
  startStreamingFunctionUrl,
  type EmulatedResponseStream,
} from '../src/index.js';

const text = async (body: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('the awslambda streaming global', () => {
  it('installs as the runtime does and restores what was there', () => {
    const holder = globalThis as { awslambda?: unknown };
    expect(holder.awslambda).toBeUndefined();
    const restore = installStreamingGlobal();
    expect(holder.awslambda).toBe(awslambda);
    restore();
    expect('awslambda' in holder).toBe(false);
    holder.awslambda = 'mine';
    installStreamingGlobal()();
    expect(holder.awslambda).toBe('mine');
    delete holder.awslambda;
  });

  it('sends the JSON prelude, then exactly eight NUL bytes, then the body, with the integration content type', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, stream: EmulatedResponseStream) => {
      const http = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1; Secure'] });
      http.write('hello ');
      http.write(Buffer.from('world'));
      http.end();
    });
    const invocation = invokeStreaming(handler, {});
    const bytes = Buffer.from(await text(invocation.raw), 'utf8');
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1; Secure'] });
    expect(invocation.responseStream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(bytes.subarray(0, prelude.length).toString()).toBe(prelude);
    expect([...bytes.subarray(prelude.length, prelude.length + 8)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytes.subarray(prelude.length + 8).toString()).toBe('hello world');
    expect(await invocation.done).toEqual({});
  });

  it('reads what the client receives: status, lower-cased headers, cookies, body', async () => {
    const handler = awslambda.streamifyResponse(async (_event: unknown, stream: EmulatedResponseStream) => {
      const http = awslambda.HttpResponseStream.from(stream, { statusCode: 418, headers: JSON.parse('{"X-Teapot":"yes","__proto__":"p"}'), multiValueHeaders: { Vary: ['a', 'b'], 'Set-Cookie': ['m=1'] }, cookies: ['c=2'] });
      http.write('');
      http.end();
    });
    const response = await readStreamedResponse(invokeStreaming(handler, {}));
    expect(response.statusCode).toBe(418);
    expect(response.headers['x-teapot']).toBe('yes');
    expect(response.headers['__proto__']).toBe('p');
    expect(response.headers['vary']).toBe('a, b');
    expect(response.cookies).toEqual(['c=2', 'm=1']);
    expect(await text(response.body)).toBe('');
  });

  it('sends a plain stream (no prelude) as 200 with its content type', async () => {
    const handler = awslambda.streamifyResponse(async (_e: unknown, stream: EmulatedResponseStream) => {
      stream.setContentType('text/csv');
      stream.write('a,b\n');
      stream.end();
      expect(() => stream.setContentType('text/html')).toThrow(/too late/);
    });
    const response = await readStreamedResponse(invokeStreaming(handler, {}));
    expect(response).toMatchObject({ statusCode: 200, cookies: [] });
    expect(response.headers['content-type']).toBe('text/csv');
    expect(await text(response.body)).toBe('a,b\n');
  });

  it('loses the prelude when a handler only calls end(body), as the runtime does', async () => {
    const handler = awslambda.streamifyResponse(async (_e: unknown, stream: EmulatedResponseStream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 200 }).end('body');
    });
    await expect(readStreamedResponse(invokeStreaming(handler, {}))).rejects.toThrow(MalformedPreludeError);
  });

  it('applies backpressure: write() returns false until the client reads', async () => {
    let refusedAfter = -1;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const handler = awslambda.streamifyResponse(async (_e: unknown, stream: EmulatedResponseStream) => {
      const http = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      for (let i = 0; i < 1000; i++) {
        if (!http.write(Buffer.alloc(1024, 1))) {
          refusedAfter = i;
          break;
        }
      }
      release();
      http.end();
    }, { highWaterMark: 8192 });
    const invocation = invokeStreaming(handler, {});
    await released;
    expect(refusedAfter).toBeGreaterThanOrEqual(0);
    expect(refusedAfter).toBeLessThan(64);
    const response = await readStreamedResponse(invocation);
    expect((await text(response.body)).length).toBe((refusedAfter + 1) * 1024);
  });

  it('answers 502 when the handler fails before its first byte, and reports the error as the trailers would', async () => {
    const handler = awslambda.streamifyResponse(async () => {
      throw new RangeError('boom');
    });
    const invocation = invokeStreaming(handler, {});
    expect((await readStreamedResponse(invocation)).statusCode).toBe(502);
    expect(await invocation.done).toEqual({ error: { errorType: 'RangeError', errorMessage: 'boom' } });
  });

  it('cuts the body short when the handler fails after its first byte', async () => {
    const handler = awslambda.streamifyResponse(async (_e: unknown, stream: EmulatedResponseStream) => {
      const http = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
      http.write('partial');
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('late');
    });
    const response = await readStreamedResponse(invokeStreaming(handler, {}));
    expect(response.statusCode).toBe(200);
    await expect(text(response.body)).rejects.toThrow(/late/);
  });

  it('refuses handlers that were not streamified, and non-async ones as the runtime does', async () => {
    expect(() => invokeStreaming((async () => {}) as never, {})).toThrow(/streamifyResponse/);
    const sync = awslambda.streamifyResponse((() => undefined) as never);
    expect((await invokeStreaming(sync, {}).done).error?.errorMessage).toMatch(/non-async/);
    expect(() => awslambda.streamifyResponse(async () => {}, { highWaterMark: -1 })).toThrow(/"highWaterMark"/);
  });

  it('times out a handler that never ends its stream', async () => {
    const handler = awslambda.streamifyResponse(async (_e: unknown, stream: EmulatedResponseStream) => {
      stream.write('x');
    });
    const outcome = await invokeStreaming(handler, {}, { context: lambdaContext({ timeoutMs: 50 }) }).done;
    expect(outcome.error?.errorType).toBe('Sandbox.Timedout');
  });

  it('serves 50 MB over a streaming Function URL on 127.0.0.1 with bounded memory', async () => {
    const MB = 1024 * 1024;
    let written = 0;
    let received = 0;
    let inFlightPeak = 0;
    const handler = awslambda.streamifyResponse(async (event: ReturnType<typeof functionUrlEvent>, stream: EmulatedResponseStream) => {
      const http = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'application/octet-stream', 'x-path': event.rawPath }, cookies: ['s=1'] });
      const source = Readable.from((function* () {
        for (let i = 0; i < 50 * 16; i++) yield Buffer.alloc(64 * 1024, i % 251);
      })());
      for await (const chunk of source) {
        written += chunk.length;
        inFlightPeak = Math.max(inFlightPeak, written - received);
        if (!http.write(chunk)) await new Promise((resolve) => http.once('drain', resolve));
      }
      http.end();
    });
    const server = await startStreamingFunctionUrl(handler);
    try {
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const response = await new Promise<{ status: number; headers: Record<string, unknown>; bytes: number; chunked: boolean }>((resolve, reject) => {
        request(`${server.url}/big?x=1`, (res) => {
          res.on('data', (chunk: Buffer) => (received += chunk.length));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, bytes: received, chunked: res.headers['transfer-encoding'] === 'chunked' }));
          res.on('error', reject);
        }).end();
      });
      clearInterval(sampler);
      expect(response).toMatchObject({ status: 200, bytes: 50 * MB, chunked: true });
      expect(response.headers['x-path']).toBe('/big');
      expect(response.headers['set-cookie']).toEqual(['s=1']);
      expect(await server.outcomes[0]).toEqual({});
      const growth = (peak - baseline) / MB;
      process.stdout.write(`streamed 50 MB; peak RSS ${(peak / MB).toFixed(1)} MB (growth ${growth.toFixed(1)} MB, most of it garbage not yet collected); at most ${(inFlightPeak / MB).toFixed(2)} MB written but not yet received\n`);
      // Backpressure bounds what is held between handler and client (the socket and stream buffers),
      // whatever the body's size; buffering the body anywhere would hold all 50 MB.
      expect(inFlightPeak).toBeLessThan(8 * MB);
      expect(growth).toBeLessThan(100);
    } finally {
      await server.close();
    }
  });
});
