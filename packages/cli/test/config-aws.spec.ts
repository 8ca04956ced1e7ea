import { CreateAliasCommand, CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { getParameters, loadConfig, resetConfigCache, resetParameterCache } from '@fleece/config';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EXIT_CODES } from '../src/index.js';
import { run, tempDir } from './helpers.js';

const OPEN = `stages:
  prod: { environment: prod, key: prod-config }
  /.*/: { environment: dev, key: alias/dev-config }
config:
  foo: bar
  password:
    +prod: :encrypt:my-prod-password
    +/.*/: :encrypt:my-dev-password
  nested:
    inner_var: value
    a_list:
      - username1: { +prod: bob-prod, +/.*/: bob-dev }
        password1: { +prod: ":encrypt:bob-prod-pw", +/.*/: ":encrypt:bob-dev-pw" }
      - username2: user2
        password2: { +prod: ":encrypt:prod-pw2", +/.*/: ":encrypt:dev-pw2" }
`;

let aws: LocalAws;
let kms: KMSClient;
let ssm: SSMClient;
let temp: Awaited<ReturnType<typeof tempDir>>;

const calls = (service: 'kms' | 'ssm', operation?: string) => aws.requests(service).filter((r) => operation === undefined || r.operation === operation);
const fleece = (args: string[], options: { stdin?: string; stderrIsTTY?: boolean } = {}) => run(args, { cwd: temp.dir, services: { kms, ssm }, ...options });

beforeAll(async () => {
  aws = await startLocalAws({ services: ['kms', 'ssm'] });
  kms = new KMSClient(aws.clientConfig('kms'));
  ssm = new SSMClient(aws.clientConfig('ssm'));
  for (const alias of ['prod-config', 'dev-config', 'ssm-params']) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: KeyMetadata!.KeyId! }));
  }
});
afterAll(async () => {
  kms.destroy();
  ssm.destroy();
  await aws.stop();
});
beforeEach(async () => {
  temp = await tempDir();
  aws.resetRequests();
  resetConfigCache();
  resetParameterCache();
});
afterEach(() => temp.remove());

describe('fleece config against KMS', () => {
  it('import makes one GenerateDataKey per stage key; export and render unwrap each data key once', async () => {
    expect((await fleece(['config', 'import'], { stdin: OPEN })).code).toBe(0);
    expect(calls('kms').map((r) => r.operation)).toEqual(['GenerateDataKey', 'GenerateDataKey']);
    aws.resetRequests();
    const exported = await fleece(['config', 'export']);
    expect(parse(exported.stdout)).toEqual(parse(OPEN));
    expect(calls('kms', 'Decrypt')).toHaveLength(2);
    aws.resetRequests();
    const rendered = await fleece(['config', 'render', 'staging', '--json']);
    expect(JSON.parse(rendered.stdout).nested.a_list[1].password2).toBe('dev-pw2');
    expect(calls('kms').map((r) => r.operation)).toEqual(['Decrypt']);
  });

  it('migrates a Python fleece config.yml with export then import', async () => {
    const seal = async (text: string, key: string) =>
      `:decrypt:${Buffer.from((await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(text) }))).CiphertextBlob!).toString('base64')}`;
    const python = `stages:\n  prod:\n    environment: prod\n    key: prod-config\nconfig:\n  foo: bar\n  password:\n    +prod: ${await seal('pw', 'alias/prod-config')}\n`;
    await writeFile(join(temp.dir, 'config.yml'), python);
    const open = await fleece(['config', 'export']);
    expect(parse(open.stdout).config.password).toEqual({ '+prod': ':encrypt:pw' });
    expect((await fleece(['config', 'import'], { stdin: open.stdout })).code).toBe(0);
    const migrated = await readFile(join(temp.dir, 'config.yml'), 'utf8');
    expect(migrated).toMatch(/\+prod: :envelope:0:/);
    expect(JSON.parse((await fleece(['config', 'render', 'prod', '--json'])).stdout)).toEqual({ foo: 'bar', password: 'pw' });
  });

  it('render --encrypt gives an artifact that loadConfig opens with one KMS call', async () => {
    await fleece(['config', 'import'], { stdin: OPEN });
    const artifact = JSON.parse((await fleece(['config', 'render', 'prod', '--encrypt'])).stdout);
    expect(artifact.key).toBe('prod-config');
    aws.resetRequests();
    expect(await loadConfig({ artifact, kms })).toMatchObject({ password: 'my-prod-password' });
    expect(calls('kms').map((r) => r.operation)).toEqual(['Decrypt']);
  });

  it('reports a KMS failure with exit code 6 and leaves config.yml alone', async () => {
    await fleece(['config', 'import'], { stdin: OPEN });
    const before = await readFile(join(temp.dir, 'config.yml'), 'utf8');
    const result = await fleece(['config', 'import'], { stdin: OPEN.replace('key: prod-config', 'key: no-such-key') });
    expect(result.code).toBe(EXIT_CODES.KEYS);
    expect(result.stderr).toMatch(/^fleece: KMS GenerateDataKey with key no-such-key failed: NotFoundException/);
    expect(await readFile(join(temp.dir, 'config.yml'), 'utf8')).toBe(before);
  });
});

