import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, startLocalAws, type LocalAws } from '@fleece/testing';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleece } from './build-helpers.js';

// `fleece run` in-process against the local STS of @fleece/testing: the child is a real process
// (a recorder script) that writes down the arguments and AWS variables it was given.

let aws: LocalAws;
let dir: string;
let recorder: string;

const OTHER_ACCOUNT = '210987654321';
const ENVIRONMENTS = `environments:
  - name: dev
    account: '${LOCAL_ACCOUNT}'
  - name: prod
    account: '${LOCAL_ACCOUNT}'
    role: Deployer
  - name: elsewhere
    account: '${OTHER_ACCOUNT}'
`;

interface Recorded {
  argv: string[];
  env: Record<string, string>;
}

beforeAll(async () => {
  aws = await startLocalAws({ services: ['sts'] });
  dir = await mkdtemp(join(tmpdir(), 'fleece-run-test-'));
  await writeFile(join(dir, 'environments.yml'), ENVIRONMENTS);
  recorder = join(dir, 'recorder.cjs');
  await writeFile(
    recorder,
    `const { writeFileSync } = require('node:fs');
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('AWS_') || name.startsWith('FLEECE_')));
writeFileSync(process.env.RECORD_FILE, JSON.stringify({ argv: process.argv.slice(2), env }));
const exit = Number(process.env.EXIT_WITH ?? 0);
if (process.env.KILL_WITH) process.kill(process.pid, process.env.KILL_WITH);
else process.exit(exit);
`,
  );
}, 30_000);
afterAll(async () => {
  await aws.stop();
  await rm(dir, { recursive: true, force: true });
});

let runs = 0;
/** `fleece run <options> -- node recorder.cjs <args>` with the local AWS as the default credentials. */
async function runRecorded(options: string[], args: string[], extraEnv: Record<string, string> = {}) {
  const record = join(dir, `record-${++runs}.json`);
  const env = { PATH: process.env['PATH'], ...aws.env(), RECORD_FILE: record, ...extraEnv };
  const result = await fleece(['run', ...options, '--', process.execPath, recorder, ...args], { cwd: dir, env });
  const recorded = await readFile(record, 'utf8').then((text) => JSON.parse(text) as Recorded, () => undefined);
  return { ...result, recorded };
}

/** Who STS says these credentials are. */
async function whoIs(env: Record<string, string>) {
  const sts = new STSClient({
    endpoint: aws.endpoint('sts'),
    region: 'us-east-1',
    credentials: { accessKeyId: env['AWS_ACCESS_KEY_ID']!, secretAccessKey: env['AWS_SECRET_ACCESS_KEY']!, sessionToken: env['AWS_SESSION_TOKEN'] },
  });
  try {
    return await sts.send(new GetCallerIdentityCommand({}));
  } finally {
    sts.destroy();
  }
}

