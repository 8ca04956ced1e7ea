import { resetConfigCache } from '@fleece/config';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { run, tempDir } from './helpers.js';

// Issue 16, item 7: keygen makes the missing folder (0700); render --out names a missing folder.

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
  resetConfigCache();
});
afterEach(() => temp.remove());

it('fleece config keygen .keys/dev.key creates the missing folder, 0700', async () => {
  const result = await run(['config', 'keygen', '.keys/dev.key'], { cwd: temp.dir });
  expect(result.code).toBe(0);
  expect((await stat(join(temp.dir, '.keys'))).mode & 0o777).toBe(0o700);
  expect((await stat(join(temp.dir, '.keys', 'dev.key'))).mode & 0o777).toBe(0o600);
});

it('fleece config render --out into a missing folder names the folder', async () => {
  expect((await run(['config', 'keygen', 'dev.key'], { cwd: temp.dir })).code).toBe(0);
  const open = 'stages:\n  /.*/:\n    environment: dev\n    key: local:dev.key\nconfig:\n  a: b\n';
  expect((await run(['config', 'import'], { cwd: temp.dir, stdin: open })).code).toBe(0);
  const out = join(temp.dir, 'missing', 'dir', 'x.json');
  const result = await run(['config', 'render', 'dev', '--json', '--out', out], { cwd: temp.dir });
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(`the folder ${join(temp.dir, 'missing', 'dir')} does not exist`);
  expect(result.stderr).not.toMatch(/\.tmp/);
});
