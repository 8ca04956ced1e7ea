import { AsyncLocalStorage } from 'node:async_hooks';

import { currentTraceId } from '@fleece/retry';

import type { BackendHooks, BackendLoader, TracingBackend } from './backend.js';
import { loadOtelBackend } from './backends/otel.js';
import { loadXraySdkBackend } from './backends/xray-sdk.js';
import { chooseBackend, checkBackendOption, type BackendName } from './choose-backend.js';
import { sanitizeName } from './names.js';
import { Span, TraceRoot } from './span.js';
import { parseTraceHeader } from './trace-header.js';

// The span a piece of code runs in travels with its async context: nesting stays right across
// awaits, and concurrent invocations of one container never see each other's spans. Only recorded
// spans enter it: untraced code never runs in a context of ours.
const storage = new AsyncLocalStorage<Span>();

/** A structural logger, as every fleece package accepts (`console` fits). */
export interface XrayLogger {
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
}

/** Where the tracing backend stands. */
export type BackendState = 'unloaded' | 'loading' | 'ready' | 'failed';

/** What tracing has done in this process, for health checks and tests. */
export interface TracingStatus {
  /** `unloaded` until the first recorded span: untraced containers never load a tracing library. */
  state: BackendState;
  /** The backend chosen, once the first recorded span chose it. */
  backend?: BackendName;
  /** Spans handed to the backend. */
  sent: number;
  /** Spans dropped: the backend failed to load, take or deliver them, or too many waited for it. */
  dropped: number;
  /** Why the backend failed, when it did. */
  lastError?: string;
}

// Spans that end while the backend is still loading wait here; the bound keeps a backend that
// never loads from holding memory.
const PENDING_LIMIT = 1000;

// Process-wide machinery, not per-invocation state: one backend per container, loaded once.
const LOADERS: Readonly<Record<BackendName, BackendLoader>> = { otel: loadOtelBackend, 'xray-sdk': loadXraySdkBackend };

const tracer = {
  /** Set by tests; otherwise the loader of the chosen backend. */
  loader: undefined as BackendLoader | undefined,
  choice: undefined as BackendName | undefined,
  chosen: undefined as BackendName | undefined,
  backend: undefined as TracingBackend | undefined,
  loading: undefined as Promise<void> | undefined,
  state: 'unloaded' as BackendState,
  pending: [] as Span[],
  sent: 0,
  dropped: 0,
  lastError: undefined as string | undefined,
  warnedSend: false,
  logger: console as XrayLogger,
  // The environment's header only changes between invocations; parse it once per value.
  lastHeader: undefined as string | undefined,
  lastRoot: undefined as TraceRoot | undefined,
  /** Bumped by resetTracer, so a load still under way from before is discarded. */
  generation: 0,
};

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// A logger of the user's that throws must not turn tracing into the thing that breaks a call.
function warn(message: string): void {
  try {
    tracer.logger.warn(message);
  } catch {
    // Nowhere left to say it; tracingStatus() still tells.
  }
}

function deliver(backend: TracingBackend, span: Span): void {
  try {
    backend.export(span);
    tracer.sent++;
  } catch (error) {
    // The promise is that tracing never gets in the way: count it, say it once.
    if (!tracer.warnedSend) warn(`@fleece/xray: the ${backend.name} backend failed to send a span: ${describe(error)}`);
    tracer.warnedSend = true;
    tracer.dropped++;
  }
}

// What a backend reports after taking spans; a backend of an earlier generation (replaced by
// resetTracer in tests) reports into nothing.
function hooksFor(generation: number): BackendHooks {
  return {
    dropped(count, error) {
      if (tracer.generation !== generation) return;
      tracer.dropped += count;
      if (!tracer.warnedSend) warn(`@fleece/xray: the ${tracer.backend?.name ?? 'tracing'} backend could not deliver ${count} span(s): ${describe(error)}`);
      tracer.warnedSend = true;
    },
  };
}

// The loader for this process: the test's, else the chosen backend's. Choosing can throw
// (FLEECE_TRACING with another value), which fails the load like a missing package would.
function pickLoader(): BackendLoader {
  if (tracer.loader !== undefined) return tracer.loader;
  return async (lent) => {
    const name = chooseBackend(tracer.choice);
    tracer.chosen = name;
    return LOADERS[name](lent);
  };
}

function ensureBackend(): Promise<void> {
  if (tracer.loading !== undefined) return tracer.loading;
  tracer.state = 'loading';
  const loader = pickLoader();
  const generation = tracer.generation;
  tracer.loading = (async () => {
    try {
      const backend = await loader(hooksFor(generation));
      if (tracer.generation !== generation) return void backend.shutdown?.(); // reset meanwhile (tests)
      tracer.backend = backend;
      tracer.state = 'ready';
      const waiting = tracer.pending.splice(0);
      for (const span of waiting) deliver(backend, span);
    } catch (error) {
      if (tracer.generation !== generation) return;
      tracer.state = 'failed';
      tracer.lastError = describe(error);
      tracer.dropped += tracer.pending.splice(0).length;
      warn(`@fleece/xray: tracing is off, the tracing backend could not be loaded: ${tracer.lastError}`);
    }
  })();
  return tracer.loading;
}

function sink(span: Span): void {
  if (tracer.backend !== undefined) {
    deliver(tracer.backend, span);
  } else if (tracer.state === 'failed' || tracer.pending.length >= PENDING_LIMIT) {
    tracer.dropped++;
  } else {
    tracer.pending.push(span);
    void ensureBackend();
  }
}

