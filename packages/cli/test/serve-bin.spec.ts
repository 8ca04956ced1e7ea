import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundle, localTempDir, sourceOf } from './helpers.js';
import { eventually, project, type Project } from './serve-helpers.js';

// `fleece serve` as a user runs it in a real folder: the real bin over the bundled sources, its
// stdout redirected to a log file inside the handler's folder, stopped by one SIGINT.

const HANDLER = `
console.log('loading the handler');
export const handler = async (event) => {
  console.log('serving', event.path);
  return { statusCode: 200, body: 'ok' };
};
`;

let builds: Awaited<ReturnType<typeof localTempDir>>;
let bin: string;
let p: Project;

beforeAll(async () => {
  builds = await localTempDir();
  const pkg = join(builds.dir, 'cli');
  await mkdir(join(pkg, 'bin'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
  await bundle(sourceOf('cli'), join(pkg, 'dist', 'index.js'));
  bin = join(pkg, 'bin', 'fleece.js');
  await copyFile(resolve(__dirname, '..', 'bin', 'fleece.js'), bin);
  await chmod(bin, 0o755);
  p = await project({
    'app/handler.mjs': HANDLER,
    'app/.gitignore': '# build output\ndist/\n*.tmp\n!keep.tmp\n',
    'app/dist/out.js': '',
    'app/node_modules/dep/index.js': '',
    'app/.git/HEAD': 'ref: refs/heads/main\n',
  });
}, 60_000);
afterAll(async () => {
  await builds.remove();
  await p.remove();
});

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `fleece serve <args>` in the app folder, stdout to app/serve.log (as `> serve.log` does). */
function start(args: string[], logName = 'serve.log'): Started {
  const log = openSync(join(p.dir, 'app', logName), 'a');
  const child = spawn(process.execPath, [bin, 'serve', 'handler.mjs', '--aws', 'real', ...args], {
    cwd: join(p.dir, 'app'),
    env: { PATH: process.env['PATH'], AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stderr: () => stderr, exited };
}

describe('fleece serve in a real folder', () => {
  it('logs into its own folder without reloading, ignores what .gitignore names, and stops at the first SIGINT', async () => {
    const served = start(['--port', '0']);
    try {
      const url = await eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(served.stderr())?.[1], 30_000);
      for (let i = 0; i < 5; i++) expect((await fetch(`${url}/n${i}`)).status).toBe(200);
      await writeFile(join(p.dir, 'app', 'dist', 'out.js'), 'changed');
      await writeFile(join(p.dir, 'app', 'node_modules', 'dep', 'index.js'), 'changed');
      await writeFile(join(p.dir, 'app', '.git', 'HEAD'), 'changed');
      await writeFile(join(p.dir, 'app', 'debug.log'), 'changed');
      await writeFile(join(p.dir, 'app', 'scratch.tmp'), 'changed');
      // The log keeps growing with each request; a reload would load the handler again, which logs again, and so on.
      await eventually(async () => ((await readFile(join(p.dir, 'app', 'serve.log'), 'utf8')).includes('serving /n4') ? true : undefined));
      await new Promise((done) => setTimeout(done, 1500));
      expect(served.stderr()).not.toContain('changed: reloading');
      // What .gitignore re-includes is watched, as is the handler.
      await writeFile(join(p.dir, 'app', 'keep.tmp'), 'changed');
      await eventually(() => (served.stderr().includes('keep.tmp changed: reloading handler.mjs') ? true : undefined), 10_000);
      await eventually(() => (/reloaded in \d+ ms/.test(served.stderr()) ? true : undefined), 20_000);
      await new Promise((done) => setTimeout(done, 1500));
      expect(served.stderr().split('changed: reloading').length).toBe(2);
      expect((await readFile(join(p.dir, 'app', 'serve.log'), 'utf8')).split('loading the handler').length).toBe(3);

      served.child.kill('SIGINT');
      expect(await served.exited).toBe(0);
      expect(served.stderr()).toMatch(/SIGINT: stopping\nstopped\n$/);
    } finally {
      served.child.kill('SIGKILL');
    }
  }, 90_000);

  it('says in one line that the port is in use, with exit code 9', async () => {
    const first = start(['--port', '0', '--no-watch'], 'first.log');
    try {
      const port = await eventually(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(first.stderr())?.[1], 30_000);
      const second = start(['--port', port, '--no-watch'], 'second.log');
      expect(await second.exited).toBe(9);
      expect(second.stderr()).toBe(`fleece: port ${port} on 127.0.0.1 is in use: stop what holds it, or choose another with --port\n`);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
    }
  }, 60_000);
});
