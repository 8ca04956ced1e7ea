import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

// End to end: a temporary workspace with this repository's root configuration, a copy of its
// packages' sources and its node_modules (linked, not installed), where `nx g @fleece/tools:lambda` makes one function
// of each trigger and `nx run-many` then lints, type-checks, tests and builds all four.
//
// The workspace's `fleece` is the CLI bundled from packages/cli/src (as its bin would load the
// build), so the test needs no prior `npm run build` of any package.

const exec = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const TRIGGERS = ['api', 'sqs', 'schedule', 'custom-resource'] as const;
const TIMEOUT_MS = 15 * 60_000;

let ws: string;
/** The workspace's nx, through its node_modules link. */
let NX: string;
let cliDir: string;
// FLEECE_KEEP_WORKSPACE=1 keeps the workspace for a look (it is kept anyway when a command fails).
let keep = process.env['FLEECE_KEEP_WORKSPACE'] === '1';

// Nothing of an outer Nx (this test may run as an Nx task) or of this jest may leak into the
// workspace's commands: its Nx gets its own settings, its jest its own worker.
const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_') && !name.startsWith('JEST_')));
const env: Record<string, string | undefined> = {
  ...inherited,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
  FORCE_COLOR: '0',
  NODE_NO_WARNINGS: '1',
};

// Registers build and run until the program's command list names them, then runs main().
const CLI_ENTRY = `
import { COMMANDS, main } from './index.js';
import { registerBuildCommand } from './commands/build.js';
import { registerRunCommand } from './commands/run.js';
const commands = COMMANDS as unknown as unknown[];
for (const register of [registerBuildCommand, registerRunCommand]) if (!commands.includes(register)) commands.push(register);
export { main };
`;

/**
 * node_modules as links to the repository's, except `fleece` (bin and @fleece/cli: `cli`) and the
 * @fleece packages, which point at the workspace's copies.
 */
async function linkNodeModules(into: string, cli: string, packages: string[]): Promise<void> {
  const source = join(repo, 'node_modules');
  await mkdir(join(into, '.bin'), { recursive: true });
  await mkdir(join(into, '@fleece'), { recursive: true });
  for (const entry of await readdir(source)) {
    if (entry === '.bin' || entry === '@fleece' || entry === '.cache' || entry === '.package-lock.json') continue;
    await symlink(join(source, entry), join(into, entry));
  }
  for (const entry of await readdir(join(source, '.bin'))) {
    if (entry !== 'fleece') await symlink(join(source, '.bin', entry), join(into, '.bin', entry));
  }
  await symlink(join(cli, 'bin', 'fleece.js'), join(into, '.bin', 'fleece'));
  await symlink(cli, join(into, '@fleece', 'cli'));
  await symlink(join(repo, 'tools'), join(into, '@fleece', 'tools'));
  for (const name of packages) await symlink(join(ws, 'packages', name), join(into, '@fleece', name));
}

/**
 * Copies the @fleece packages (sources and configuration, no build output) into the workspace,
 * without their build scripts: the generated functions use them from source (the `@fleece/source`
 * condition), so nothing needs building first. The CLI stays out: `cli` plays its installed copy.
 */
async function copyPackages(): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(join(repo, 'packages'))) {
    const from = join(repo, 'packages', name);
    if (name === 'cli' || !existsSync(join(from, 'package.json'))) continue;
    await cp(from, join(ws, 'packages', name), { recursive: true, filter: (path) => !/[\\/](node_modules|dist|out-tsc|coverage|bench)$/.test(path) });
    const manifest = JSON.parse(await readFile(join(from, 'package.json'), 'utf8'));
    delete manifest.scripts;
    await writeFile(join(ws, 'packages', name, 'package.json'), JSON.stringify(manifest, null, 2));
    names.push(name);
  }
  return names;
}

