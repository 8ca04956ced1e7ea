import { Worker } from 'node:worker_threads';
import type { ModuleRef } from './options.js';
import { WORKER_SOURCE, type ContextData, type InvokeMessage, type WorkerData, type WorkerError, type WorkerMessage } from './worker-source.js';

/** Where a worker's own output goes. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Options of {@link FunctionPool}. Durations are milliseconds. */
export interface PoolOptions {
  module: ModuleRef;
  /** The whole environment of every worker (process.env is not added). */
  env: Record<string, string>;
  /** The most workers alive at once; invocations beyond wait for one to be free. */
  concurrency: number;
  /** TypeScript loader hooks, for .ts modules. */
  hooks?: WorkerData['hooks'];
  /** How long loading the module may take, as Lambda's 10 s init phase. Default 10000. */
  initTimeoutMs?: number;
  output: Output;
}

/** One invocation to run. */
export interface InvokeRequest {
  /** The event's JSON. */
  event: string;
  context: Omit<ContextData, 'deadline'>;
  /** The function's timeout; the worker is stopped past it, as Lambda stops a timed-out environment. */
  timeoutMs: number;
  traceHeader?: string;
}

/** How an invocation ended. */
export type InvokeOutcome = {
  /** The time the handler ran (from dispatch to answer), ms. */
  durationMs: number;
  /** The init time when this invocation had to start a new worker (a cold start), ms. */
  coldStartMs?: number;
} & (
  | { ok: true; payload: string }
  | {
      ok: false;
      /** `error`: the handler threw; `timeout`: past the timeout; `crash`: the worker died; `init`: the module failed to load. */
      reason: 'error' | 'timeout' | 'crash' | 'init';
      error: WorkerError;
    }
);

/** The module could not be loaded (import failed, no such export, init threw or took too long). */
export class InitError extends Error {
  override readonly name = 'InitError';
  constructor(readonly error: WorkerError) {
    super(`${error.errorType}: ${error.errorMessage}`);
  }
}

const STOPPING: WorkerError = { errorType: 'Runtime.ExitError', errorMessage: 'the server is stopping' };

/** Starts a worker thread running the worker program on `data`, its output sent to `output`. */
export function startWorker(data: WorkerData, env: Record<string, string>, output: Output): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, env, stdout: true, stderr: true });
  worker.stdout.on('data', (chunk: Buffer) => output.stdout(chunk.toString('utf8')));
  worker.stderr.on('data', (chunk: Buffer) => output.stderr(chunk.toString('utf8')));
  return worker;
}

/** The error of a worker that exited, or threw outside an invocation's promise. */
function crashError(error: unknown, exitCode?: number): WorkerError {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message, ...(error.stack && { stack: error.stack }) };
  if (error !== undefined) return { errorType: 'Error', errorMessage: String(error) };
  return { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited${exitCode === undefined ? '' : ` with exit status ${exitCode}`}` };
}

/** A worker thread serving one invocation at a time: one Lambda execution environment. */
class FunctionWorker {
  readonly worker: Worker;
  readonly ready: Promise<number>;
  alive = true;
  /** What brought the runtime down, when it reported it before exiting. */
  private fatal: WorkerError | undefined;
  private current: { id: number; settle: (outcome: WorkerMessage | { type: 'crash'; error: WorkerError }) => void } | undefined;
  private nextId = 1;

  constructor(
    readonly generation: number,
    options: PoolOptions,
  ) {
    this.worker = startWorker({ mode: 'handler', file: options.module.file, exportName: options.module.exportName, hooks: options.hooks }, options.env, options.output);
    this.ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new InitError({ errorType: 'Runtime.InitTimeout', errorMessage: `loading ${options.module.file} took longer than ${options.initTimeoutMs ?? 10_000} ms` }));
        void this.terminate();
      }, options.initTimeoutMs ?? 10_000);
      const done = () => clearTimeout(timer);
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          done();
          resolve(message.initMs);
        } else if (message.type === 'init-error') {
          done();
          reject(new InitError(message.error));
          void this.terminate();
        } else if ((message.type === 'result' || message.type === 'error') && this.current?.id === message.id) {
          this.current.settle(message);
        } else if (message.type === 'fatal') {
          this.fatal = message.error;
          this.alive = false;
          if (this.current) this.current.settle({ type: 'crash', error: message.error });
          else options.output.stderr(`the function's runtime stopped between invocations: ${message.error.errorType}: ${message.error.errorMessage}\n`);
        }
      });
      const die = (error: WorkerError) => {
        done();
        this.alive = false;
        reject(new InitError(this.fatal ?? error));
        this.current?.settle({ type: 'crash', error: this.fatal ?? error });
      };
      this.worker.on('error', (error) => die(crashError(error)));
      this.worker.on('exit', (code) => die(crashError(undefined, code)));
    });
    // A failed load is reported by whoever awaits `ready`; this keeps it from being unhandled meanwhile.
    this.ready.catch(() => undefined);
  }

  /** Runs one invocation; never rejects. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const id = this.nextId++;
    const started = Date.now();
    const message: InvokeMessage = { type: 'invoke', id, event: request.event, context: { ...request.context, deadline: started + request.timeoutMs }, ...(request.traceHeader && { traceHeader: request.traceHeader }) };
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<WorkerMessage | { type: 'crash'; error: WorkerError } | { type: 'timeout' }>((resolve) => {
      this.current = { id, settle: resolve };
      timer = setTimeout(() => resolve({ type: 'timeout' }), request.timeoutMs);
      this.worker.postMessage(message);
    });
    clearTimeout(timer);
    this.current = undefined;
    const durationMs = Date.now() - started;
    switch (outcome.type) {
      case 'result':
        return { ok: true, payload: outcome.payload, durationMs };
      case 'error':
        return { ok: false, reason: 'error', error: outcome.error, durationMs };
      case 'timeout':
        // Lambda stops the environment of a timed-out invocation; so do we, with whatever still runs in it.
        await this.terminate();
        return {
          ok: false,
          reason: 'timeout',
          error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${request.context.awsRequestId} Error: Task timed out after ${(request.timeoutMs / 1000).toFixed(2)} seconds` },
          durationMs,
        };
      default:
        this.alive = false;
        return { ok: false, reason: 'crash', error: (outcome as { error: WorkerError }).error, durationMs };
    }
  }

  async terminate(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }
}

/**
 * Worker threads that each load the handler module and serve one invocation at a time, like
 * Lambda execution environments: an idle one is reused (warm), a new one is started when all are
 * busy (a cold start) up to `concurrency`, a timed-out or crashed one is replaced. A reload starts
 * a new generation: each worker loads the module afresh, with everything it imports.
 */
