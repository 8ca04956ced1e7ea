import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandlerOutput } from '@smithy/types';
import { AwsDeadlineError } from '../src/index.js';
import { DeadlineRequestHandler, type SdkRequestHandler } from '../src/deadline-handler.js';

const request = { method: 'GET', protocol: 'http:', hostname: 'h', path: '/', headers: {} } as HttpRequest;
const response = (body?: unknown): RequestHandlerOutput<HttpResponse> => ({ response: { statusCode: 200, headers: {}, body } });

/** An inner handler that answers when its promise is resolved, or fails when its signal aborts. */
function pendingHandler() {
  const seen: HttpHandlerOptions[] = [];
  let answer: (output: RequestHandlerOutput<HttpResponse>) => void = () => {};
  const handler: SdkRequestHandler = {
    metadata: { handlerProtocol: 'h9' },
    handle: (_request, options = {}) => {
      seen.push(options);
      return new Promise((resolve, reject) => {
        answer = resolve;
        const signal = options.abortSignal as AbortSignal | undefined;
        if (signal?.aborted) reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
      });
    },
  };
  return { handler, seen, answer: (output: RequestHandlerOutput<HttpResponse>) => answer(output) };
}

describe('DeadlineRequestHandler', () => {
  it('delegates the handler hooks the SDK calls', () => {
    const calls: unknown[] = [];
    const inner: SdkRequestHandler = {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async () => response(),
      destroy: () => calls.push('destroy'),
      updateHttpClientConfig: (key: never, value: never) => calls.push([key, value]),
      httpHandlerConfigs: () => ({ socketTimeout: 1 }),
    };
    const wrapped = new DeadlineRequestHandler(inner, () => Infinity);
    expect(wrapped.metadata).toEqual({ handlerProtocol: 'http/1.1' });
    wrapped.destroy();
    wrapped.updateHttpClientConfig('socketTimeout' as never, 5 as never);
    expect(calls).toEqual(['destroy', ['socketTimeout', 5]]);
    expect(wrapped.httpHandlerConfigs()).toEqual({ socketTimeout: 1 });
    const bare = new DeadlineRequestHandler({ handle: async () => response() }, () => Infinity);
    expect(bare.httpHandlerConfigs()).toEqual({});
    expect(() => bare.destroy()).not.toThrow();
    expect(() => bare.updateHttpClientConfig('x' as never, 1 as never)).not.toThrow();
  });

  it('passes requests straight through without a deadline', async () => {
    const options = { requestTimeout: 5 };
    let given: HttpHandlerOptions | undefined;
    const wrapped = new DeadlineRequestHandler({ handle: async (_r, o) => ((given = o), response('x')) }, () => Infinity);
    await wrapped.handle(request, options);
    expect(given).toBe(options);
  });

  it('refuses to send once no time is left', async () => {
    const { handler, seen } = pendingHandler();
    const wrapped = new DeadlineRequestHandler(handler, () => 0);
    await expect(wrapped.handle(request)).rejects.toThrow(AwsDeadlineError);
    expect(seen).toHaveLength(0);
  });

  it('clears its timer when a plain body has arrived', async () => {
    const { handler, answer } = pendingHandler();
    const wrapped = new DeadlineRequestHandler(handler, () => 50);
    const pending = wrapped.handle(request);
    answer(response(new Uint8Array([1])));
    await expect(pending).resolves.toBeDefined();
    // Had the timer survived, it would abort nothing now; the point is that it never fires.
    await new Promise((resolve) => setTimeout(resolve, 80));
  });

  it("forwards the caller's abort, also through the SDK's legacy onabort signal", async () => {
    const { handler } = pendingHandler();
    const wrapped = new DeadlineRequestHandler(handler, () => 10_000);
    const previous: string[] = [];
    const original = () => previous.push('previous');
    const legacy = { aborted: false, onabort: original } as { aborted: boolean; onabort: () => void };
    const pending = wrapped.handle(request, { abortSignal: legacy as never });
    legacy.aborted = true;
    legacy.onabort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(previous).toEqual(['previous']);
    // The caller's handler is put back once the request settles.
    expect(legacy.onabort).toBe(original);
  });

  it('aborts at once when the caller already aborted', async () => {
    const { handler } = pendingHandler();
    const wrapped = new DeadlineRequestHandler(handler, () => 10_000);
    const controller = new AbortController();
    controller.abort();
    const pending = wrapped.handle(request, { abortSignal: controller.signal });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('passes an inner failure through unchanged when the deadline did not cause it', async () => {
    const failure = new Error('ECONNREFUSED');
    const wrapped = new DeadlineRequestHandler({ handle: async () => Promise.reject(failure) }, () => 10_000);
    await expect(wrapped.handle(request)).rejects.toBe(failure);
  });

  it('leaves unbounded a deadline beyond what a timer can hold', async () => {
    let given: HttpHandlerOptions | undefined;
    const options = {};
    const wrapped = new DeadlineRequestHandler({ handle: async (_r, o) => ((given = o), response()) }, () => 2 ** 32);
    await wrapped.handle(request, options);
    expect(given).toBe(options);
  });
});