async function run(command: string, args: string[], cwd = ws): Promise<string> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    keep = true;
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (kept for a look):\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'fleece-generator-ws-'));
  NX = join(ws, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
  cliDir = await mkdtemp(join(tmpdir(), 'fleece-generator-cli-'));
  const cli = join(cliDir, 'cli');
  await mkdir(join(cli, 'bin'), { recursive: true });
  await writeFile(join(cli, 'package.json'), JSON.stringify({ name: '@fleece/cli', version: '0.1.0', type: 'module', bin: { fleece: './bin/fleece.js' } }));
  await build({
    stdin: { contents: CLI_ENTRY, resolveDir: join(repo, 'packages', 'cli', 'src'), loader: 'ts', sourcefile: 'entry.ts' },
    outfile: join(cli, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@fleece/source'],
    // esbuild loads its platform binary next to its own package: leave it to node_modules.
    external: ['esbuild'],
    logLevel: 'error',
    banner: { js: "import { createRequire as __fleeceRequire } from 'node:module'; const require = __fleeceRequire(import.meta.url);" },
  });
  await copyFile(join(repo, 'packages', 'cli', 'bin', 'fleece.js'), join(cli, 'bin', 'fleece.js'));
  await chmod(join(cli, 'bin', 'fleece.js'), 0o755);
  await mkdir(join(cli, 'node_modules'), { recursive: true });
  await symlink(join(repo, 'node_modules', 'esbuild'), join(cli, 'node_modules', 'esbuild'));

  // The lock file gives Nx the external packages (eslint, jest, …) that inferred targets hash.
  for (const file of ['nx.json', 'tsconfig.base.json', 'jest.preset.js', 'eslint.config.mjs', 'package-lock.json']) await copyFile(join(repo, file), join(ws, file));
  const root = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8'));
  await writeFile(join(ws, 'package.json'), JSON.stringify({ name: root.name, private: true, workspaces: ['packages/*'], devDependencies: root.devDependencies }, null, 2));
  await writeFile(join(ws, '.gitignore'), 'node_modules\ndist\nout-tsc\ncoverage\n.nx\n');
  const packages = await copyPackages();
  await writeFile(join(ws, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json', files: [], references: packages.map((name) => ({ path: `./packages/${name}` })) }, null, 2));
  await mkdir(join(ws, 'node_modules'));
  await linkNodeModules(join(ws, 'node_modules'), cli, packages);
}, 120_000);

afterAll(async () => {
  if (cliDir) await rm(cliDir, { recursive: true, force: true });
  if (ws && !keep) await rm(ws, { recursive: true, force: true });
});

describe('generated functions in a workspace', () => {
  it(
    'pass lint, typecheck, test and build as generated, for every trigger',
    async () => {
      for (const trigger of TRIGGERS) {
        const output = await run(process.execPath, [NX, 'g', '@fleece/tools:lambda', `fn-${trigger}`, `--trigger=${trigger}`, '--no-interactive']);
        expect(output).toContain(`CREATE functions/fn-${trigger}/src/handler.ts`);
      }
      // What the generator wrote is what Nx's TypeScript sync would write: nothing to change.
      expect(await run(process.execPath, [NX, 'sync:check'])).toMatch(/The workspace is up to date/);
      const projects = TRIGGERS.map((trigger) => `fn-${trigger}`);
      const output = await run(process.execPath, [
        NX,
        'run-many',
        '-t',
        'lint,typecheck,test,build',
        `--projects=${projects.join(',')}`,
        '--output-style=static',
        '--parallel=2',
        '--skip-nx-cache',
      ]);
      if (keep) await writeFile(join(ws, 'run-many.log'), output);
      expect(output).toMatch(/Successfully ran targets lint, typecheck, test, build for 4 projects/);
      // Each generated test ran and passed (jest prints one summary per project).
      expect(output.match(/^Tests:\s+\d+ passed, \d+ total$/gm)).toHaveLength(4);

      for (const name of projects) {
        const zip = unzipSync(await readFile(join(ws, 'functions', name, 'dist', `${name}.zip`)));
        expect(Object.keys(zip).sort()).toEqual(['handler.mjs', 'handler.mjs.map']);
      }
    },
    TIMEOUT_MS,
  );

  it('builds zips that answer from a fresh Node, as Lambda would load them', async () => {
    const invoke = async (name: string, event: unknown) => {
      const taskRoot = join(ws, 'task', name);
      await mkdir(taskRoot, { recursive: true });
      for (const [path, data] of Object.entries(unzipSync(await readFile(join(ws, 'functions', name, 'dist', `${name}.zip`))))) {
        await writeFile(join(taskRoot, path), data);
      }
      const script = `import(process.argv[1]).then((m) => m.handler(JSON.parse(process.argv[2]), { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 3000 }))
        .then((result) => process.stdout.write('\\n' + JSON.stringify(result)))`;
      const stdout = await run(process.execPath, ['--enable-source-maps', '-e', script, join(taskRoot, 'handler.mjs'), JSON.stringify(event)], taskRoot);
      return { result: JSON.parse(stdout.trim().split('\n').pop()!), logs: stdout };
    };
    const api = await invoke('fn-api', { version: '2.0', rawPath: '/greetings/ada', rawQueryString: 'times=2', headers: {}, requestContext: { http: { method: 'GET', path: '/greetings/ada' }, requestId: 'api-1' }, isBase64Encoded: false });
    expect(api.result).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(api.result.body)).toEqual({ greeting: 'hello ada, hello ada' });
    expect(api.logs).toMatch(/"logger":"fn-api","message":"greeting","lambda_request_id":"r-1","api_request_id":"api-1"/);

    const schedule = await invoke('fn-schedule', { time: '2030-01-01T00:00:00Z', resources: ['arn:aws:events:us-east-1:123456789012:rule/x'] });
    expect(schedule.result).toMatchObject({ firedAt: '2030-01-01T00:00:00.000Z', lagMs: 0 });
  }, 60_000);
});
