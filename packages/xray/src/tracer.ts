import { AsyncLocalStorage } from 'node:async_hooks';

import type { BackendLoader, TracingBackend } from './backend.js';
import { loadXraySdkBackend } from './backends/xray-sdk.js';
import { sanitizeName } from './names.js';
import { Span, TraceRoot } from './span.js';
import { parseTraceHeader, rawTraceHeaderFromEnvironment } from './trace-header.js';

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
  /** `unloaded` until the first recorded span: untraced containers never load aws-xray-sdk-core. */
  state: BackendState;
  /** Spans handed to the backend. */
  sent: number;
  /** Spans dropped: the backend failed to load or to take them, or too many waited for it. */
  dropped: number;
  /** Why the backend failed, when it did. */
  lastError?: string;
}

// Spans that end while the backend is still loading wait here; the bound keeps a backend that
// never loads from holding memory.
const PENDING_LIMIT = 1000;

// Process-wide machinery, not per-invocation state: one backend per container, loaded once.
const tracer = {
  loader: loadXraySdkBackend as BackendLoader,
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

function ensureBackend(): Promise<void> {
  if (tracer.loading !== undefined) return tracer.loading;
  tracer.state = 'loading';
  const loader = tracer.loader;
  tracer.loading = (async () => {
    try {
      const backend = await loader();
      if (tracer.loader !== loader) return; // replaced meanwhile (tests)
      tracer.backend = backend;
      tracer.state = 'ready';
      const waiting = tracer.pending.splice(0);
      for (const span of waiting) deliver(backend, span);
    } catch (error) {
      if (tracer.loader !== loader) return;
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

/** The trace of the current invocation according to the runtime, or `undefined` outside one. */
export function environmentRoot(): TraceRoot | undefined {
  const header = rawTraceHeaderFromEnvironment();
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

/** What tracing has done in this process. */
export function tracingStatus(): TracingStatus {
  const status: TracingStatus = { state: tracer.state, sent: tracer.sent, dropped: tracer.dropped };
  if (tracer.lastError !== undefined) status.lastError = tracer.lastError;
  return status;
}

/** Options of {@link configureXray}. */
export interface XrayConfiguration {
  /** Receives the package's own warnings (a backend that fails to load or send). Default `console`. */
  logger?: XrayLogger;
}

/**
 * Process-wide settings of `@fleece/xray`. Optional: without a call, warnings go to `console`.
 *
 * @throws TypeError when `logger` lacks one of `debug`, `info`, `warn`, `error`.
 */
export function configureXray(configuration: XrayConfiguration): void {
  if (typeof configuration !== 'object' || configuration === null) throw new TypeError('configureXray: configuration must be an object');
  const { logger } = configuration;
  if (logger !== undefined) {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof (logger as unknown as Record<string, unknown> | null)?.[level] !== 'function') {
        throw new TypeError(`configureXray: logger.${level} must be a function`);
      }
    }
    tracer.logger = logger;
  }
}

/** Replaces the backend loader and forgets every loaded backend and counter. For tests only. */
export function resetTracer(loader: BackendLoader = loadXraySdkBackend): void {
  tracer.loader = loader;
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
}
