/** A wait for a stop signal. */
export interface SignalWait {
  /** Resolves with the first signal received. */
  readonly received: Promise<NodeJS.Signals>;
  /** Stops listening (the promise then never resolves). */
  cancel(): void;
}

/**
 * Listens for the first of `signals`. The listeners are removed after it (or on `cancel()`), so a
 * second Ctrl-C acts as usual and stops the process at once.
 */
export function untilSignal(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): SignalWait {
  let on: (signal: NodeJS.Signals) => void = () => undefined;
  const cancel = () => {
    for (const name of signals) process.off(name, on);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    on = (signal) => {
      cancel();
      resolve(signal);
    };
    for (const name of signals) process.on(name, on);
  });
  return { received, cancel };
}
