import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { fleece, writeTree } from './build-helpers.js';

const exec = promisify(execFile);

// A function as a user writes it: TypeScript, an ES module, a CommonJS dependency that needs
// require() and __dirname at run time, a dependency that tree shaking must trim, an asset read at
// run time, and files that must stay out of the zip.
const HANDLER = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformOf, where } from 'cjs-dep';
import { used } from 'esm-dep';

export function namedStep(): string {
  return 'step';
}

export async function handler(event: { fail?: boolean; name?: string }) {
  if (event.fail) {
    throw new Error('asked to fail');
  }
  const greeting = readFileSync(join(process.cwd(), 'greeting.txt'), 'utf8').trim();
  return { message: \`\${greeting} \${event.name ?? 'world'}\`, used: used(), platform: platformOf(), cjsDirOk: typeof where() === 'string', step: namedStep.name };
}
`;

const PROJECT: Record<string, string> = {
  'package.json': JSON.stringify({ name: '@acme/orders', version: '1.0.0', type: 'module' }),
  'src/handler.ts': HANDLER,
  'src/greeting.txt': 'hello\n',
  'src/handler.spec.ts': 'throw new Error("tests are not shipped");\n',
  'src/types.d.ts': 'export {};\n',
  'src/fixtures/big.json': JSON.stringify({ big: 'x'.repeat(1000) }),
  'src/.DS_Store': 'junk',
  'README.md': '# orders\n',
  'node_modules/cjs-dep/package.json': JSON.stringify({ name: 'cjs-dep', version: '2.1.0', main: 'index.js' }),
  'node_modules/cjs-dep/index.js': "const os = require('os');\nexports.platformOf = () => os.platform();\nexports.where = () => __dirname;\n",
  'node_modules/esm-dep/package.json': JSON.stringify({ name: 'esm-dep', version: '1.0.0', type: 'module', module: 'index.js', main: 'index.js', sideEffects: false }),
  'node_modules/esm-dep/index.js': "export const used = () => 'kept';\nexport const unused = () => 'UNUSED_MARKER_' + 'x'.repeat(5000);\n",
};

let temp: string;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'fleece-build-test-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function project(name: string, files: Record<string, string> = PROJECT): Promise<string> {
  const dir = join(temp, name);
  await writeTree(dir, files);
  return dir;
}

function unzip(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(bytes)).map(([path, data]) => [path, Buffer.from(data).toString('utf8')]));
}

/** Extracts a zip into a fresh directory, as Lambda does into /var/task. */
async function extract(bytes: Uint8Array, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  for (const [path, data] of Object.entries(unzipSync(bytes))) {
    await mkdir(join(into, path, '..'), { recursive: true });
    await writeFile(join(into, path), data);
  }
  return into;
}

/** Invokes the extracted handler in a fresh Node, the way the Lambda runtime imports it. */
async function invoke(taskRoot: string, file: string, event: unknown): Promise<{ result?: unknown; error?: string }> {
  const script = `
    const load = ${file.endsWith('.mjs') ? 'import(process.argv[1])' : 'Promise.resolve(require(process.argv[1]))'};
    load.then((m) => m.handler(JSON.parse(process.argv[2])))
      .then((result) => process.stdout.write(JSON.stringify({ result })))
      .catch((error) => process.stdout.write(JSON.stringify({ error: error.stack })));`;
  const { stdout } = await exec(process.execPath, ['--enable-source-maps', '-e', script, join(taskRoot, file), JSON.stringify(event)], { cwd: taskRoot });
  return JSON.parse(stdout);
}

