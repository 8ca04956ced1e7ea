import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleRef } from './options.js';
import { describeInit } from './outcome.js';
import { InitError, startWorker, type Output } from './pool.js';
import { ServeAbortedError, ServeStartError } from './start-error.js';
import { TS_HOOKS_SOURCE, type WorkerData, type WorkerMessage } from './worker-source.js';

/** What the setup run needs of the server's surroundings. */
export interface SetupIO extends Output {
  cwd: string;
  signal?: AbortSignal;
}

const SETUP_TIMEOUT_MS = 120_000;

/** Runs the setup module's function once in a worker with the function's environment; resolves to the variables it returns. */
export async function runSetup(setup: ModuleRef, argument: unknown, env: Record<string, string>, io: SetupIO): Promise<Record<string, string>> {
  const data: WorkerData = { mode: 'setup', file: setup.file, exportName: setup.exportName, hooks: hooksFor(setup.file, io.cwd), setupArgument: argument };
  const worker = startWorker(data, env, io);
  const where = `${relative(io.cwd, setup.file)}#${setup.exportName}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const payload = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new ServeStartError(`setup ${where} did not finish within ${SETUP_TIMEOUT_MS} ms`)), SETUP_TIMEOUT_MS);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'setup-done') resolve(message.payload);
        else if (message.type === 'init-error') reject(new ServeStartError(`setup ${where} failed: ${describeInit(new InitError(message.error))}`));
      });
      worker.on('error', (error) => reject(new ServeStartError(`setup ${where} failed: ${error.stack ?? error.message}`)));
      worker.on('exit', (code) => reject(io.signal?.aborted ? new ServeAbortedError('stopped before it started') : new ServeStartError(`setup ${where} exited with status ${code} before it finished`)));
      io.signal?.addEventListener('abort', () => void worker.terminate(), { once: true });
    });
    const result = JSON.parse(payload) as unknown;
    if (result === null) return {};
    if (typeof result !== 'object' || Array.isArray(result) || !Object.values(result).every((v) => typeof v === 'string')) {
      throw new ServeStartError(`setup ${where} must return nothing or the function's environment variables (an object of strings), got ${payload.slice(0, 100)}`);
    }
    return result as Record<string, string>;
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** TypeScript loader hooks for a .ts/.mts module, esbuild found from the module, the working directory or this command. */
export function hooksFor(file: string, cwd: string): WorkerData['hooks'] {
  if (!/\.m?ts$/.test(file)) return undefined;
  for (const base of [file, join(cwd, 'package.json'), process.argv[1] ?? join(cwd, 'x.js')]) {
    try {
      const esbuild = pathToFileURL(createRequire(base).resolve('esbuild')).href;
      return { url: `data:text/javascript,${encodeURIComponent(TS_HOOKS_SOURCE)}`, data: { esbuild } };
    } catch {
      // Try the next place.
    }
  }
  throw new ServeStartError(`serving TypeScript (${basename(file)}) needs esbuild: npm install --save-dev esbuild, or serve the compiled JavaScript`);
}
