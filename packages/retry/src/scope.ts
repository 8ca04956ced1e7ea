import { AsyncLocalStorage } from 'node:async_hooks';

import type { Invocation } from './invocation.js';

/** What the kernel keeps for one invocation: its public view and the slots of other packages. */
export interface InvocationState {
  readonly view: Invocation;
  /** Per-invocation state of other packages, by slot name. A Map, so any name is an ordinary key. */
  readonly slots: Map<string, unknown>;
}

/**
 * One frame of the kernel's store: the invocation it belongs to (if any) and the deadline in force
 * here, which a nested `withDeadline` may shorten without touching the invocation.
 */
export interface Frame {
  readonly invocation: InvocationState | undefined;
  readonly deadline: (() => number) | undefined;
}

/** Process-wide state of the kernel, shared by every copy of this package that is loaded. */
interface Kernel {
  readonly storage: AsyncLocalStorage<Frame>;
  /** Whether an invocation has been opened in this process yet (cold start is the first only). */
  opened: boolean;
}

// An application that loads @fleece/retry twice (its ESM and CJS builds, or two versions bundled
// side by side) must still have one store, or a deadline set through one copy would be invisible
// to a package that imported the other. So the store hangs off a registered symbol, not a module.
// Configurable only so that a test can start a fresh process's kernel.
const KEY = Symbol.for('@fleece/retry.kernel');

function kernel(): Kernel {
  const holder = globalThis as unknown as Record<symbol, Kernel | undefined>;
  let found = holder[KEY];
  if (found === undefined) {
    found = { storage: new AsyncLocalStorage<Frame>(), opened: false };
    Object.defineProperty(holder, KEY, { value: found, enumerable: false, configurable: true, writable: false });
  }
  return found;
}

/** The frame in force where this is called, or `undefined` outside any invocation or deadline. */
export function currentFrame(): Frame | undefined {
  return kernel().storage.getStore();
}

/** Runs `fn` with `frame` in force for everything it calls, across awaits. */
export function runInFrame<T>(frame: Frame, fn: () => T): T {
  return kernel().storage.run(frame, fn);
}

/** Marks an invocation as opened; `true` the first time in this process only. */
export function firstOpening(): boolean {
  const state = kernel();
  if (state.opened) return false;
  state.opened = true;
  return true;
}
