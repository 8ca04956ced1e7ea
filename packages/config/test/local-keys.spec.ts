import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyProvider, generateLocalKey, isLocalKey, KeyProviderError, kmsKeyId } from '../src/index.js';
import { tempDir } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(() => temp.remove());

describe('local key files', () => {
  it('keygen writes 256 random bits with mode 0600 and refuses to overwrite', async () => {
    const path = join(temp.dir, 'dev.key');
    expect(await generateLocalKey(path)).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^fleece-local-key v1 [A-Za-z0-9+/]{43}=\n$/);
    const error = await generateLocalKey(path).catch((e) => e);
    expect(error).toBeInstanceOf(KeyProviderError);
    expect(error.message).toMatch(/exists/);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('wraps and unwraps data keys, relative to baseDir', async () => {
    await generateLocalKey(join(temp.dir, 'dev.key'));
    const keys = createKeyProvider({ baseDir: temp.dir });
    const dataKey = await keys.generateDataKey('local:dev.key');
    expect(dataKey.plaintext).toHaveLength(32);
    expect(dataKey.ciphertext.equals(dataKey.plaintext)).toBe(false);
    expect((await keys.decryptDataKey('local:dev.key', dataKey.ciphertext)).equals(dataKey.plaintext)).toBe(true);
    const absolute = createKeyProvider();
    expect((await absolute.decryptDataKey(`local:${join(temp.dir, 'dev.key')}`, dataKey.ciphertext)).equals(dataKey.plaintext)).toBe(true);
  });

  it('refuses a data key wrapped by another key file', async () => {
    await generateLocalKey(join(temp.dir, 'a.key'));
    await generateLocalKey(join(temp.dir, 'b.key'));
    const keys = createKeyProvider({ baseDir: temp.dir });
    const dataKey = await keys.generateDataKey('local:a.key');
    await expect(keys.decryptDataKey('local:b.key', dataKey.ciphertext)).rejects.toThrow(/not made with this key file/);
  });

  it('explains a missing or invalid key file', async () => {
    const keys = createKeyProvider({ baseDir: temp.dir });
    await expect(keys.generateDataKey('local:missing.key')).rejects.toThrow(/no key file at .*missing\.key; make one with "fleece config keygen missing\.key"/);
    await writeFile(join(temp.dir, 'bad.key'), 'not a key\n');
    await expect(keys.generateDataKey('local:bad.key')).rejects.toThrow(/is not a key file made by "fleece config keygen"/);
    await expect(keys.generateDataKey('local:')).rejects.toThrow(/local: needs a path/);
    await expect(keys.generateDataKey(`local:${temp.dir}`)).rejects.toThrow(KeyProviderError);
  });

  it('validates its options and arguments', async () => {
    expect(() => createKeyProvider(null as never)).toThrow(TypeError);
    expect(() => createKeyProvider({ kms: {} as never })).toThrow(/kms must be/);
    expect(() => createKeyProvider({ baseDir: 1 as never })).toThrow(/baseDir/);
    await expect(generateLocalKey('')).rejects.toThrow(TypeError);
    // A missing folder is made (issue 16); a file in the way of the folder still fails clearly.
    await writeFile(join(temp.dir, 'blocker'), 'x');
    await expect(generateLocalKey(join(temp.dir, 'blocker', 'dir.key'))).rejects.toThrow(KeyProviderError);
  });
});

describe('key references', () => {
  it.each([
    ['prod-key', 'alias/prod-key'],
    ['alias/prod-key', 'alias/prod-key'],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
    ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['arn:aws:kms:us-east-1:111122223333:alias/prod', 'arn:aws:kms:us-east-1:111122223333:alias/prod'],
  ])('sends %s to KMS as %s', (ref, id) => {
    expect(kmsKeyId(ref)).toBe(id);
  });

  it('tells local references apart', () => {
    expect(isLocalKey('local:dev.key')).toBe(true);
    expect(isLocalKey('alias/local')).toBe(false);
  });
});
