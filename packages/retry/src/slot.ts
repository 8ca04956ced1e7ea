import { currentFrame } from './scope.js';
import { invalid } from './validate.js';

/**
 * A typed piece of per-invocation state that a package keeps in the invocation scope: log keys,
 * a metrics buffer, batch state, the active span. Each invocation has its own value; the next
 * invocation of a warm container, and every other invocation in flight, never see it.
 */
export interface InvocationSlot<T> {
  /** The value of the current invocation, or `undefined` (none set, or outside an invocation). */
  get(): T | undefined;
  /** Sets the value for the rest of the current invocation; `false` outside one, where nothing is kept. */
  set(value: T): boolean;
  /** The current invocation's value, created by `create` on first use; `undefined` outside an invocation. */
  getOrCreate(create: () => T): T | undefined;
}

/**
 * The slot called `name`. Slots are shared by name, so two copies of a package loaded side by side
 * see one value: name a slot after its package (`'@fleece/log:keys'`).
 *
 * @throws TypeError when `name` is not a non-empty string.
 */
export function invocationSlot<T>(name: string): InvocationSlot<T> {
  if (typeof name !== 'string' || name === '') invalid('name', 'a non-empty string', name);
  const slots = () => currentFrame()?.invocation?.slots;
  return Object.freeze({
    get(): T | undefined {
      return slots()?.get(name) as T | undefined;
    },
    set(value: T): boolean {
      const found = slots();
      if (found === undefined) return false;
      found.set(name, value);
      return true;
    },
    getOrCreate(create: () => T): T | undefined {
      const found = slots();
      if (found === undefined) return undefined;
      if (found.has(name)) return found.get(name) as T;
      const value = create();
      found.set(name, value);
      return value;
    },
  });
}
