import type { AfterResponseHook, BeforeErrorHook, BeforeRequestHook, Hooks } from 'got';
import { checkFunction, checkKeys, invalid, isPlainObject } from './validate.js';

/**
 * got hooks to run on every attempt of every request made through @fleece/http (module
 * functions and sessions alike), the way @fleece/xray traces HTTP calls.
 */
export interface HttpHooks {
  /** Before each attempt is sent; may change headers (e.g. add a trace header). */
  beforeRequest?: BeforeRequestHook;
  /** After each attempt's response, whatever its status; must return the response. */
  afterResponse?: AfterResponseHook;
  /** When an attempt fails without a response (connection error, timeout); must return the error. */
  beforeError?: BeforeErrorHook;
}

type Kind = keyof HttpHooks;
const KINDS: readonly Kind[] = ['beforeRequest', 'afterResponse', 'beforeError'];

// Process-wide, like the instrumentation it serves: installed once at start-up.
const installed: { [K in Kind]: NonNullable<HttpHooks[K]>[] } = {
  beforeRequest: [],
  afterResponse: [],
  beforeError: [],
};

/**
 * Adds got hooks to every request made through this package from now on. Each attempt of a
 * retried request runs them, so a tracer sees every attempt. HTTP error statuses reach
 * `afterResponse`, not `beforeError` (retrying and error typing happen above got). Order: a
 * session's own hooks, then these in the order added, then the request's own.
 *
 * @returns a function that removes exactly these hooks again (calling it twice is harmless).
 * @throws TypeError when a hook is not a function or its kind is unknown.
 */
export function useHooks(hooks: HttpHooks): () => void {
  if (!isPlainObject(hooks)) invalid('hooks', 'an object of hook functions', hooks);
  checkKeys('hooks', hooks, KINDS);
  for (const kind of KINDS) checkFunction(`hooks.${kind}`, hooks[kind]);
  const added: [Kind, (...args: never[]) => unknown][] = [];
  for (const kind of KINDS) {
    const hook = hooks[kind];
    if (hook) {
      (installed[kind] as unknown[]).push(hook);
      added.push([kind, hook as (...args: never[]) => unknown]);
    }
  }
  return () => {
    for (const [kind, hook] of added.splice(0)) {
      const list = installed[kind] as unknown[];
      const index = list.indexOf(hook);
      if (index !== -1) list.splice(index, 1);
    }
  };
}

/** got's `hooks` option for one request: the installed hooks, then the request's own. */
export function hooksFor(own: Partial<Hooks> | undefined): Partial<Hooks> | undefined {
  // Nothing installed (the usual case): leave got's options as the caller gave them.
  if (installed.beforeRequest.length + installed.afterResponse.length + installed.beforeError.length === 0) return own;
  return {
    ...own,
    beforeRequest: [...installed.beforeRequest, ...(own?.beforeRequest ?? [])],
    afterResponse: [...installed.afterResponse, ...(own?.afterResponse ?? [])],
    beforeError: [...installed.beforeError, ...(own?.beforeError ?? [])],
  };
}
