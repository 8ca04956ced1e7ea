import type { Delays } from 'got';
import { checkKeys, checkPositiveMs, invalid, isPlainObject } from './validate.js';

/** The friendly form: `connect` bounds establishing the connection, `read` bounds each wait for data. */
export interface ConnectReadTimeout {
  /** ms to resolve the host, connect, and finish the TLS handshake (each phase separately). */
  connect?: number;
  /** ms the socket may stay silent: waiting for the response, and between chunks of it. */
  read?: number;
}

/** got's own timeout object, passed through as it is (still bounded by the invocation deadline). */
export type GotTimeout = Delays;

/**
 * A timeout in ms for both connect and read, `{ connect, read }`, or got's timeout object.
 * An object whose keys are only `connect` and/or `read` is the friendly form.
 */
export type Timeout = number | ConnectReadTimeout | GotTimeout;

/** The built-in default: finite, unlike requests and got, whose sockets wait forever by default. */
export const DEFAULT_TIMEOUT: Readonly<Required<ConnectReadTimeout>> = Object.freeze({ connect: 5_000, read: 30_000 });

const FRIENDLY_KEYS = ['connect', 'read'] as const;
const GOT_KEYS = ['lookup', 'connect', 'secureConnect', 'socket', 'send', 'response', 'read', 'request'] as const;

/** A validated timeout layer. */
export type TimeoutLayer =
  | { kind: 'friendly'; connect: number | undefined; read: number | undefined }
  | { kind: 'got'; delays: Readonly<Delays> };

/** Validates a user's timeout; `undefined` stays `undefined` (the next layer decides). */
export function parseTimeout(option: string, value: unknown): TimeoutLayer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    checkPositiveMs(option, value);
    return { kind: 'friendly', connect: value, read: value };
  }
  if (!isPlainObject(value)) invalid(option, 'ms, { connect, read } or a got timeout object', value);
  const keys = Object.keys(value);
  if (keys.every((key) => (FRIENDLY_KEYS as readonly string[]).includes(key))) {
    checkPositiveMs(`${option}.connect`, value['connect']);
    checkPositiveMs(`${option}.read`, value['read']);
    return { kind: 'friendly', connect: value['connect'], read: value['read'] };
  }
  checkKeys(option, value, GOT_KEYS);
  const delays: Delays = {};
  for (const key of GOT_KEYS) {
    const ms = value[key];
    checkPositiveMs(`${option}.${key}`, ms);
    if (ms !== undefined) delays[key] = ms;
  }
  return { kind: 'got', delays: Object.freeze(delays) };
}

/**
 * got's timeout object for one request, from its layers, most specific first (request, session,
 * global default, built-in). Each half of the friendly form comes from the most specific layer
 * that sets it. A got timeout object is used verbatim when it is the most specific layer given;
 * below a friendly layer it is skipped, because its keys do not split into connect and read.
 */
export function resolveTimeout(layers: readonly (TimeoutLayer | undefined)[]): Delays {
  let connect: number | undefined;
  let read: number | undefined;
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.kind === 'got') {
      if (connect === undefined && read === undefined) return { ...layer.delays };
      continue;
    }
    connect ??= layer.connect;
    read ??= layer.read;
  }
  connect ??= DEFAULT_TIMEOUT.connect;
  read ??= DEFAULT_TIMEOUT.read;
  // `socket` is the idle timer (armed once connected) and `response` the wait for the first byte
  // once the request is sent: together they are what Python's read timeout means.
  return { lookup: connect, connect, secureConnect: connect, socket: read, response: read };
}

/** What a fired timer meant: see {@link HttpTimeoutError.phase}. */
export type TimeoutPhase = 'connect' | 'read' | 'request' | 'deadline';

/** got's timeout object for one attempt, bounded by the time left in the invocation. */
export interface AttemptTimeout {
  delays: Delays;
  /** True when the invocation deadline, not the configured timeout, set `delays.request`. */
  deadlineBound: boolean;
}

/** Bounds the whole attempt by `remaining` ms (the invocation's time left) when that is sooner. */
export function boundByDeadline(delays: Delays, remaining: number): AttemptTimeout {
  if (!(remaining < (delays.request ?? Infinity))) return { delays, deadlineBound: false };
  return { delays: { ...delays, request: Math.max(1, Math.ceil(remaining)) }, deadlineBound: true };
}

/** Maps the got timer that fired to the phase a user reasons in. */
export function phaseOf(event: string | undefined, deadlineBound: boolean): TimeoutPhase {
  switch (event) {
    case 'lookup':
    case 'connect':
    case 'secureConnect':
      return 'connect';
    case 'request':
      return deadlineBound ? 'deadline' : 'request';
    case undefined:
      // got's conversion of an AbortSignal.timeout() names no timer.
      return 'request';
    default:
      // socket, send, response, read: the peer went quiet once connected.
      return 'read';
  }
}
