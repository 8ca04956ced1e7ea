// Code that runs inside each worker thread, kept as text: a worker runs it with `eval: true`, so it
// needs no file of its own next to the build (or next to the sources under jest). It loads the
// user's module natively (ESM or CommonJS, TypeScript through the hooks below) and answers
// invocations one at a time, as a Lambda execution environment does.

/** What a worker is told at start. */
export interface WorkerData {
  mode: 'handler' | 'setup';
  file: string;
  exportName: string;
  /** ES module loader hooks for TypeScript, with esbuild's URL. */
  hooks?: { url: string; data: { esbuild: string } };
  /** The argument of a setup function. */
  setupArgument?: unknown;
}

/** An error as Lambda reports it. */
export interface WorkerError {
  errorType: string;
  errorMessage: string;
  stack?: string;
}

/** Messages from a worker. */
export type WorkerMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'init-error'; error: WorkerError }
  | { type: 'result'; id: number; payload: string }
  | { type: 'error'; id: number; error: WorkerError }
  | { type: 'setup-done'; payload: string }
  /** The runtime is going down: an unhandled rejection or an uncaught exception, as Lambda's runtime reports them. */
  | { type: 'fatal'; error: WorkerError };

/** The context fields a worker rebuilds the Lambda context from. */
export interface ContextData {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch ms: `getRemainingTimeInMillis()` counts down to it. */
  deadline: number;
}

/** A message to a worker. */
export interface InvokeMessage {
  type: 'invoke';
  id: number;
  /** The event's JSON, as Lambda delivers it. */
  event: string;
  context: ContextData;
  /** `_X_AMZN_TRACE_ID` for this invocation. */
  traceHeader?: string;
}

/** The worker's program (CommonJS, run with `eval: true`). */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

function describe(error, fallbackType) {
  if (error instanceof Error || (error && typeof error === 'object' && 'message' in error)) {
    return { errorType: String(error.name || fallbackType || 'Error'), errorMessage: String(error.message), stack: typeof error.stack === 'string' ? error.stack : undefined };
  }
  return { errorType: fallbackType || 'Error', errorMessage: String(error) };
}

function loadError(error) {
  const code = error && error.code;
  if (error instanceof SyntaxError) return { ...describe(error), errorType: 'Runtime.UserCodeSyntaxError', errorMessage: 'SyntaxError: ' + error.message };
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT' || code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    const described = describe(error);
    return { ...described, errorType: 'Runtime.ImportModuleError', errorMessage: described.errorType + ': ' + described.errorMessage };
  }
  return describe(error);
}

async function load() {
  if (workerData.hooks) {
    require('node:module').register(workerData.hooks.url, { data: workerData.hooks.data });
    // Stack traces point into the .ts sources (the compiled code carries inline source maps).
    process.setSourceMapsEnabled(true);
  }
  const namespace = await import(pathToFileURL(workerData.file).href);
  let fn = namespace[workerData.exportName];
  // A CommonJS module's exports arrive as the default export.
  if (fn === undefined && namespace.default && typeof namespace.default === 'object') fn = namespace.default[workerData.exportName];
  if (fn === undefined && workerData.mode === 'setup' && typeof namespace.default === 'function') fn = namespace.default;
  if (typeof fn !== 'function') {
    const exported = Object.keys(namespace).filter((k) => k !== 'default' || typeof namespace.default === 'function');
    const error = new Error(workerData.file + ' has no exported function "' + workerData.exportName + '"' + (exported.length ? ' (it exports ' + exported.join(', ') + ')' : ''));
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  // As the nodejs24.x runtime does: a third parameter means a callback handler, which it no longer runs.
  if (workerData.mode === 'handler' && fn.length >= 3) {
    const error = new Error('"' + workerData.exportName + '" in ' + workerData.file + ' takes a callback (3 parameters), and callback handlers are gone since the nodejs24.x runtime: '
      + 'make it async and return the result, e.g. export const ' + workerData.exportName + ' = async (event, context) => { ...; return result; }, '
      + 'and throw instead of calling callback(error)');
    error.name = 'Runtime.CallbackHandlerDeprecated';
    throw error;
  }
  return fn;
}

function contextOf(data) {
  const refuse = (name) => () => {
    throw new TypeError('context.' + name + '() is not supported: return a promise from an async handler instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: data.functionVersion,
    invokedFunctionArn: data.invokedFunctionArn,
    memoryLimitInMB: data.memoryLimitInMB,
    awsRequestId: data.awsRequestId,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(data.deadline - Date.now())),
    done: refuse('done'),
    fail: refuse('fail'),
    succeed: refuse('succeed'),
  };
}

function noCallback() {
  throw new TypeError('callback handlers are not supported (the nodejs24.x runtime dropped them): return a promise from an async handler instead');
}

// As the Lambda runtime does: report the failure, then let the environment go down.
process.on('unhandledRejection', (reason) => {
  const described = describe(reason);
  parentPort.postMessage({ type: 'fatal', error: { ...described, errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: described.errorType + ': ' + described.errorMessage } });
  process.exit(1);
});
process.on('uncaughtException', (error) => {
  parentPort.postMessage({ type: 'fatal', error: describe(error) });
  process.exit(1);
});

const started = Date.now();
load().then(
  async (fn) => {
    if (workerData.mode === 'setup') {
      try {
        const result = await fn(workerData.setupArgument);
        parentPort.postMessage({ type: 'setup-done', payload: JSON.stringify(result === undefined ? null : result) });
      } catch (error) {
        parentPort.postMessage({ type: 'init-error', error: describe(error) });
      }
      return;
    }
    parentPort.on('message', async (message) => {
      if (!message || message.type !== 'invoke') return;
      if (message.traceHeader) process.env._X_AMZN_TRACE_ID = message.traceHeader;
      else delete process.env._X_AMZN_TRACE_ID;
      let result;
      try {
        result = await fn(JSON.parse(message.event), contextOf(message.context), noCallback);
      } catch (error) {
        parentPort.postMessage({ type: 'error', id: message.id, error: describe(error) });
        return;
      }
      let payload;
      try {
        payload = result === undefined ? 'null' : JSON.stringify(result);
        if (payload === undefined) payload = 'null';
      } catch (error) {
        parentPort.postMessage({ type: 'error', id: message.id, error: { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to marshal response: ' + (error && error.message) } });
        return;
      }
      parentPort.postMessage({ type: 'result', id: message.id, payload });
    });
    parentPort.postMessage({ type: 'ready', initMs: Date.now() - started });
  },
  (error) => parentPort.postMessage({ type: 'init-error', error: loadError(error) }),
);
`;

/**
 * ES module loader hooks that compile TypeScript with esbuild as it is imported (types stripped,
 * nothing bundled), so `import.meta.url` and relative paths stay those of the source file. A
 * NodeNext-style `./x.js` import from a .ts file finds `./x.ts`.
 */
export const TS_HOOKS_SOURCE = String.raw`
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let esbuild;
export async function initialize(data) {
  esbuild = await import(data.esbuild);
}
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && /^\.\.?\//.test(specifier) && /\.[cm]?js$/.test(specifier) && /\.[cm]?ts$/.test(context.parentURL || '')) {
      return next(specifier.replace(/js$/, 'ts'), context);
    }
    throw error;
  }
}
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\.m?ts$/.test(url)) {
    const file = fileURLToPath(url);
    const { code } = await esbuild.transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file, sourcemap: 'inline', target: 'node20' });
    return { format: 'module', source: code, shortCircuit: true };
  }
  return next(url, context);
}
`;
