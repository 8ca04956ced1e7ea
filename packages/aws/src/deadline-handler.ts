import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler, RequestHandlerOutput } from '@smithy/types';
import { AwsDeadlineError } from './deadline-error.js';

/** The request handler of an SDK client, with the optional configuration hooks SDK clients call. */
export type SdkRequestHandler = RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions> & {
  updateHttpClientConfig?(key: never, value: never): void;
  httpHandlerConfigs?(): object;
};

const MAX_TIMER_MS = 2 ** 31 - 1;

const nothing = (): void => undefined;


/** The SDK's deprecated signal shape, which its Node handlers still accept: cheap to make. */
class PlainAbortController {
  readonly signal: LegacySignal = { aborted: false, reason: undefined, onabort: null };

  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.signal.aborted = true;
    this.signal.reason = reason;
    this.signal.onabort?.call(this.signal, undefined as never);
  }
}

type LegacySignal = { aborted: boolean; reason?: unknown; onabort: ((this: unknown, ev: never) => unknown) | null };
type AnySignal = NonNullable<HttpHandlerOptions['abortSignal']>;

/**
 * Wraps a client's request handler so that every request stops at the invocation deadline:
 * the configured connect and read timeouts still apply, and a timer aborts the request (or the
 * response body still being read) when the time left runs out. The time left is read per
 * request, because one client made at module load serves many invocations.
 */
export class DeadlineRequestHandler implements SdkRequestHandler {
  constructor(
    /** The handler that does the work. */
    readonly inner: SdkRequestHandler,
    private readonly remaining: () => number,
    /**
     * Whether `inner` is one of the SDK's own Node handlers (HTTP/1.1 or HTTP/2), which accept the
     * SDK's plain `{ aborted, onabort }` signal. A platform AbortSignal costs about 25 µs per
     * request to make and collect; other handlers (fetch, say) may need a real one.
     */
    readonly plainSignal = false,
  ) {}

  get metadata(): SdkRequestHandler['metadata'] {
    return this.inner.metadata;
  }

  destroy(): void {
    this.inner.destroy?.();
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.inner.updateHttpClientConfig?.(key, value);
  }

  httpHandlerConfigs(): object {
    return this.inner.httpHandlerConfigs?.() ?? {};
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<RequestHandlerOutput<HttpResponse>> {
    const left = this.remaining();
    // Beyond what a timer can hold (about 24.8 days) there is nothing to bound.
    if (left > MAX_TIMER_MS) return this.inner.handle(request, options);
    if (left <= 0) {
      throw new AwsDeadlineError({ remainingMs: left, detail: 'no time was left to send the request' });
    }

    const controller = this.plainSignal ? new PlainAbortController() : new AbortController();
    const outer = options.abortSignal;
    const unlink = outer ? link(outer, controller) : nothing;
    let fired = false;
    let body: { destroy?: (error?: Error) => void; once?: (event: string, fn: () => void) => void } | undefined;
    const cutOff = { remainingMs: 0, detail: `the deadline arrived ${Math.round(left)} ms into the request` };
    let timer: ReturnType<typeof setTimeout>;
    const arm = (ms: number): void => {
      timer = setTimeout(onTimer, Math.max(1, Math.ceil(ms)));
      // The deadline must not keep a finished process alive.
      timer.unref?.();
    };
    const onTimer = (): void => {
      // Timers may fire a little early, and a deadline function may disagree with Date.now().
      const rest = this.remaining();
      if (rest > 0) return arm(rest);
      fired = true;
      unlink();
      if (body?.destroy) body.destroy(new AwsDeadlineError(cutOff));
      else controller.abort(new Error('invocation deadline reached'));
    };
    arm(left);
    const done = (): void => {
      clearTimeout(timer);
      unlink();
    };

    try {
      const output = await this.inner.handle(request, { ...options, abortSignal: controller.signal as AnySignal });
      const streamed = output.response.body as typeof body;
      if (streamed && typeof streamed.once === 'function' && typeof streamed.destroy === 'function') {
        // The body is read after the handler returns; the deadline still bounds it.
        body = streamed;
        streamed.once('close', done);
      } else {
        done();
      }
      return output;
    } catch (error) {
      done();
      if (fired) throw new AwsDeadlineError({ ...cutOff, cause: error });
      throw error;
    }
  }
}

/** Makes `controller` abort when the caller's signal does; returns the undo. */
function link(outer: AnySignal, controller: { abort(reason?: unknown): void }): () => void {
  const forward = (): void => controller.abort((outer as { reason?: unknown }).reason);
  if (outer.aborted) {
    forward();
    return nothing;
  }
  if (typeof (outer as AbortSignal).addEventListener === 'function') {
    (outer as AbortSignal).addEventListener('abort', forward, { once: true });
    return () => (outer as AbortSignal).removeEventListener('abort', forward);
  }
  // The SDK's deprecated signal shape has only `onabort`: chain onto it and restore it after.
  const legacy = outer as unknown as LegacySignal;
  const previous = legacy.onabort;
  const chained = function (this: unknown, ev: never): void {
    previous?.call(this, ev);
    forward();
  };
  legacy.onabort = chained;
  return () => {
    if (legacy.onabort === chained) legacy.onabort = previous;
  };
}
