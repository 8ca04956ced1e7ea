import type { Got } from 'got';

let loading: Promise<Got> | undefined;

/**
 * got itself, loaded on first use, which keeps it out of the cold start of handlers that never
 * make an HTTP request. got is ESM-only: the ESM build imports it; the CJS build turns this
 * `import()` into a lazy `require()` (require(esm), Node 20.19+), whose interop puts the whole
 * namespace under `default`, so the named export `got` is the one that holds in every build (and
 * under jest). The module cache makes the promise process-wide, not per invocation.
 */
export function loadGot(): Promise<Got> {
  loading ??= import('got').then(
    (module) => module.got,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
