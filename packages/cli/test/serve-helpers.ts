import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startServe, type RunningServe, type ServeIO } from '../src/serve/server.js';
import type { ServeOptions } from '../src/serve/options.js';

/** A temp project: files written relative to it, removed by `remove()`. */
export interface Project {
  dir: string;
  write(path: string, content: string): Promise<string>;
  remove(): Promise<void>;
}

export async function project(files: Record<string, string> = {}): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'fleece-serve-test-'));
  const write = async (path: string, content: string) => {
    const file = join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    return file;
  };
  for (const [path, content] of Object.entries(files)) await write(path, content);
  return { dir, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Recorded output of a server. */
export interface Recorded {
  stdout: string;
  stderr: string;
}

/** An io that records what the server and its workers write. */
export function recordingIO(cwd: string, env: Record<string, string | undefined> = {}): ServeIO & { out: Recorded } {
  const out: Recorded = { stdout: '', stderr: '' };
  return {
    out,
    cwd,
    env: { PATH: process.env['PATH'], AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
  };
}

/** Starts a server on a free port, without the local AWS or the watcher unless asked. */
export async function serve(
  handlerFile: string,
  options: Partial<ServeOptions> & { env?: Record<string, string> } = {},
  ioEnv: Record<string, string | undefined> = {},
): Promise<{ running: RunningServe; out: Recorded; url: (path: string) => string }> {
  const io = recordingIO(dirname(handlerFile), ioEnv);
  const running = await startServe({ handler: { file: handlerFile, exportName: 'handler' }, port: 0, aws: 'real', watch: false, ...options }, io);
  return { running, out: io.out, url: (path) => `${running.url}${path}` };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
