import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyProvider, generateLocalKey, type KeyProvider } from '../src/index.js';

/** The open form of the fleece README's example, with local keys so it runs offline. */
export const EXAMPLE = `# The fleece README's example configuration.
stages:                                 # stage definitions
  prod:                                 # stage name
    environment: prod
    key: local:prod.key
  /.*/:                                 # regular expressions for custom stage names
    environment: dev
    key: local:dev.key
config:
  foo: bar                              # plain text variable
  password:                             # per-stage values, encrypted
    +dev: :encrypt:my-dev-password
    +prod: :encrypt:my-prod-password
    +/.*/: :encrypt:my-custom-password
  nested:                               # nested dictionaries
    inner_var: value
    a_list:                             # list of dictionaries
      - username1:                      # per-stage values, without encryption
          +prod: bob-prod
          +/.*/: bob-dev
        password1:
          +prod: :encrypt:bob-prod-pw
          +/.*/: :encrypt:bob-dev-pw
      - username2: user2
        password2:
          +prod: :encrypt:prod-pw2
          +/.*/: :encrypt:dev-pw2
`;

/** Every secret of {@link EXAMPLE}, which must never appear in a closed file. */
export const EXAMPLE_SECRETS = ['my-dev-password', 'my-prod-password', 'my-custom-password', 'bob-prod-pw', 'bob-dev-pw', 'prod-pw2', 'dev-pw2'];

/** A temp directory removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fleece-config-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Counts the calls a key provider receives. */
export function counting(inner: KeyProvider) {
  const calls = { generate: [] as string[], decrypt: [] as string[], legacy: 0 };
  const keys: KeyProvider = {
    generateDataKey: (key) => (calls.generate.push(key), inner.generateDataKey(key)),
    decryptDataKey: (key, ciphertext) => (calls.decrypt.push(key), inner.decryptDataKey(key, ciphertext)),
    decryptLegacy: (ciphertext) => (calls.legacy++, inner.decryptLegacy(ciphertext)),
  };
  return { keys, calls };
}

/** A temp dir with prod.key and dev.key, and a counting provider over them. */
export async function localKeys() {
  const temp = await tempDir();
  await generateLocalKey(join(temp.dir, 'prod.key'));
  await generateLocalKey(join(temp.dir, 'dev.key'));
  return { ...temp, ...counting(createKeyProvider({ baseDir: temp.dir })) };
}