/**
 * The trace of the current invocation, from the invocation scope of `@fleece/retry` (the runtime's
 * invoke store, else `_X_AMZN_TRACE_ID`), or `undefined` outside one.
 */
export function environmentRoot(): TraceRoot | undefined {
  const header = currentTraceId();
  if (header !== tracer.lastHeader) {
    const parsed = header === undefined ? undefined : parseTraceHeader(header);
    tracer.lastRoot = parsed === undefined ? undefined : new TraceRoot(parsed);
    tracer.lastHeader = header;
  }
  return tracer.lastRoot;
}

/** The span code is running in, if any. */
export function currentSpan(): Span | undefined {
  return storage.getStore();
}

/** The trace code is running in: the current span's, else the environment's. */
export function currentRoot(): TraceRoot | undefined {
  return storage.getStore()?.root ?? environmentRoot();
}

/**
 * Starts a span under the current one (or at the top of the invocation's trace), its name made
 * acceptable to X-Ray. Returns `undefined` when nothing is to be recorded: no trace, an unsampled
 * one, or a failed backend.
 */
export function startSpan(name: string | (() => string), namespace?: 'aws' | 'remote'): Span | undefined {
  if (tracer.state === 'failed') return undefined;
  const parent = storage.getStore();
  let root: TraceRoot | undefined;
  if (parent !== undefined) {
    root = parent.root;
  } else {
    root = environmentRoot();
    if (root === undefined || !root.recording) return undefined;
  }
  // Start loading at the first span, so the load overlaps the work being traced.
  if (tracer.state === 'unloaded') void ensureBackend();
  // Names are computed only for spans that are recorded: untraced calls pay nothing for them.
  return new Span(root, parent, sanitizeName(typeof name === 'function' ? name() : name), namespace, sink);
}

/** Runs `fn(...args)` with `span` as the current span. */
export function runInSpan<A extends unknown[], R>(span: Span, fn: (...args: A) => R, ...args: A): R {
  return storage.run(span, fn, ...args);
}

/** Resolves once the backend is ready or has failed; immediate when it is already either. */
export function backendSettled(): Promise<void> | undefined {
  if (tracer.state === 'ready' || tracer.state === 'failed') return undefined;
  return ensureBackend();
}

/**
 * Sends what the backend still buffers, settling within `timeoutMs`; `undefined` when there is
 * nothing to wait for (no backend yet, or one that sends each span as it ends). Never rejects.
 */
export function flushBackend(timeoutMs: number): Promise<void> | undefined {
  const backend = tracer.backend;
  if (backend?.flush === undefined) return undefined;
  try {
    return backend.flush(timeoutMs).catch(() => undefined);
  } catch {
    return undefined;
  }
}

/** What tracing has done in this process. */
export function tracingStatus(): TracingStatus {
  const status: TracingStatus = { state: tracer.state, sent: tracer.sent, dropped: tracer.dropped };
  if (tracer.chosen !== undefined) status.backend = tracer.chosen;
  if (tracer.lastError !== undefined) status.lastError = tracer.lastError;
  return status;
}

/** Options of {@link configureXray}. */
export interface XrayConfiguration {
  /** Receives the package's own warnings (a backend that fails to load or send). Default `console`. */
  logger?: XrayLogger;
  /**
   * The tracing backend. Default: `FLEECE_TRACING`, else `otel` when an OTLP endpoint
   * (`OTEL_EXPORTER_OTLP_ENDPOINT`) or the ADOT layer's wrapper (`AWS_LAMBDA_EXEC_WRAPPER`) is
   * configured, else `xray-sdk`. Set it before the first traced call: the backend loads once.
   */
  backend?: BackendName;
}

/**
 * Process-wide settings of `@fleece/xray`. Optional: without a call, warnings go to `console`.
 *
 * @throws TypeError when `logger` lacks one of `debug`, `info`, `warn`, `error`, when `backend` is
 *   another value, or when it names another backend than the one already chosen.
 */
export function configureXray(configuration: XrayConfiguration): void {
  if (typeof configuration !== 'object' || configuration === null) throw new TypeError('configureXray: configuration must be an object');
  const { logger } = configuration;
  const backend = checkBackendOption(configuration.backend);
  if (backend !== undefined && tracer.chosen !== undefined && tracer.chosen !== backend) {
    throw new TypeError(`@fleece/xray: option "backend" must be set before the first traced call; ${tracer.chosen} is in use, got "${backend}"`);
  }
  if (logger !== undefined) {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof (logger as unknown as Record<string, unknown> | null)?.[level] !== 'function') {
        throw new TypeError(`configureXray: logger.${level} must be a function`);
      }
    }
    tracer.logger = logger;
  }
  if (backend !== undefined) tracer.choice = backend;
}

/**
 * Replaces the backend loader (default: choose as in production) and forgets every loaded backend,
 * choice and counter; the old backend is shut down. For tests only.
 */
export function resetTracer(loader?: BackendLoader): Promise<void> {
  const old = tracer.backend;
  tracer.generation++;
  tracer.loader = loader;
  tracer.choice = undefined;
  tracer.chosen = undefined;
  tracer.backend = undefined;
  tracer.loading = undefined;
  tracer.state = 'unloaded';
  tracer.pending = [];
  tracer.sent = 0;
  tracer.dropped = 0;
  tracer.lastError = undefined;
  tracer.warnedSend = false;
  tracer.logger = console;
  tracer.lastHeader = undefined;
  tracer.lastRoot = undefined;
  return old?.shutdown?.().catch(() => undefined) ?? Promise.resolve();
}
