import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkStageEnvironments, ConfigFormatError, parseEnvironments, stagesOf, writeFileAtomic } from '../src/index.js';
import { tempDir } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(() => temp.remove());

describe('writeFileAtomic', () => {
  it('writes a new file with the mode asked for and leaves no temporary file', async () => {
    const path = join(temp.dir, 'config.yml');
    await writeFileAtomic(path, 'a: 1\n', { mode: 0o640 });
    expect(await readFile(path, 'utf8')).toBe('a: 1\n');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readdir(temp.dir)).toEqual(['config.yml']);
  });

  it('replaces a file keeping its mode', async () => {
    const path = join(temp.dir, 'config.yml');
    await writeFile(path, 'old');
    await chmod(path, 0o600);
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves the old file and no temporary file when the rename fails', async () => {
    const path = join(temp.dir, 'dir');
    await writeFile(join(temp.dir, 'keep'), 'x');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'x');
    await expect(writeFileAtomic(path, 'text')).rejects.toThrow();
    expect((await readdir(temp.dir)).sort()).toEqual(['dir', 'keep']);
    await expect(writeFileAtomic('', 'x')).rejects.toThrow(TypeError);
  });
});

describe('environments.yml', () => {
  const text = `environments:
  - name: development
    account: '123456789012'
  - name: staging
    account: '123456789012'
    rs_username_var: MY_RS_USERNAME
  - name: production
    account: '123456789012'
    role: LambdaDeployRole
`;

  it('parses the fleece run format', async () => {
    expect(await parseEnvironments(text)).toEqual([
      { name: 'development', account: '123456789012' },
      { name: 'staging', account: '123456789012' },
      { name: 'production', account: '123456789012', role: 'LambdaDeployRole' },
    ]);
  });

  it.each([
    ['a missing list', 'x: 1\n', /must be a map with an "environments" list/],
    ['a nameless entry', 'environments:\n  - account: "123456789012"\n', /environments\[0\]: needs a "name"/],
    ['an unquoted account', 'environments:\n  - name: a\n    account: 123456789012\n', /read it as a number; quote it/],
    ['a bad role', 'environments:\n  - name: a\n    account: "123456789012"\n    role: 1\n', /"role" must be a string/],
  ])('rejects %s', async (_name, input, message) => {
    await expect(parseEnvironments(input)).rejects.toThrow(message);
  });

  it('checks that every stage names a known environment', async () => {
    const environments = await parseEnvironments(text);
    checkStageEnvironments(await stagesOf('stages:\n  prod: { environment: production, key: k }\n  x: { key: k }\n'), environments);
    const error = await (async () => checkStageEnvironments(await stagesOf('stages:\n  prod: { environment: prod, key: k }\n'), environments))().catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFormatError);
    expect(error.message).toBe('stages.prod: environment "prod" is not defined in environments.yml (defined: development, staging, production)');
  });
});
