import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CONFIG_ENV,
  CONFIG_FILE_ENV,
  ConfigLoadError,
  DecryptionError,
  importConfig,
  loadConfig,
  openArtifact,
  parseArtifact,
  renderConfig,
  renderModule,
  resetConfigCache,
  sealArtifact,
} from '../src/index.js';
import { EXAMPLE, localKeys } from './helpers.js';

let env: Awaited<ReturnType<typeof localKeys>>;
beforeEach(async () => {
  env = await localKeys();
  resetConfigCache();
});
afterEach(async () => {
  delete process.env[CONFIG_ENV];
  delete process.env[CONFIG_FILE_ENV];
  resetConfigCache();
  await env.remove();
});

const config = { foo: 'bar', password: 'my-prod-password', n: 0, list: [1, { a: null }] };

describe('artifacts', () => {
  it('seal with one data key and open with one unwrap, whatever the size', async () => {
    const big = { blob: 'x'.repeat(600_000), config };
    const artifact = await sealArtifact(big, { stage: 'prod', key: 'local:prod.key', keys: env.keys });
    expect(env.calls.generate).toEqual(['local:prod.key']);
    expect(JSON.stringify(artifact)).not.toContain('my-prod-password');
    expect(await openArtifact(artifact, env.keys)).toEqual(big);
    expect(env.calls.decrypt).toEqual(['local:prod.key']);
  });

  it('fail authentication when the ciphertext, stage or key is changed', async () => {
    const artifact = await sealArtifact(config, { stage: 'prod', key: 'local:prod.key', keys: env.keys });
    const bytes = Buffer.from(artifact.ciphertext, 'base64');
    bytes[30] = bytes[30]! ^ 0x80;
    await expect(openArtifact({ ...artifact, ciphertext: bytes.toString('base64') }, env.keys)).rejects.toThrow(DecryptionError);
    await expect(openArtifact({ ...artifact, stage: 'dev' }, env.keys)).rejects.toThrow(/the artifact of stage "dev": authentication failed/);
    await expect(openArtifact({ ...artifact, ciphertext: '***' }, env.keys)).rejects.toThrow(/not base64/);
  });

  it('are checked before use', () => {
    expect(() => parseArtifact('{', 'x')).toThrow(/x is not JSON/);
    expect(() => parseArtifact({ format: 'other' }, 'x')).toThrow(/not a configuration artifact/);
    expect(() => parseArtifact({ format: 'fleece-config', version: 2 }, 'x')).toThrow(/version 2/);
    expect(() => parseArtifact({ format: 'fleece-config', version: 1, stage: 'p', key: 'k', dataKey: 'd' }, 'x')).toThrow(/lacks "ciphertext"/);
  });
});

describe('loadConfig', () => {
  const artifact = () => sealArtifact(config, { stage: 'prod', key: 'local:prod.key', keys: env.keys });

  it('decrypts once per container and shares the frozen result', async () => {
    const sealed = await artifact();
    const [a, b] = await Promise.all([loadConfig({ artifact: sealed, keys: env.keys }), loadConfig({ artifact: JSON.stringify(sealed), keys: env.keys })]);
    const c = await loadConfig({ artifact: sealed, keys: env.keys });
    expect(a).toEqual(config);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(env.calls.decrypt).toHaveLength(1);
    expect(Object.isFrozen((a as { list: object[] }).list[1])).toBe(true);
  });

  it('reads a file, an environment variable, and the FLEECE_CONFIG / FLEECE_CONFIG_FILE defaults', async () => {
    const sealed = await artifact();
    const file = join(env.dir, 'config.enc.json');
    await writeFile(file, JSON.stringify(sealed));
    expect(await loadConfig({ file, baseDir: env.dir })).toEqual(config);
    resetConfigCache();
    process.env['MY_CONFIG'] = JSON.stringify(sealed);
    expect(await loadConfig({ env: 'MY_CONFIG', baseDir: env.dir })).toEqual(config);
    delete process.env['MY_CONFIG'];
    resetConfigCache();
    process.env[CONFIG_FILE_ENV] = file;
    expect(await loadConfig({ baseDir: env.dir })).toEqual(config);
    process.env[CONFIG_ENV] = JSON.stringify(sealed);
    expect(await loadConfig({ baseDir: env.dir })).toEqual(config);
  });

  it('says where it looked when there is no artifact', async () => {
    await expect(loadConfig()).rejects.toThrow(/no configuration artifact.*FLEECE_CONFIG.*FLEECE_CONFIG_FILE/);
    await expect(loadConfig({ env: 'NOPE_NOT_SET' })).rejects.toThrow(/NOPE_NOT_SET is not set/);
    await expect(loadConfig({ file: join(env.dir, 'missing.json') })).rejects.toThrow(ConfigLoadError);
  });

  it('does not cache a failure', async () => {
    const sealed = await artifact();
    await expect(loadConfig({ artifact: sealed })).rejects.toThrow(/no key file/);
    expect(await loadConfig({ artifact: sealed, keys: env.keys })).toEqual(config);
  });

  it('validates its options', async () => {
    await expect(loadConfig(null as never)).rejects.toThrow(TypeError);
    await expect(loadConfig({ file: 'a', env: 'B' })).rejects.toThrow(/give one of artifact, file, env \(got file and env\)/);
    await expect(loadConfig({ file: '' })).rejects.toThrow(/file must be a path/);
    await expect(loadConfig({ env: '' })).rejects.toThrow(/env must be/);
    await expect(loadConfig({ artifact: 1 as never })).rejects.toThrow(/artifact must be/);
    await expect(loadConfig({ artifact: '{}', keys: {} as never })).rejects.toThrow(/keys must be a KeyProvider/);
  });
});

describe('render --module output', () => {
  it('the CommonJS twin decrypts once at load and exports the configuration', async () => {
    const closed = (await importConfig(EXAMPLE, { keys: env.keys })).text;
    const rendered = await renderConfig(closed, 'prod', { keys: env.keys });
    const sealed = await sealArtifact(rendered.config, { stage: 'prod', key: `local:${join(env.dir, 'prod.key')}`, keys: env.keys });
    const { esm, cjs } = renderModule(sealed);
    expect(esm).toContain("import { loadConfig } from \"@fleece/config\";");
    expect(esm).toContain('export const config = await loadConfig({ artifact });');
    expect(esm).not.toContain('my-prod-password');
    const file = join(env.dir, 'config.cjs');
    await writeFile(file, cjs);
    const calls = env.calls.decrypt.length;
    const loaded = require(file) as { config: Promise<unknown>; artifact: unknown };
    expect(loaded.artifact).toEqual(sealed);
    expect(await loaded.config).toEqual(rendered.config);
    // The module's own loadConfig used the key file, not the counting provider: it is a separate path.
    expect(env.calls.decrypt.length).toBe(calls);
  });

  it('rejects an empty import specifier', async () => {
    const sealed = await sealArtifact({}, { stage: 'p', key: 'local:prod.key', keys: env.keys });
    expect(() => renderModule(sealed, { from: '' })).toThrow(TypeError);
    expect(renderModule(sealed, { from: './lib/config.js' }).cjs).toContain('require("./lib/config.js")');
  });
});
