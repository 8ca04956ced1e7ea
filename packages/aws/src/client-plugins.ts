import type { RetryPolicy } from '@fleece/retry';
import type { MiddlewareStack, Pluggable } from '@smithy/types';
import type { Timeouts } from './timeouts.js';
import { invalid } from './validate.js';

/** The part of an AWS SDK v3 client that plugins act on. Every generated client has it. */
export interface AwsClient {
  /** The resolved configuration (its `requestHandler` is the deadline-aware wrapper). */
  readonly config: object;
  /** Where middleware goes (tracing, metrics, logging). */
  middlewareStack: MiddlewareStack<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Closes the client's sockets. */
  destroy(): void;
}

/** What `client()` tells a plugin about the client it made. */
export interface ClientInfo {
  /** The connect and read timeouts the client was made with, ms. */
  readonly timeouts: Readonly<Timeouts>;
  /** The retry policy on the kernel strategy, or `undefined` when the caller chose the SDK's retry. */
  readonly retry: RetryPolicy | undefined;
}

/**
 * Acts on every client `client()` makes: a function given the client (and what it was made
 * with), or an SDK `Pluggable` whose `applyToStack` gets the client's middleware stack.
 */
export type ClientPlugin = ((client: AwsClient, info: ClientInfo) => void) | Pluggable<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Process-wide registrations (made at module load by packages such as @fleece/xray); not
// per-invocation state. Each registration is its own entry, so the same plugin may be used twice.
const registrations: { plugin: ClientPlugin }[] = [];

/**
 * Registers a plugin that acts on every client made by `client()` from now on, after fleece has
 * configured it, in registration order. This is how other packages (such as `@fleece/xray`) add
 * middleware to every fleece client. A plugin that throws makes `client()` throw.
 *
 * @returns a function that unregisters it; clients made earlier keep what it did.
 * @throws TypeError when `plugin` is neither a function nor an object with `applyToStack`.
 */
export function useClientPlugin(plugin: ClientPlugin): () => void {
  const usable =
    typeof plugin === 'function' ||
    (plugin !== null && typeof plugin === 'object' && typeof (plugin as Pluggable<object, object>).applyToStack === 'function');
  if (!usable) invalid('plugin', 'a function or an object with applyToStack()', plugin);
  const registration = { plugin };
  registrations.push(registration);
  return () => {
    const index = registrations.indexOf(registration);
    if (index !== -1) registrations.splice(index, 1);
  };
}

/** Applies every registered plugin to a new client. */
export function applyClientPlugins(client: AwsClient, info: ClientInfo): void {
  for (const { plugin } of [...registrations]) {
    if (typeof plugin === 'function') plugin(client, info);
    else client.middlewareStack.use(plugin);
  }
}