describe('fleece run', () => {
  it("assumes the environment's role and gives the command its temporary credentials", async () => {
    const { code, stderr, recorded } = await runRecorded(['--environment', 'prod'], [], { AWS_SESSION_TOKEN: 'a-stale-token-of-the-parent' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const env = recorded!.env;
    expect(env['AWS_ACCESS_KEY_ID']).toMatch(/^ASIA/);
    expect(env['AWS_ACCESS_KEY_ID']).not.toBe(LOCAL_CREDENTIALS.accessKeyId);
    expect(env['AWS_SESSION_TOKEN']).toBeTruthy();
    expect(env['AWS_SESSION_TOKEN']).not.toBe('a-stale-token-of-the-parent');
    expect(env['AWS_SECURITY_TOKEN']).toBe(env['AWS_SESSION_TOKEN']);
    expect(Date.parse(env['AWS_CREDENTIAL_EXPIRATION']!)).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(env['AWS_ACCOUNT_ID']).toBe(LOCAL_ACCOUNT);
    expect(env['FLEECE_ENVIRONMENT']).toBe('prod');
    // Region and endpoints pass through unchanged.
    expect(env['AWS_REGION']).toBe(aws.env()['AWS_REGION']);
    expect(env['AWS_ENDPOINT_URL_STS']).toBe(aws.endpoint('sts'));

    const identity = await whoIs(env);
    expect(identity.Arn).toMatch(new RegExp(`^arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Deployer/fleece-run-[\\w+=,.@-]+$`));
  });

  it('names the session after the user', async () => {
    const { recorded } = await runRecorded(['-e', 'prod'], [], { USER: 'ada lovelace' });
    expect((await whoIs(recorded!.env)).Arn).toBe(`arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/Deployer/fleece-run-ada-lovelace`);
  });

  it('takes --role over the environment, as a name or an ARN in the account', async () => {
    const byName = await runRecorded(['-e', 'prod', '--role', 'ReadOnly'], []);
    expect((await whoIs(byName.recorded!.env)).Arn).toMatch(/:assumed-role\/ReadOnly\//);
    const byArn = await runRecorded(['-e', 'dev', '-r', `arn:aws:iam::${LOCAL_ACCOUNT}:role/team/Auditor`], []);
    expect((await whoIs(byArn.recorded!.env)).Arn).toMatch(/:assumed-role\/Auditor\//);

    const foreign = await runRecorded(['-e', 'dev', '--role', `arn:aws:iam::${OTHER_ACCOUNT}:role/Auditor`], []);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toBe(`fleece: environment "dev": role arn:aws:iam::${OTHER_ACCOUNT}:role/Auditor is in account ${OTHER_ACCOUNT}, not the environment's account ${LOCAL_ACCOUNT}\n`);
    expect(foreign.recorded).toBeUndefined();
    const nonsense = await runRecorded(['-e', 'dev', '--role', 'not a role!'], []);
    expect(nonsense.code).toBe(2);
    expect(nonsense.stderr).toContain('role "not a role!" is neither a role name nor a role ARN');
  });

  it('passes every argument through unchanged: spaces, quotes, globs, variables, options, empty ones', async () => {
    const args = ['two words', "it's", '"double"', '*', '$HOME', '`id`', '; rm -rf /', '--flag=x y', '-e', 'dev', '', 'line\nbreak', 'ünïcødé ✓', '--', '\\back\\slash'];
    const { code, recorded } = await runRecorded(['-e', 'prod'], args);
    expect(code).toBe(0);
    expect(recorded!.argv).toEqual(args);
  });

  it("exits with the command's exit code, or 128 + the signal number", async () => {
    const failed = await runRecorded(['-e', 'prod'], [], { EXIT_WITH: '7' });
    expect(failed.code).toBe(7);
    expect(failed.error).toMatchObject({ name: 'CommandExit', silent: true, exitCode: 7 });
    const killed = await runRecorded(['-e', 'prod'], [], { KILL_WITH: 'SIGTERM' });
    expect(killed.code).toBe(128 + 15);
    expect(killed.error).toMatchObject({ message: expect.stringContaining('was ended by SIGTERM') });
  });

  it('without a role, runs with the default credentials once STS says they are in the account', async () => {
    const { code, recorded } = await runRecorded(['-e', 'dev'], []);
    expect(code).toBe(0);
    expect(recorded!.env['AWS_ACCESS_KEY_ID']).toBe(LOCAL_CREDENTIALS.accessKeyId);
    expect(recorded!.env['AWS_SESSION_TOKEN']).toBeUndefined();
    expect(recorded!.env['AWS_ACCOUNT_ID']).toBe(LOCAL_ACCOUNT);

    const elsewhere = await runRecorded(['-e', 'elsewhere'], []);
    expect(elsewhere.code).toBe(6);
    expect(elsewhere.stderr).toBe(
      `fleece: environment "elsewhere" (account ${OTHER_ACCOUNT}): no role to assume (add "role:" to the environment or pass --role), and the default credentials are for account ${LOCAL_ACCOUNT}\n`,
    );
    expect(elsewhere.recorded).toBeUndefined();
  });

  it('names the environment and the STS failure, and runs nothing, when the role cannot be assumed', async () => {
    const bad = await runRecorded(['-e', 'prod'], [], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(bad.code).toBe(6);
    expect(bad.stderr).toMatch(new RegExp(`^fleece: environment "prod" \\(account ${LOCAL_ACCOUNT}\\): cannot assume role arn:aws:iam::${LOCAL_ACCOUNT}:role/Deployer: \\w+`));
    expect(bad.stderr).not.toContain('not-the-secret');
    expect(bad.recorded).toBeUndefined();

    const unreachable = await runRecorded(['-e', 'dev'], [], { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr).toContain(`fleece: environment "dev" (account ${LOCAL_ACCOUNT}): cannot check the default credentials with STS GetCallerIdentity:`);
  }, 30_000);

  it('explains a missing environment, a missing or invalid file, and a command that is not there', async () => {
    const unknown = await runRecorded(['-e', 'staging'], []);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('fleece: environment "staging" is not defined in environments.yml (defined: dev, prod, elsewhere)\n');

    const missing = await runRecorded(['-e', 'dev', '--environments', 'envs/none.yml'], []);
    expect(missing.code).toBe(8);
    expect(missing.stderr).toBe('fleece: environment "dev": cannot read envs/none.yml: no such file (set --environments)\n');

    await writeFile(join(dir, 'numbers.yml'), 'environments:\n  - name: dev\n    account: 123456789012\n');
    const invalid = await runRecorded(['-e', 'dev', '--environments', 'numbers.yml'], []);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(/^fleece: environment "dev": numbers\.yml is invalid: .*quote it/);

    const env = { PATH: process.env['PATH'], ...aws.env() };
    const notFound = await fleece(['run', '-e', 'prod', '--', 'fleece-no-such-command', 'x'], { cwd: dir, env });
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toBe('fleece: environment "prod": cannot run fleece-no-such-command: command not found\n');

    const usage = await fleece(['run', '--', 'true'], { cwd: dir, env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '-e, --environment <name>' not specified");
  });
});
