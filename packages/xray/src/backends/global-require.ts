// Both tracing libraries are CommonJS and require Node builtins (`crypto`, `dgram`, `util`…).
// Bundled into an ES module by esbuild, those become calls to a shim that needs a global
// `require`, which ES modules lack. One is lent for the duration of the load only, so a traced
// handler bundled as ESM works without the `createRequire` banner other tracers ask for.

/**
 * Runs `load` with a global `require` in place (unless one exists), removing it afterwards.
 * Neither library requires anything after it is loaded (checked by bundling tests).
 */
export async function withGlobalRequire<T>(load: () => Promise<T>): Promise<T> {
  const g = globalThis as { require?: unknown };
  if (typeof g.require === 'function') return load();
  const lent = process.getBuiltinModule('node:module').createRequire(`${process.cwd()}/`);
  g.require = lent;
  try {
    return await load();
  } finally {
    // Unless someone else set one meanwhile: theirs stays.
    if (g.require === lent) delete g.require;
  }
}
