/** How a guarded piece of work ended. */
export type Raced<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** The reason a guard's signal is aborted with. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor() {
    super('the custom resource ran out of time');
  }
}

// Re-check at least this often: the deadline can move (a create function may raise event.Timeout).
const RECHECK_MS = 1000;

/**
 * Races work against a deadline that may move, and aborts a signal when it passes, so user code
 * can stop and the handler can still answer before Lambda kills the invocation.
 */
export class DeadlineGuard {
  /** Aborted (with a {@link DeadlineExceededError}) when the deadline passes. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly expired: Promise<{ kind: 'timeout' }>;
  private fire!: () => void;

  /** @param left - ms left before the deadline; re-read on every check. */
  constructor(private readonly left: () => number) {
    this.signal = this.controller.signal;
    this.expired = new Promise((resolve) => {
      this.fire = () => resolve({ kind: 'timeout' });
    });
    this.check();
  }

  /** ms left before the deadline (negative once past). */
  remainingMs(): number {
    return this.left();
  }

  private check(): void {
    const ms = this.left();
    if (!(ms > 0)) {
      this.controller.abort(new DeadlineExceededError());
      this.fire();
      return;
    }
    this.timer = setTimeout(() => this.check(), Math.min(ms, RECHECK_MS));
  }

  /** Runs `work` until it settles or the deadline passes, whichever is first; never rejects. */
  async race<T>(work: () => T | Promise<T>): Promise<Raced<Awaited<T>>> {
    if (this.signal.aborted) return { kind: 'timeout' };
    let running: Promise<Awaited<T>>;
    try {
      running = Promise.resolve(work()) as Promise<Awaited<T>>;
    } catch (error) {
      return { kind: 'error', error };
    }
    const settled = running.then(
      (value): Raced<Awaited<T>> => ({ kind: 'value', value }),
      (error: unknown): Raced<Awaited<T>> => ({ kind: 'error', error }),
    );
    return Promise.race([settled, this.expired]);
  }

  /** Stops the timer; call once the guarded work is over. */
  stop(): void {
    clearTimeout(this.timer);
  }
}
