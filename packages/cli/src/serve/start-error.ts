/** A failure to start: the port, the setup module or the handler module. */
export class ServeStartError extends Error {
  override readonly name: string = 'ServeStartError';
}

/** The port is taken by another process: a one-line message, and its own exit code in the command. */
export class PortInUseError extends ServeStartError {
  override readonly name: string = 'PortInUseError';
  constructor(
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} on 127.0.0.1 is in use: stop what holds it, or choose another with --port`, options);
  }
}

/** The start was interrupted (Ctrl-C) before the server listened; everything started is stopped. */
export class ServeAbortedError extends ServeStartError {
  override readonly name: string = 'ServeAbortedError';
}