describe('fleece build', () => {
  it('writes dist/<package name>.zip with the bundle, its source map and the assets, and reports it', async () => {
    const dir = await project('report');
    const run = await fleece(['build', dir, '--exclude', 'fixtures'], { cwd: temp });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const zip = await readFile(join(dir, 'dist', 'orders.zip'));
    expect(Object.keys(unzip(zip))).toEqual(['greeting.txt', 'handler.mjs', 'handler.mjs.map']);

    // The report: where the zip is, its hash in Terraform's filebase64sha256 form, the handler
    // setting, each file, and the inputs that take the room.
    const sha = createHash('sha256').update(zip).digest('base64');
    expect(run.stdout).toContain(`built report/dist/orders.zip: ${zip.byteLength.toLocaleString('en-US')} bytes, sha256 ${sha}`);
    expect(run.stdout).toContain('handler handler.handler (nodejs22.x, esm)');
    expect(run.stdout).toMatch(/handler\.mjs\.map\s+[\d,]+ bytes/);
    const inputs = run.stdout.slice(run.stdout.indexOf('largest inputs'));
    expect(inputs).toMatch(/src\/handler\.ts\s+[\d,]+\s+[\d.]+ %/);
    expect(inputs).toMatch(/cjs-dep\s+[\d,]+/);
    expect(inputs).toMatch(/esm-dep\s+[\d,]+/);
  });

  it('makes a bundle that runs from the extracted zip: CommonJS deps, names kept, assets beside it', async () => {
    const dir = await project('runs');
    await fleece(['build', dir], { cwd: temp });
    const zip = await readFile(join(dir, 'dist', 'orders.zip'));
    const bundle = unzip(zip)['handler.mjs']!;
    // Tree shaking dropped what the handler does not use.
    expect(bundle).not.toContain('UNUSED_MARKER_');
    expect(bundle).toContain('//# sourceMappingURL=handler.mjs.map');

    const taskRoot = await extract(zip, join(temp, 'task-runs'));
    const { result } = await invoke(taskRoot, 'handler.mjs', { name: 'ada' });
    expect(result).toEqual({ message: 'hello ada', used: 'kept', platform: process.platform, cjsDirOk: true, step: 'namedStep' });
  });

  it('maps a stack trace back to the TypeScript source through the shipped source map', async () => {
    const dir = await project('maps');
    await fleece(['build', dir], { cwd: temp });
    const taskRoot = await extract(await readFile(join(dir, 'dist', 'orders.zip')), join(temp, 'task-maps'));
    const { error } = await invoke(taskRoot, 'handler.mjs', { fail: true });
    const line = HANDLER.split('\n').findIndex((text) => text.includes("throw new Error('asked to fail')")) + 1;
    expect(error).toContain('asked to fail');
    expect(error).toMatch(new RegExp(`src/handler\\.ts:${line}:\\d+`));
    // No source text in the map: stack traces need only the mappings.
    const map = JSON.parse(unzip(await readFile(join(dir, 'dist', 'orders.zip')))['handler.mjs.map']!);
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources).toEqual(expect.arrayContaining(['../src/handler.ts']));
  });

  it('gives the same bytes for the same source, wherever it is checked out and whenever it is built', async () => {
    const first = await project('same-a');
    await fleece(['build', first], { cwd: temp });
    const a = await readFile(join(first, 'dist', 'orders.zip'));
    // Touched files (a fresh checkout, a later build) must not change a byte.
    for (const file of ['src/handler.ts', 'src/greeting.txt', 'node_modules/cjs-dep/index.js']) {
      await utimes(join(first, file), new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'));
    }
    await fleece(['build', first], { cwd: temp });
    expect(Buffer.compare(await readFile(join(first, 'dist', 'orders.zip')), a)).toBe(0);

    const second = join(temp, 'elsewhere', 'deeper', 'same-b');
    await cp(first, second, { recursive: true });
    await rm(join(second, 'dist'), { recursive: true });
    await fleece(['build', second], { cwd: temp });
    expect(Buffer.compare(await readFile(join(second, 'dist', 'orders.zip')), a)).toBe(0);

    // And a change to the source changes the bytes.
    await writeFile(join(second, 'src', 'greeting.txt'), 'hi\n');
    await fleece(['build', second], { cwd: temp });
    expect(Buffer.compare(await readFile(join(second, 'dist', 'orders.zip')), a)).not.toBe(0);
  });

  it('leaves the AWS SDK to the runtime unless asked to bundle it', async () => {
    const dir = await project('sdk', {
      'package.json': JSON.stringify({ name: 'sdk-fn', type: 'module' }),
      'src/handler.ts': "import { STSClient } from '@aws-sdk/client-sts';\nexport const handler = async () => typeof STSClient;\n",
    });
    // The temp directory is outside the repository: link the installed SDK into the project.
    await mkdir(join(dir, 'node_modules', '@aws-sdk'), { recursive: true });
    await symlink(join(__dirname, '..', '..', '..', 'node_modules', '@aws-sdk', 'client-sts'), join(dir, 'node_modules', '@aws-sdk', 'client-sts'));
    const external = await fleece(['build', dir], { cwd: temp });
    expect(external.code).toBe(0);
    const small = unzip(await readFile(join(dir, 'dist', 'sdk-fn.zip')))['handler.mjs']!;
    expect(small).toMatch(/from\s*"@aws-sdk\/client-sts"/);
    expect(small.length).toBeLessThan(2000);

    const bundled = await fleece(['build', dir, '--bundle-aws-sdk', '--name', 'with-sdk'], { cwd: temp });
    expect(bundled.code).toBe(0);
    const large = unzip(await readFile(join(dir, 'dist', 'with-sdk.zip')))['handler.mjs']!;
    expect(large).not.toMatch(/from\s*"@aws-sdk\/client-sts"/);
    expect(large.length).toBeGreaterThan(50_000);
    expect(bundled.stdout).toMatch(/@aws-sdk\/client-sts\s+[\d,]+/);
  }, 30_000);

  it('builds CommonJS with --format cjs, and honours --source, --entry, --target and --external', async () => {
    const dir = await project('cjs', {
      'lib/api/main.ts': "import { tag } from 'left-out';\nexport const handler = async () => ({ kind: typeof module, tag: typeof tag, lazy: await import('lazy-out') });\n",
      'node_modules/left-out/package.json': JSON.stringify({ name: 'left-out', main: 'index.js' }),
      'node_modules/left-out/index.js': 'exports.tag = "BUNDLED_MARKER";\n',
    });
    const run = await fleece(['build', dir, '--source', 'lib', '--entry', 'api/main.ts', '--target', 'out', '--format', 'cjs', '--external', 'left-out', 'lazy-out'], { cwd: temp });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('handler api/main.handler (nodejs22.x, cjs)');
    const files = unzip(await readFile(join(dir, 'out', 'cjs.zip')));
    expect(Object.keys(files)).toEqual(['api/main.js', 'api/main.js.map']);
    expect(files['api/main.js']).toContain('require("left-out")');
    expect(files['api/main.js']).not.toContain('BUNDLED_MARKER');
    // A lazy import becomes a lazy require: one CommonJS copy of the runtime's SDK, loaded fast.
    expect(files['api/main.js']).toContain('require("lazy-out")');
    expect(files['api/main.js']).not.toContain('import("lazy-out")');
  });

  it('warns about native modules, naming the package, its version and the evidence', async () => {
    const dir = await project('native', {
      'package.json': JSON.stringify({ name: 'native-fn' }),
      'src/handler.ts': "import { gyp } from 'gyp-addon';\nimport { prebuilt } from 'prebuilt-addon';\nexport const handler = async () => [gyp(), prebuilt()];\n",
      'node_modules/gyp-addon/package.json': JSON.stringify({ name: 'gyp-addon', version: '3.2.1', main: 'index.js' }),
      'node_modules/gyp-addon/binding.gyp': '{ "targets": [] }',
      'node_modules/gyp-addon/index.js': "const addon = require('./build/Release/addon.node');\nexports.gyp = () => addon;\n",
      'node_modules/prebuilt-addon/package.json': JSON.stringify({ name: 'prebuilt-addon', version: '0.4.0', main: 'index.js', dependencies: { 'node-gyp-build': '^4.0.0' } }),
      'node_modules/prebuilt-addon/index.js': 'exports.prebuilt = () => 1;\n',
    });
    const run = await fleece(['build', dir], { cwd: temp });
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^warning: gyp-addon@3\.2\.1 has native code \(binding\.gyp\): .*will not load on Lambda/);
    expect(warnings[1]).toMatch(/^warning: prebuilt-addon@0\.4\.0 has native code \(depends on node-gyp-build\)/);
    // The addon itself was left out rather than failing the build.
    expect(Object.keys(unzip(await readFile(join(dir, 'dist', 'native-fn.zip'))))).toEqual(['handler.mjs', 'handler.mjs.map']);
  });

  it('sums a workspace package used from source under its own name, the function\'s own files one by one', async () => {
    const dir = await project('workspace', {
      'package.json': JSON.stringify({ name: 'ws-fn' }),
      'src/handler.ts': "import { shared } from '@acme/shared';\nimport { local } from './local.js';\nexport const handler = async () => [shared(), local()];\n",
      'src/local.ts': "export const local = () => 'LOCAL';\n",
    });
    await writeTree(join(temp, 'shared-package'), {
      'package.json': JSON.stringify({ name: '@acme/shared', main: 'lib/index.js' }),
      'lib/index.js': "exports.shared = () => 'SHARED'.repeat(3);\n",
    });
    await mkdir(join(dir, 'node_modules', '@acme'), { recursive: true });
    await symlink(join(temp, 'shared-package'), join(dir, 'node_modules', '@acme', 'shared'));
    const run = await fleece(['build', dir], { cwd: temp });
    expect(run.code).toBe(0);
    const inputs = run.stdout.slice(run.stdout.indexOf('largest inputs')).split('\n').slice(1).map((line) => line.trim().split(/\s+/)[0]);
    expect(inputs).toEqual(expect.arrayContaining(['@acme/shared', 'src/handler.ts', 'src/local.ts']));
    expect(inputs).not.toContain('ws-fn');
  });

  it('fails clearly: a missing entry, a compile error, bad options', async () => {
    const dir = await project('broken', {
      'package.json': JSON.stringify({ name: 'broken' }),
      'src/handler.ts': 'export const handler = async () => {\n  return 1 +;\n};\n',
    });
    const missing = await fleece(['build', dir, '--entry', 'nope.ts'], { cwd: temp });
    expect(missing.code).toBe(8);
    expect(missing.stderr).toMatch(/^fleece: build: entry .*nope\.ts does not exist/);

    const syntax = await fleece(['build', dir], { cwd: temp });
    expect(syntax.code).toBe(3);
    expect(syntax.stderr).toMatch(/bundling src\/handler\.ts failed:/);
    expect(syntax.stderr).toMatch(/src\/handler\.ts:2:\d+/);

    const format = await fleece(['build', dir, '--format', 'umd'], { cwd: temp });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('option "format" must be "esm" or "cjs"');

    const node = await fleece(['build', dir, '--node', 'latest'], { cwd: temp });
    expect(node.code).toBe(2);
    expect(node.stderr).toContain('option "node"');

    const noSource = await fleece(['build', dir, '--source', 'lib'], { cwd: temp });
    expect(noSource.code).toBe(8);
    expect(noSource.stderr).toMatch(/source directory .*lib does not exist/);

    const badGlob = await fleece(['build', join(temp, 'report'), '--exclude', 'a[b'], { cwd: temp });
    expect(badGlob.code).toBe(2);
    expect(badGlob.stderr).toContain('unclosed "["');
  });
});
