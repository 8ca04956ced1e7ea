import { CreateAliasCommand, CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  createKeyProvider,
  exportConfig,
  importConfig,
  KeyProviderError,
  loadConfig,
  renderConfig,
  renderModule,
  resetConfigCache,
  sealArtifact,
} from '../src/index.js';
import { EXAMPLE, EXAMPLE_SECRETS, tempDir } from './helpers.js';

let aws: LocalAws;
let kms: KMSClient;
let prodKey: { id: string; arn: string };

const kmsCalls = (operation?: string) => aws.requests('kms').filter((r) => operation === undefined || r.operation === operation);

beforeAll(async () => {
  aws = await startLocalAws({ services: ['kms'] });
  kms = new KMSClient(aws.clientConfig('kms'));
  for (const alias of ['prod', 'dev']) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: alias }));
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: KeyMetadata!.KeyId! }));
    if (alias === 'prod') prodKey = { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
  }
});
afterAll(async () => {
  kms.destroy();
  await aws.stop();
});
beforeEach(() => {
  aws.resetRequests();
  resetConfigCache();
});

const kmsExample = EXAMPLE.replace('key: local:prod.key', 'key: prod').replace('key: local:dev.key', 'key: alias/dev');

describe('against KMS', () => {
  it('round-trips the full example with one GenerateDataKey per stage key and one Decrypt per data key', async () => {
    const keys = createKeyProvider({ kms });
    const closed = await importConfig(kmsExample, { keys });
    expect(kmsCalls().map((r) => r.operation)).toEqual(['GenerateDataKey', 'GenerateDataKey']);
    for (const secret of EXAMPLE_SECRETS) expect(closed.text).not.toContain(secret);
    aws.resetRequests();
    const opened = await exportConfig(closed.text, { keys });
    expect(parse(opened)).toEqual(parse(kmsExample));
    expect(kmsCalls().map((r) => r.operation)).toEqual(['Decrypt', 'Decrypt']);
    aws.resetRequests();
    const prod = await renderConfig(closed.text, 'prod', { keys });
    expect((prod.config as { password: string }).password).toBe('my-prod-password');
    expect(kmsCalls().map((r) => r.operation)).toEqual(['Decrypt']);
  });

  it('accepts a key as id, ARN, alias ARN, or alias with or without alias/', async () => {
    const keys = createKeyProvider({ kms });
    const aliasArn = prodKey.arn.replace(/key\/.*$/, 'alias/prod');
    for (const ref of [prodKey.id, prodKey.arn, aliasArn, 'prod', 'alias/prod']) {
      const text = `stages:\n  prod: { key: "${ref}" }\nconfig:\n  pw: { +prod: ":encrypt:s" }\n`;
      const closed = await importConfig(text, { keys });
      expect((await renderConfig(closed.text, 'prod', { keys })).config).toEqual({ pw: 's' });
    }
  });

  it('reads closed files the Python fleece wrote (":decrypt:" + a KMS ciphertext per value) and migrates them', async () => {
    const encrypt = async (text: string, key: string) => {
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from(text, 'utf8') }));
      return `:decrypt:${Buffer.from(CiphertextBlob!).toString('base64')}`;
    };
    // The layout ruamel.yaml's round_trip_dump gave fleece's import_config.
    const python = `stages:
  prod:
    environment: prod
    key: prod
  /.*/:
    environment: dev
    key: dev
config:
  foo: bar
  password:
    +dev: ${await encrypt('my-dev-password', 'alias/dev')}
    +prod: ${await encrypt('my-prod-password', 'alias/prod')}
    +/.*/: ${await encrypt('my-custom-password', 'alias/dev')}
  nested:
    inner_var: value
    a_list:
    - username1:
        +prod: bob-prod
        +/.*/: bob-dev
      password1:
        +prod: ${await encrypt('bob-prod-pw', 'alias/prod')}
        +/.*/: ${await encrypt('bob-dev-pw', 'alias/dev')}
    - username2: user2
      password2:
        +prod: ${await encrypt('prod-pw2', 'alias/prod')}
        +/.*/: ${await encrypt('dev-pw2', 'alias/dev')}
`;
    aws.resetRequests();
    const keys = createKeyProvider({ kms });
    const opened = await exportConfig(python, { keys });
    expect(parse(opened)).toEqual(parse(kmsExample.replace('key: alias/dev', 'key: dev')));
    expect(kmsCalls('Decrypt')).toHaveLength(7);
    const rendered = await renderConfig(python, 'feature-1', { keys });
    expect(rendered.config).toMatchObject({ password: 'my-custom-password', nested: { a_list: [{ password1: 'bob-dev-pw' }, { password2: 'dev-pw2' }] } });

    // Migration: export, then import, gives an envelope file that opens to the same configuration.
    const migrated = await importConfig(opened, { keys });
    expect(migrated.text).not.toContain(':decrypt:');
    expect(parse(await exportConfig(migrated.text, { keys }))).toEqual(parse(opened));

    const tampered = python.replace(/(\+prod: :decrypt:[A-Za-z0-9+/]{10})([A-Za-z0-9+/])/, (_, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
    await expect(renderConfig(tampered, 'prod', { keys })).rejects.toThrow(KeyProviderError);
  });

  it('names the key when KMS refuses, and never prints the plaintext', async () => {
    const keys = createKeyProvider({ kms });
    const error = await importConfig('stages:\n  qa: { key: alias/missing }\nconfig:\n  pw: { +qa: ":encrypt:hunter2" }\n', { keys }).catch((e) => e);
    expect(error).toBeInstanceOf(KeyProviderError);
    expect(error.message).toMatch(/^KMS GenerateDataKey with key alias\/missing failed: NotFoundException/);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a data key whose wrapping key is not the one the file names', async () => {
    const keys = createKeyProvider({ kms });
    const closed = (await importConfig(kmsExample, { keys })).text;
    const lied = closed.replace(/- key: alias\/dev/, '- key: alias/prod');
    await expect(renderConfig(lied, 'dev', { keys })).rejects.toThrow(/KMS Decrypt with key alias\/prod failed/);
  });

  it('explains an unreachable KMS', async () => {
    const dead = new KMSClient({ ...aws.clientConfig('kms'), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await expect(createKeyProvider({ kms: dead }).generateDataKey('alias/prod')).rejects.toThrow(/KMS GenerateDataKey with key alias\/prod failed: .*ECONNREFUSED/);
    dead.destroy();
  });
});

describe('artifacts against KMS', () => {
  it('decrypt with exactly one KMS call at cold start, whatever the size, and none when warm', async () => {
    const keys = createKeyProvider({ kms });
    for (const size of [4 * 1024, 512 * 1024]) {
      resetConfigCache();
      const config = { blob: 'x'.repeat(size) };
      const artifact = await sealArtifact(config, { stage: 'prod', key: 'prod', keys });
      aws.resetRequests();
      expect(await loadConfig({ artifact, kms })).toEqual(config);
      await loadConfig({ artifact, kms });
      expect(kmsCalls().map((r) => r.operation)).toEqual(['Decrypt']);
    }
  });

  it('the --module CommonJS output loads with the default client and one KMS call', async () => {
    const temp = await tempDir();
    const saved = { ...process.env };
    try {
      const keys = createKeyProvider({ kms });
      const closed = (await importConfig(kmsExample, { keys })).text;
      const rendered = await renderConfig(closed, 'prod', { keys });
      const artifact = await sealArtifact(rendered.config, { stage: 'prod', key: 'prod', keys });
      const file = join(temp.dir, 'fleece-config.cjs');
      await writeFile(file, renderModule(artifact).cjs);
      Object.assign(process.env, aws.env());
      resetConfigCache();
      aws.resetRequests();
      const loaded = require(file) as { config: Promise<unknown> };
      expect(await loaded.config).toEqual(rendered.config);
      expect(kmsCalls().map((r) => r.operation)).toEqual(['Decrypt']);
    } finally {
      process.env = saved;
      resetConfigCache();
      await temp.remove();
    }
  });
});
