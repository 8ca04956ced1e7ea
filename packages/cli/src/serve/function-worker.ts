import { Worker } from 'node:worker_threads';
import type { ModuleRef } from './options.js';
import { WORKER_SOURCE, type ContextData, type InvokeMessage, type WorkerData, type WorkerError, type WorkerMessage } from './worker-source.js';

/** Where a worker's own output goes. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What a worker needs to load the function. Durations are milliseconds. */
export interface WorkerOptions {
  module: ModuleRef;
  /** The whole environment of the worker (process.env is not added). */
  env: Record<string, string>;
  /** TypeScript loader hooks, for .ts modules. */
  hooks?: WorkerData['hooks'];
  /**
   * How long loading the module may take, as Lambda's 10 s init phase, counted from the moment the
   * worker's own code starts running (not from when it was asked for: a thread takes a while to
   * boot on a busy machine). Default 10000.
   */
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

/** The error of invocations the stopping server will not run. */
export const STOPPING: WorkerError = { errorType: 'Runtime.ExitError', errorMessage: 'the server is stopping' };

/** Starts a worker thread running the worker program on `data`, its output sent to `output`. */
export function startWorker(data: WorkerData, env: Record<string, string>, output: Output): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, env, stdout: true, stderr: true });
  worker.stdout.on('data', (chunk: Buffer) => output.stdout(chunk.toString('utf8')));
  worker.stderr.on('data', (chunk: Buffer) => output.stderr(chunk.toString('utf8')));
  return worker;
}

/** The error of a worker that exited, or threw outside an invocation's promise. */
export function crashError(error: unknown, exitCode?: number): WorkerError {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message, ...(error.stack && { stack: error.stack }) };
  if (error !== undefined) return { errorType: 'Error', errorMessage: String(error) };
  return { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited${exitCode === undefined ? '' : ` with exit status ${exitCode}`}` };
}

// How long a thread may take to boot before its init clock starts; only a machine in trouble gets near it.
const BOOT_TIMEOUT_MS = 60_000;

/** A worker thread serving one invocation at a time: one Lambda execution environment. */
export class FunctionWorker {
  readonly worker: Worker;
  readonly ready: Promise<number>;
  alive = true;
  /** When it last finished an invocation (or became ready), epoch ms: idle workers are retired after a while. */
  lastUsed = Date.now();
  /** The init time, until the first invocation reports it as a cold start. */
  pendingColdStartMs: number | undefined;
  /** What brought the runtime down, when it reported it before exiting. */
  private fatal: WorkerError | undefined;
  private current: { id: number; settle: (outcome: WorkerMessage | { type: 'crash'; error: WorkerError }) => void } | undefined;
  private nextId = 1;

  constructor(
    readonly generation: number,
    options: WorkerOptions,
  ) {
    this.worker = startWorker({ mode: 'handler', file: options.module.file, exportName: options.module.exportName, hooks: options.hooks }, options.env, options.output);
    this.ready = new Promise<number>((resolve, reject) => {
      const initTimeoutMs = options.initTimeoutMs ?? 10_000;
      const giveUp = (error: WorkerError) => () => {
        reject(new InitError(error));
        void this.terminate();
      };
      // Lambda's init clock starts when the runtime runs, so it starts when the thread runs JavaScript:
      // on a busy machine booting a thread alone can take seconds, and that is not the module's fault.
      let timer = setTimeout(giveUp({ errorType: 'Runtime.InitTimeout', errorMessage: `the worker thread did not start within ${BOOT_TIMEOUT_MS} ms` }), BOOT_TIMEOUT_MS);
      this.worker.once('online', () => {
        clearTimeout(timer);
        timer = setTimeout(giveUp({ errorType: 'Runtime.InitTimeout', errorMessage: `loading ${options.module.file} took longer than ${initTimeoutMs} ms` }), initTimeoutMs);
      });
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

