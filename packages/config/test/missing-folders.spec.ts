import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLocalKey } from '../src/key-provider.js';
import { writeFileAtomic } from '../src/atomic-write.js';

// Issue 16, item 7: keygen makes a missing folder (0700); a write into a missing folder names it.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleece-config-folders-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('generateLocalKey creates the missing folder, private to its owner', async () => {
  const written = await generateLocalKey(join(dir, '.keys', 'dev.key'));
  expect(written).toBe(join(dir, '.keys', 'dev.key'));
  expect(statSync(join(dir, '.keys')).mode & 0o777).toBe(0o700);
  expect(statSync(written).mode & 0o777).toBe(0o600);
});

it('writeFileAtomic into a missing folder names the folder, not a temporary file', async () => {
  const target = join(dir, 'missing', 'dir', 'x.json');
  const error = (await writeFileAtomic(target, '{}').catch((e: unknown) => e)) as Error;
  expect(error.message).toBe(`cannot write ${target}: the folder ${join(dir, 'missing', 'dir')} does not exist`);
  expect(error.message).not.toMatch(/\.tmp/);
});

it('a KMS call without a region says to set AWS_REGION', async () => {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  const { createKeyProvider } = await import('../src/key-provider.js');
  const saved = { AWS_REGION: process.env['AWS_REGION'], AWS_PROFILE: process.env['AWS_PROFILE'], AWS_CONFIG_FILE: process.env['AWS_CONFIG_FILE'] };
  delete process.env['AWS_REGION'];
  process.env['AWS_CONFIG_FILE'] = join(dir, 'no-config');
  const kms = new KMSClient({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  try {
    const error = (await createKeyProvider({ kms }).generateDataKey('alias/prod').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/Region is missing; set AWS_REGION/);
  } finally {
    kms.destroy();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