describe('fleece config render --parameter-store', () => {
  it('writes SecureStrings that getParameters reads back as the same tree', async () => {
    await fleece(['config', 'import'], { stdin: OPEN });
    const result = await fleece(['config', 'render', 'prod', '--parameter-store', '/super-service/prod', '--ssm-kms-key', 'ssm-params']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('writing 7 parameters under /super-service/prod as SecureString with key ssm-params\nwrote 7 parameters under /super-service/prod\n');
    const raw = await ssm.send(new GetParameterCommand({ Name: '/super-service/prod/password' }));
    expect(raw.Parameter?.Type).toBe('SecureString');
    const rendered = JSON.parse((await fleece(['config', 'render', 'prod', '--json'])).stdout);
    expect(await getParameters('/super-service/prod', { ssm })).toEqual(rendered);
  });

  it('shows progress for long uploads, and writes nothing when a name is invalid', async () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, { '+prod': `v${i}`, '+/.*/': 'd' }]));
    const text = `stages:\n  prod: { key: prod-config }\n  /.*/: { key: dev-config }\nconfig: ${JSON.stringify(many)}\n`;
    await fleece(['config', 'import'], { stdin: text });
    const plain = await fleece(['config', 'render', 'prod', '--parameter-store', '/many']);
    expect(plain.stderr.split('\n').filter((line) => / written$/.test(line))).toEqual(['10/25 written', '20/25 written', '25/25 written']);
    const tty = await fleece(['config', 'render', 'prod', '--parameter-store', '/many'], { stderrIsTTY: true });
    expect(tty.stderr).toContain('\r25/25 /many/k24');
    expect(Object.keys(await getParameters('/many', { ssm }))).toHaveLength(25);

    aws.resetRequests();
    await fleece(['config', 'import'], { stdin: text.replace('"k3"', '"bad key"') });
    const invalid = await fleece(['config', 'render', 'prod', '--parameter-store', '/many']);
    expect(invalid.code).toBe(EXIT_CODES.INVALID);
    expect(invalid.stderr).toMatch(/\/many\/bad key: "bad key" may use only/);
    expect(calls('ssm')).toHaveLength(0);
  });

  it('reports an SSM failure with exit code 6, naming the parameter', async () => {
    await fleece(['config', 'import'], { stdin: OPEN });
    const result = await fleece(['config', 'render', 'prod', '--parameter-store', '/p', '--ssm-kms-key', 'alias/none']);
    expect(result.code).toBe(EXIT_CODES.KEYS);
    expect(result.stderr).toMatch(/^fleece: parameter \/p\/foo: writing failed after 0 of 7/m);
  });
});
