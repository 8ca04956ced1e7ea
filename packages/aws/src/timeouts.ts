import { checkTimeout, invalid } from './validate.js';

/** The connect and read timeouts a client is built with, in milliseconds. */
export interface Timeouts {
  /** Longest wait for a connection to be established. */
  connect: number;
  /** Longest wait for data once connected (the socket's idle time, on the way out and back). */
  read: number;
}

/** A process-wide default: one number for both timeouts, or any of them apart. */
export interface TimeoutDefaults {
  /** Both timeouts, where `connect` or `read` is not given. */
  timeout?: number;
  /** The connect timeout; wins over `timeout`. */
  connect?: number;
  /** The read timeout; wins over `timeout`. */
  read?: number;
}

/** The timeout options a single client accepts. */
export interface TimeoutOptions {
  /** Both timeouts, ms, where `connectTimeout` or `readTimeout` is not given. */
  timeout?: number;
  /** Longest wait for a connection, ms. */
  connectTimeout?: number;
  /** Longest wait for data once connected, ms. */
  readTimeout?: number;
}

/**
 * The built-in timeouts, used when neither the client nor {@link setDefaultTimeout} sets one.
 * Finite on purpose: the SDK's own default is no timeout at all, so a stalled socket would hang
 * until Lambda killed the invocation (as it did with the Python fleece and boto3's 60 s).
 */
export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connect: 3000, read: 30_000 });

// Process-wide configuration set at start-up, like the Python set_default_timeout(); it is not
// per-invocation state, and clients read it once, when they are made.
let defaults: Readonly<TimeoutDefaults> = {};

/**
 * Sets the timeouts of every client made by `client()` from now on, unless the client sets its
 * own. A number sets both; an object sets `connect`, `read` or `timeout` (both); `undefined` goes
 * back to {@link DEFAULT_TIMEOUTS}. Each call replaces the previous default entirely.
 * Clients made earlier keep their timeouts.
 *
 * @throws TypeError naming the option when a value is not a finite number of ms above zero.
 */
export function setDefaultTimeout(setting: number | TimeoutDefaults | undefined): void {
  if (setting === undefined) {
    defaults = {};
    return;
  }
  if (typeof setting === 'number') {
    checkTimeout('timeout', setting);
    defaults = Object.freeze({ timeout: setting });
    return;
  }
  if (setting === null || typeof setting !== 'object') {
    invalid('timeout', 'a number of milliseconds or { connect, read, timeout }', setting);
  }
  checkTimeout('timeout', setting.timeout);
  checkTimeout('connect', setting.connect);
  checkTimeout('read', setting.read);
  defaults = Object.freeze({ timeout: setting.timeout, connect: setting.connect, read: setting.read });
}

/**
 * The timeouts a client gets, by precedence: its `connectTimeout`/`readTimeout`, then its
 * `timeout`, then the default `connect`/`read`, then the default `timeout`, then
 * {@link DEFAULT_TIMEOUTS}.
 */
export function resolveTimeouts(options: TimeoutOptions): Timeouts {
  checkTimeout('timeout', options.timeout);
  checkTimeout('connectTimeout', options.connectTimeout);
  checkTimeout('readTimeout', options.readTimeout);
  return {
    connect:
      options.connectTimeout ?? options.timeout ?? defaults.connect ?? defaults.timeout ?? DEFAULT_TIMEOUTS.connect,
    read: options.readTimeout ?? options.timeout ?? defaults.read ?? defaults.timeout ?? DEFAULT_TIMEOUTS.read,
  };
}