export class FunctionPool {
  private generation = 0;
  private readonly idle: FunctionWorker[] = [];
  private readonly all = new Set<FunctionWorker>();
  private readonly waiting: Array<() => void> = [];
  private slots: number;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.slots = options.concurrency;
  }

  /** Workers alive now (idle and busy). */
  get size(): number {
    return this.all.size;
  }

  /** Starts one worker ahead of traffic, so a broken module shows at once. @throws InitError */
  async warm(): Promise<number> {
    // A reload the watcher started as the server stops must not leave a worker behind (it would keep the process alive).
    if (this.closed) throw new InitError(STOPPING);
    const worker = this.spawn();
    const initMs = await worker.ready.catch((error: unknown) => {
      this.forget(worker);
      throw error;
    });
    if (worker.generation === this.generation && worker.alive && !this.closed) this.idle.push(worker);
    else await this.retire(worker);
    return initMs;
  }

  /** Drops every worker of the current module (busy ones once their invocation ends) and loads it again. @throws InitError */
  async reload(): Promise<number> {
    this.generation++;
    await Promise.all(this.idle.splice(0).map((worker) => this.retire(worker)));
    return this.warm();
  }

  /** Runs an invocation on a free worker, waiting for one when `concurrency` are busy. Never rejects. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    await this.acquireSlot();
    if (this.closed) {
      this.releaseSlot();
      return { ok: false, reason: 'crash', error: STOPPING, durationMs: 0 };
    }
    let worker: FunctionWorker | undefined;
    try {
      let coldStartMs: number | undefined;
      worker = this.takeIdle();
      if (worker === undefined) {
        const started = Date.now();
        worker = this.spawn();
        try {
          await worker.ready;
        } catch (error) {
          const details = error instanceof InitError ? error.error : crashError(error);
          return { ok: false, reason: 'init', error: details, durationMs: 0, coldStartMs: Date.now() - started };
        }
        coldStartMs = Date.now() - started;
      }
      const outcome = await worker.invoke(request);
      return coldStartMs === undefined ? outcome : { ...outcome, coldStartMs };
    } finally {
      if (worker !== undefined) {
        if (worker.alive && worker.generation === this.generation && !this.closed) this.idle.push(worker);
        else await this.retire(worker);
      }
      this.releaseSlot();
    }
  }

  /** Stops every worker. Invocations still running end as crashes. */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.all].map((worker) => this.retire(worker)));
    for (const wake of this.waiting.splice(0)) wake();
  }

  private spawn(): FunctionWorker {
    const worker = new FunctionWorker(this.generation, this.options);
    this.all.add(worker);
    worker.worker.once('exit', () => this.forget(worker));
    return worker;
  }

  private takeIdle(): FunctionWorker | undefined {
    for (;;) {
      const worker = this.idle.pop();
      if (worker === undefined || (worker.alive && worker.generation === this.generation)) return worker;
      void this.retire(worker);
    }
  }

  private forget(worker: FunctionWorker): void {
    this.all.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private async retire(worker: FunctionWorker): Promise<void> {
    this.forget(worker);
    await worker.terminate();
  }

  private acquireSlot(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.slots++;
  }
}
