import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, startLocalAws, type LocalAws } from '@fleece/testing';
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// End to end, as a user runs it: the real bin/fleece.js over the sources bundled where the bin
// expects the build, in a child process whose own child inherits the terminal streams.

const src = resolve(__dirname, '..', 'src');
let aws: LocalAws;
let dir: string;
let bin: string;

// Registers build and run until the program's command list names them, then runs main().
const ENTRY = `
import { COMMANDS, main } from './index.js';
import { registerBuildCommand } from './commands/build.js';
import { registerRunCommand } from './commands/run.js';
const commands = COMMANDS as unknown as unknown[];
for (const register of [registerBuildCommand, registerRunCommand]) if (!commands.includes(register)) commands.push(register);
export { main };
`;

function exec(args: string[], options: { env: Record<string, string | undefined>; stdin?: string; onStdout?: (text: string, pid: number) => void }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(bin, args, { cwd: dir, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      options.onStdout?.(stdout, child.pid!);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

beforeAll(async () => {
  aws = await startLocalAws({ services: ['sts'] });
  dir = await mkdtemp(join(tmpdir(), 'fleece-run-bin-'));
  const pkg = join(dir, 'cli');
  await mkdir(join(pkg, 'bin'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
  await build({
    stdin: { contents: ENTRY, resolveDir: src, loader: 'ts', sourcefile: 'entry.ts' },
    outfile: join(pkg, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@fleece/source'],
    logLevel: 'error',
    banner: { js: "import { createRequire as __fleeceRequire } from 'node:module'; const require = __fleeceRequire(import.meta.url);" },
  });
  bin = join(pkg, 'bin', 'fleece.js');
  await copyFile(resolve(__dirname, '..', 'bin', 'fleece.js'), bin);
  await chmod(bin, 0o755);
  await writeFile(join(dir, 'environments.yml'), `environments:\n  - name: prod\n    account: '${LOCAL_ACCOUNT}'\n    role: Deployer\n`);
  // The default credentials come from a named profile, as on a developer's machine.
  await writeFile(join(dir, 'credentials'), `[local]\naws_access_key_id = ${LOCAL_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${LOCAL_CREDENTIALS.secretAccessKey}\n`);
  await writeFile(join(dir, 'config'), '[profile local]\nregion = eu-west-1\n');
}, 60_000);
afterAll(async () => {
  await aws.stop();
  await rm(dir, { recursive: true, force: true });
});

function baseEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env['PATH'],
    HOME: dir,
    NODE_NO_WARNINGS: '1', // the AWS SDK's warning about Node 20's end of support
    AWS_PROFILE: 'local',
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_ENDPOINT_URL_STS: aws.endpoint('sts'),
  };
}

describe('fleece run, as a process', () => {
  it("gives a real AWS SDK in the command the assumed role and the profile's region, though the parent used a profile", async () => {
    const sts = require.resolve('@aws-sdk/client-sts');
    const script = `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(sts)});
      new STSClient({}).send(new GetCallerIdentityCommand({})).then((id) => console.log(id.Arn, process.env.AWS_PROFILE ?? 'no-profile', process.env.AWS_REGION));`;
    const run = await exec(['run', '-e', 'prod', '--', process.execPath, '-e', script], { env: baseEnv() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Deployer/fleece-run-[\\w+=,.@-]+ no-profile eu-west-1\\n$`));
  }, 30_000);

  it("hands the command this process's stdin, stdout and stderr, and exits with its code", async () => {
    const script = "let s='';process.stdin.on('data',(c)=>s+=c).on('end',()=>{process.stdout.write('out:'+s);process.stderr.write('err:'+process.argv[1]);process.exit(3)})";
    const run = await exec(['run', '-e', 'prod', '--', process.execPath, '-e', script, 'a "quoted" arg'], { env: baseEnv(), stdin: 'piped in' });
    expect(run).toEqual({ code: 3, stdout: 'out:piped in', stderr: expect.stringContaining('err:a "quoted" arg') });
  }, 30_000);

  it('passes SIGTERM on to the command and waits for it', async () => {
    const script = "process.on('SIGTERM',()=>{console.log('child got SIGTERM');process.exit(0)});console.log('ready');setInterval(()=>{},1000)";
    let sent = false;
    const run = await exec(['run', '-e', 'prod', '--', process.execPath, '-e', script], {
      env: baseEnv(),
      onStdout: (text, pid) => {
        if (!sent && text.includes('ready')) {
          sent = true;
          process.kill(pid, 'SIGTERM');
        }
      },
    });
    expect(run.stdout).toBe('ready\nchild got SIGTERM\n');
    expect(run.code).toBe(0);
  }, 30_000);
});
