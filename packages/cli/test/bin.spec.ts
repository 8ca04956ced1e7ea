import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundle, localTempDir, sourceOf, tempDir } from './helpers.js';

// End to end, as a user runs it: the real bin/fleece.js, over the sources bundled where the bin
// expects the build (dist/index.js), in child processes that reach the local AWS through the
// standard environment variables only.

let aws: LocalAws;
let temp: Awaited<ReturnType<typeof tempDir>>;
let builds: Awaited<ReturnType<typeof localTempDir>>;
let bin: string;
let configModule: string;

function exec(command: string, args: string[], options: { cwd: string; stdin?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env['PATH'], HOME: temp.dir, ...aws.env() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

beforeAll(async () => {
  aws = await startLocalAws({ services: ['kms'] });
  const kms = new KMSClient(aws.clientConfig('kms'));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/prod-config', TargetKeyId: KeyMetadata!.KeyId! }));
  kms.destroy();
  temp = await tempDir();
  builds = await localTempDir();
  const pkg = join(builds.dir, 'cli');
  await mkdir(join(pkg, 'bin'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
  await bundle(sourceOf('cli'), join(pkg, 'dist', 'index.js'));
  bin = join(pkg, 'bin', 'fleece.js');
  await copyFile(resolve(__dirname, '..', 'bin', 'fleece.js'), bin);
  await (await import('node:fs/promises')).chmod(bin, 0o755);
  // One CommonJS build of @fleece/config that both twins load, as a published package's would be.
  configModule = await bundle(sourceOf('config'), join(builds.dir, 'config-lib', 'index.cjs'), 'cjs');
}, 60_000);
afterAll(async () => {
  await aws.stop();
  await temp.remove();
  await builds.remove();
});

describe('the fleece bin', () => {
  it('is an executable with a node shebang that loads the build', async () => {
    const source = await readFile(resolve(__dirname, '..', 'bin', 'fleece.js'), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(source).toContain("from '../dist/index.js'");
    expect((await stat(resolve(__dirname, '..', 'bin', 'fleece.js'))).mode & 0o111).not.toBe(0);
    const help = await exec(bin, ['--help'], { cwd: temp.dir });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/Usage: fleece/);
    expect((await exec(bin, ['config', 'render'], { cwd: temp.dir })).code).toBe(2);
  });

  it('imports from a real stdin and renders a --module whose ES module and CommonJS twin each decrypt with exactly one KMS call', async () => {
    const project = join(temp.dir, 'project');
    await mkdir(project);
    const open = 'stages:\n  prod: { key: prod-config }\nconfig:\n  table: t\n  password: { +prod: ":encrypt:p4ss" }\n';
    const imported = await exec(bin, ['config', 'import'], { cwd: project, stdin: open });
    expect(imported).toMatchObject({ code: 0, stdout: '' });
    expect(imported.stderr).toMatch(/1 secret sealed under 1 key \(prod-config\)/);

    const rendered = await exec(bin, ['config', 'render', 'prod', '--module', '--out', 'fleece-config', '--import-from', configModule], { cwd: project });
    expect(rendered.code).toBe(0);

    aws.resetRequests();
    const script = "const m = await import('./fleece-config.mjs'); console.log(JSON.stringify({ d: m.default, same: m.default === m.config }));";
    const esm = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(esm.stderr).not.toMatch(/Error/);
    expect(JSON.parse(esm.stdout)).toEqual({ d: { table: 't', password: 'p4ss' }, same: true });
    expect(aws.requests('kms').map((r) => r.operation)).toEqual(['Decrypt']);

    aws.resetRequests();
    const cjs = await exec(process.execPath, ['-e', "require('./fleece-config.cjs').config.then((c) => console.log(JSON.stringify(c)))"], { cwd: project });
    expect(JSON.parse(cjs.stdout)).toEqual({ table: 't', password: 'p4ss' });
    expect(aws.requests('kms').map((r) => r.operation)).toEqual(['Decrypt']);
  }, 30_000);

  it('exits non-zero with one line on stderr for a failure', async () => {
    const result = await exec(bin, ['config', '-c', 'missing.yml', 'export', '--json'], { cwd: temp.dir });
    expect(result.code).toBe(0);
    const failing = await exec(bin, ['config', '-c', 'missing.yml', 'render', 'prod'], { cwd: temp.dir });
    expect(failing).toMatchObject({ code: 8, stdout: '' });
    expect(failing.stderr).toBe('fleece: missing.yml does not exist; create it with "fleece config edit" or "fleece config import"\n');
  });
});
