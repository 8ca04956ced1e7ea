import { crashError, FunctionWorker, InitError, STOPPING, type InvokeOutcome, type InvokeRequest, type WorkerOptions } from './function-worker.js';

export { InitError, startWorker, type InvokeOutcome, type InvokeRequest, type Output } from './function-worker.js';

/** Options of {@link FunctionPool}. Durations are milliseconds. */
export interface PoolOptions extends WorkerOptions {
  /** The most workers alive at once (so invocations at once); more invocations wait for one to be free. */
  concurrency: number;
  /**
   * The most workers starting at once. A burst on a cold pool grows it this many at a time, so the
   * starts do not compete for the CPU until all of them miss the init timeout. Default 2.
   */
  maxStarting?: number;
  /** An idle worker is stopped after this long, down to one, so memory goes back after a burst. Default 10000. */
  idleMs?: number;
}

/** A worker handed to one invocation, or why none could be. */
type Lease = { worker: FunctionWorker } | { failure: InitError };

/**
 * Worker threads that each load the handler module and serve one invocation at a time, like
 * Lambda execution environments: an idle one is reused (warm), and while invocations wait the
 * pool grows, at most `maxStarting` new workers at a time, up to `concurrency`; the first free
 * worker, new or warm, takes the oldest waiting invocation. A timed-out or crashed worker is
 * replaced; one idle for `idleMs` is stopped (one always stays warm). A reload starts a new
 * generation: each worker loads the module afresh, with everything it imports.
 */
export class FunctionPool {
  private generation = 0;
  /** Idle workers of the current generation, the most recently used last. */
  private readonly idle: FunctionWorker[] = [];
  private readonly all = new Set<FunctionWorker>();
  private readonly waiting: Array<(lease: Lease) => void> = [];
  private starting = 0;
  private closed = false;
  private readonly reaper: NodeJS.Timeout;
  private readonly maxStarting: number;
  private readonly idleMs: number;

  constructor(private readonly options: PoolOptions) {
    this.maxStarting = options.maxStarting ?? 2;
    this.idleMs = options.idleMs ?? 10_000;
    this.reaper = setInterval(() => this.retireIdle(), Math.max(50, Math.floor(this.idleMs / 4)));
    // The reaper alone never keeps the process alive.
    this.reaper.unref();
  }

  /** Workers alive now (idle, busy and starting). */
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
    worker.pendingColdStartMs = undefined;
    this.offer(worker);
    return initMs;
  }

  /** Drops every worker of the current module (busy ones once their invocation ends) and loads it again. @throws InitError */
  async reload(): Promise<number> {
    this.generation++;
    await Promise.all(this.idle.splice(0).map((worker) => this.retire(worker)));
    return this.warm();
  }

  /** Runs an invocation on a free worker, waiting for one when none is. Never rejects. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) return { ok: false, reason: 'crash', error: STOPPING, durationMs: 0 };
    const lease = await this.acquire();
    if ('failure' in lease) return { ok: false, reason: 'init', error: lease.failure.error, durationMs: 0 };
    const { worker } = lease;
    const coldStartMs = worker.pendingColdStartMs;
    worker.pendingColdStartMs = undefined;
    try {
      const outcome = await worker.invoke(request);
      return coldStartMs === undefined ? outcome : { ...outcome, coldStartMs };
    } finally {
      worker.lastUsed = Date.now();
      this.offer(worker);
    }
  }

  /** Stops every worker. Invocations still running end as crashes; waiting ones are answered as stopping. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    this.idle.length = 0;
    for (const wake of this.waiting.splice(0)) wake({ failure: new InitError(STOPPING) });
    await Promise.all([...this.all].map((worker) => this.retire(worker)));
  }

  private acquire(): Promise<Lease> {
    for (let worker = this.idle.pop(); worker !== undefined; worker = this.idle.pop()) {
      // The runtime may have gone down between invocations (a stray rejection); its exit is on its way.
      if (worker.alive) return Promise.resolve({ worker });
      void this.retire(worker);
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.grow();
    });
  }

  /** Starts workers for the invocations that no starting worker will serve, within the limits. */
  private grow(): void {
    while (!this.closed && this.waiting.length > this.starting && this.all.size < this.options.concurrency && this.starting < this.maxStarting) {
      this.starting++;
      const worker = this.spawn();
      worker.ready.then(
        (initMs) => {
          this.starting--;
          worker.pendingColdStartMs = initMs;
          this.offer(worker);
        },
        (error: unknown) => {
          this.starting--;
          this.forget(worker);
          // The module does not load: the oldest waiting invocation gets the error (a 502), as in Lambda.
          this.waiting.shift()?.({ failure: error instanceof InitError ? error : new InitError(crashError(error)) });
          this.grow();
        },
      );
    }
  }

  /** A free worker takes the oldest waiting invocation, or goes idle; one that may not serve again is stopped. */
  private offer(worker: FunctionWorker): void {
    if (!worker.alive || worker.generation !== this.generation || this.closed) {
      void this.retire(worker);
      this.grow();
      return;
    }
    const next = this.waiting.shift();
    if (next) next({ worker });
    else this.idle.push(worker);
  }

  /** Stops workers idle for longer than `idleMs`, the least recently used first, keeping one. */
  private retireIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    while (this.idle.length > 1 && (this.idle[0] as FunctionWorker).lastUsed < cutoff) void this.retire(this.idle.shift() as FunctionWorker);
  }

  private spawn(): FunctionWorker {
    const worker = new FunctionWorker(this.generation, this.options);
    this.all.add(worker);
    worker.worker.once('exit', () => {
      this.forget(worker);
      this.grow();
    });
    return worker;
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
}
