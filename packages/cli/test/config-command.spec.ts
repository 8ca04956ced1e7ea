import { loadConfig, resetConfigCache } from '@fleece/config';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { EXIT_CODES } from '../src/index.js';
import { run, scriptedEditor, tempDir } from './helpers.js';

const OPEN = `stages:
  prod:
    environment: production
    key: local:keys/prod.key
  /.*/:
    environment: development
    key: local:keys/dev.key
config:
  table: greetings # the DynamoDB table
  password:
    +prod: :encrypt:prod-secret
    +/.*/: :encrypt:dev-secret
  limits:
    zero:
      +prod: 0
      +/.*/: 5
    off:
      +prod: false
      +/.*/: true
    blank:
      +prod: ""
      +/.*/: x
`;
const SECRETS = ['prod-secret', 'dev-secret'];

let temp: Awaited<ReturnType<typeof tempDir>>;
let cwd: string;
const fleece = (args: string[], options: Omit<Parameters<typeof run>[1], 'cwd'> = {}) => run(args, { cwd, ...options });

beforeEach(async () => {
  temp = await tempDir();
  cwd = temp.dir;
  resetConfigCache();
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(cwd, 'keys'));
  expect((await fleece(['config', 'keygen', 'keys/prod.key'])).code).toBe(0);
  expect((await fleece(['config', 'keygen', 'keys/dev.key'])).code).toBe(0);
});
afterEach(() => temp.remove());

const configYml = () => readFile(join(cwd, 'config.yml'), 'utf8');

describe('fleece config import / export', () => {
  it('imports from stdin into config.yml and exports the same open form', async () => {
    const imported = await fleece(['config', 'import'], { stdin: OPEN });
    expect(imported).toMatchObject({ code: 0, stdout: '' });
    expect(imported.stderr).toBe('wrote config.yml: 2 secrets sealed under 2 keys (local:keys/prod.key, local:keys/dev.key)\n');
    const closed = await configYml();
    for (const secret of SECRETS) expect(closed).not.toContain(secret);
    const exported = await fleece(['config', 'export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(OPEN);
    const json = await fleece(['config', 'export', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(parse(OPEN));
  });

  it('uses --config and its directory for local keys', async () => {
    const { mkdir, rename } = await import('node:fs/promises');
    await mkdir(join(cwd, 'service'));
    await rename(join(cwd, 'keys'), join(cwd, 'service', 'keys'));
    expect((await fleece(['config', '--config', 'service/app.yml', 'import'], { stdin: OPEN })).code).toBe(0);
    expect(await readFile(join(cwd, 'service', 'app.yml'), 'utf8')).toContain(':envelope:');
    expect((await fleece(['config', '-c', 'service/app.yml', 'export'])).stdout).toBe(OPEN);
  });

  it('leaves config.yml untouched when the input is invalid, with line and column and no secret', async () => {
    await fleece(['config', 'import'], { stdin: OPEN });
    const before = await configYml();
    const broken = OPEN.replace('+prod: :encrypt:prod-secret', '+prod: :encrypt:prod-secret: [');
    const result = await fleece(['config', 'import'], { stdin: broken });
    expect(result.code).toBe(EXIT_CODES.INVALID);
    expect(result.stderr).toMatch(/^fleece: stdin:11:\d+: /);
    expect(result.stderr).not.toContain('prod-secret');
    expect(await configYml()).toBe(before);
  });

  it.each([
    ['an :encrypt: value outside a per-stage value', 'stages: {}\nconfig:\n  pw: ":encrypt:x"\n', /fleece: config\.pw: :encrypt: is allowed only in per-stage values/],
    ['a map mixing + and plain keys', 'stages: {}\nconfig:\n  pw:\n    +prod: a\n    b: c\n', /mixes per-stage keys/],
    ['empty input', '  \n', /stdin is empty/],
  ])('rejects %s with exit code 3', async (_name, stdin, message) => {
    const result = await fleece(['config', 'import'], { stdin });
    expect(result.code).toBe(EXIT_CODES.INVALID);
    expect(result.stderr).toMatch(message);
    await expect(access(join(cwd, 'config.yml'))).rejects.toThrow();
  });

  it('exports a template when there is no config.yml yet, from environments.yml when there is one', async () => {
    const fresh = await fleece(['config', 'export']);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toMatch(/config\.yml does not exist; this is a template/);
    expect(parse(fresh.stdout).stages).toEqual({ dev: { environment: 'dev', key: 'alias/dev-config' } });
    await writeFile(join(cwd, 'environments.yml'), "environments:\n  - name: production\n    account: '123456789012'\n");
    expect(Object.keys(parse((await fleece(['config', 'export'])).stdout).stages)).toEqual(['production']);
  });

  it('checks stage environments against environments.yml', async () => {
    await writeFile(join(cwd, 'envs.yml'), "environments:\n  - name: production\n    account: '123456789012'\n");
    const result = await fleece(['config', '--environments', 'envs.yml', 'import'], { stdin: OPEN });
    expect(result.code).toBe(EXIT_CODES.INVALID);
    expect(result.stderr).toMatch(/stages\.\/\.\*\/: environment "development" is not defined in environments\.yml/);
    const missing = await fleece(['config', '--environments', 'nope.yml', 'import'], { stdin: OPEN });
    expect(missing.code).toBe(EXIT_CODES.FILE);
    expect(missing.stderr).toMatch(/cannot read nope\.yml/);
  });
});

describe('fleece config render', () => {
  beforeEach(async () => {
    expect((await fleece(['config', 'import'], { stdin: OPEN })).code).toBe(0);
  });

  it('writes YAML by default and JSON with --json, falsy values included', async () => {
    const yaml = await fleece(['config', 'render', 'prod']);
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout)).toEqual({ table: 'greetings', password: 'prod-secret', limits: { zero: 0, off: false, blank: '' } });
    const json = await fleece(['config', 'render', 'feature-7', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ table: 'greetings', password: 'dev-secret', limits: { zero: 5, off: true, blank: 'x' } });
  });

  it('writes a plaintext render to a file of mode 0600 with --out', async () => {
    const result = await fleece(['config', 'render', 'prod', '--json', '--out', 'prod.json']);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'wrote prod.json\n' });
    expect((await stat(join(cwd, 'prod.json'))).mode & 0o777).toBe(0o600);
  });

  it('writes an artifact that loadConfig opens, without printing a secret', async () => {
    const result = await fleece(['config', 'render', 'prod', '--encrypt']);
    expect(result.code).toBe(0);
    for (const secret of SECRETS) expect(result.stdout + result.stderr).not.toContain(secret);
    const artifact = JSON.parse(result.stdout);
    expect(artifact).toMatchObject({ format: 'fleece-config', version: 1, stage: 'prod', key: 'local:keys/prod.key' });
    expect(await loadConfig({ artifact, baseDir: cwd })).toEqual({ table: 'greetings', password: 'prod-secret', limits: { zero: 0, off: false, blank: '' } });
  });

  it('writes the --module twins with --out, and the ES module to stdout without', async () => {
    const result = await fleece(['config', 'render', 'prod', '--module', '--out', 'lib/fleece-config.mjs', '--import-from', '@fleece/config']);
    expect(result.code).toBe(EXIT_CODES.FILE);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(cwd, 'lib'));
    const written = await fleece(['config', 'render', 'prod', '--module', '--out', 'lib/fleece-config.mjs']);
    expect(written).toMatchObject({ code: 0, stderr: `wrote ${join('lib', 'fleece-config.mjs')} and fleece-config.cjs\n` });
    const esm = await readFile(join(cwd, 'lib', 'fleece-config.mjs'), 'utf8');
    const cjs = await readFile(join(cwd, 'lib', 'fleece-config.cjs'), 'utf8');
    expect(esm).toContain('export default config;');
    expect(cjs).toContain('exports.config = loadConfig({ artifact });');
    for (const secret of SECRETS) expect(esm + cjs).not.toContain(secret);
    const stdout = await fleece(['config', 'render', 'prod', '--module', '--import-from', './my-config.js']);
    expect(stdout.stdout).toContain('import { loadConfig } from "./my-config.js";');
  });

  it('names an unknown stage (exit 4) and a missing per-stage value (exit 4)', async () => {
    const text = OPEN.replace('  /.*/:\n    environment: development\n    key: local:keys/dev.key\n', '');
    const imported = await fleece(['config', 'import'], { stdin: text.replace(/ *\+\/\.\*\/: .*\n/g, '') });
    expect(imported.code).toBe(0);
    const unknown = await fleece(['config', 'render', 'qa']);
    expect(unknown.code).toBe(EXIT_CODES.STAGE);
    expect(unknown.stderr).toBe('fleece: unknown stage "qa": it matches none of the stages defined in the file (prod)\n');
    await fleece(['config', 'import'], { stdin: 'stages:\n  /.*/: { key: "local:keys/dev.key" }\nconfig:\n  a: { +prod: 1 }\n' });
    const missing = await fleece(['config', 'render', 'dev']);
    expect(missing.code).toBe(EXIT_CODES.STAGE);
    expect(missing.stderr).toMatch(/config\.a has no value for stage "dev"/);
  });

  it('fails authentication on a tampered config.yml (exit 5), naming the path', async () => {
    const closed = await configYml();
    const value = parse(closed).config.password['+prod'] as string;
    const bytes = Buffer.from(value.split(':')[3]!, 'base64');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    await writeFile(join(cwd, 'config.yml'), closed.replace(value, `:envelope:${value.split(':')[2]}:${bytes.toString('base64')}`));
    const result = await fleece(['config', 'render', 'prod']);
    expect(result.code).toBe(EXIT_CODES.DECRYPT);
    expect(result.stderr).toMatch(/^fleece: cannot decrypt config\.password\.\+prod: authentication failed/);
    expect(result.stdout).toBe('');
  });

  it('warns about ambiguous regex stages on stderr', async () => {
    await fleece(['config', 'import'], { stdin: 'stages:\n  /dev-.*/: { key: "local:keys/dev.key" }\n  /.*/: { key: "local:keys/dev.key" }\nconfig:\n  a: { "+/dev-.*/": 1, "+/.*/": 2 }\n' });
    const result = await fleece(['config', 'render', 'dev-1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: stage "dev-1" matches /dev-.*/ and also /.*/; using /dev-.*/, the first in the file\n' +
        'warning: config.a: stage "dev-1" matches +/dev-.*/ and also +/.*/; using +/dev-.*/, the first in the file\n',
    );
  });

  it('validates every parameter name and value before any AWS call', async () => {
    const result = await fleece(['config', 'render', 'prod', '--parameter-store', '/svc/prod'], { services: { ssm: { send: () => Promise.reject(new Error('no call expected')) } as never } });
    expect(result.code).toBe(EXIT_CODES.INVALID);
    expect(result.stderr).toMatch(/\/svc\/prod\/limits\/blank: an empty string cannot be stored/);
    const relativePrefix = await fleece(['config', 'render', 'dev', '--parameter-store', 'svc']);
    expect(relativePrefix.code).toBe(EXIT_CODES.INVALID);
    expect(relativePrefix.stderr).toMatch(/must start with "\/"/);
  });

  it('refuses conflicting options (exit 2)', async () => {
    for (const args of [
      ['--json', '--encrypt'],
      ['--module', '--parameter-store', '/p'],
      ['--ssm-kms-key', 'k'],
      ['--parameter-store', '/p', '--out', 'x'],
      ['--json', '--import-from', 'x'],
      ['--module', '--import-from', ''],
    ]) {
      const result = await fleece(['config', 'render', 'prod', ...args]);
      expect(result.code).toBe(EXIT_CODES.USAGE);
      expect(result.stderr).toMatch(/^fleece: /);
    }
  });

  it('says how to make config.yml when it is missing (exit 8)', async () => {
    const result = await fleece(['config', '-c', 'other.yml', 'render', 'prod']);
    expect(result).toMatchObject({ code: EXIT_CODES.FILE, stderr: 'fleece: other.yml does not exist; create it with "fleece config edit" or "fleece config import"\n' });
  });
});

describe('fleece config edit', () => {
  beforeEach(async () => {
    expect((await fleece(['config', 'import'], { stdin: OPEN })).code).toBe(0);
  });

  it('edits in a private temporary file outside the repository, re-imports, and removes the file', async () => {
    const editor = await scriptedEditor(cwd, [{ replace: [':encrypt:prod-secret', ':encrypt:new-prod-secret'] }]);
    const result = await fleece(['config', 'edit', '--editor', editor.command]);
    expect(result.code).toBe(0);
    const [visit] = await editor.log();
    expect(visit!.content).toBe(OPEN);
    expect(visit!.mode).toBe(0o600);
    expect(visit!.dirMode).toBe(0o700);
    expect(relative(tmpdir(), visit!.file).startsWith('..')).toBe(false);
    expect(relative(cwd, visit!.file).startsWith('..')).toBe(true);
    await expect(access(visit!.file)).rejects.toThrow();
    await expect(access(join(visit!.file, '..'))).rejects.toThrow();
    expect(parse((await fleece(['config', 'render', 'prod'])).stdout).password).toBe('new-prod-secret');
  });

  it('takes the editor from $FLEECE_EDITOR, then $EDITOR, and edits JSON with --json', async () => {
    const editor = await scriptedEditor(cwd, [{ replace: ['greetings', 'hellos'] }, { replace: ['hellos', 'hi'] }]);
    expect((await fleece(['config', 'edit', '--json'], { env: { FLEECE_EDITOR: editor.command, EDITOR: 'false' } })).code).toBe(0);
    expect((await fleece(['config', 'edit'], { env: { EDITOR: editor.command } })).code).toBe(0);
    const visits = await editor.log();
    expect(JSON.parse(visits[0]!.content).config.table).toBe('greetings');
    expect(visits[0]!.file.endsWith('config.json')).toBe(true);
    expect(parse((await fleece(['config', 'render', 'prod'])).stdout).table).toBe('hi');
  });

  it('a broken edit leaves config.yml unchanged, says where, and removes the temporary file', async () => {
    const before = await configYml();
    const editor = await scriptedEditor(cwd, [{ replace: ['table: greetings', 'table: [greetings'] }]);
    const result = await fleece(['config', 'edit', '--editor', editor.command], { answers: ['n'] });
    expect(result.code).toBe(EXIT_CODES.ABORTED);
    expect(result.asked).toEqual(['Edit again? [Y/n] ']);
    expect(result.stderr).toMatch(/^fleece: the edited file:\d+:\d+: /m);
    expect(result.stderr).toMatch(/fleece: edit abandoned; config\.yml was left unchanged\n$/);
    expect(result.stderr).not.toContain('prod-secret');
    expect(await configYml()).toBe(before);
    const [visit] = await editor.log();
    await expect(access(visit!.file)).rejects.toThrow();
  });

  it('offers to edit again, keeping the broken text, and imports the fixed one', async () => {
    const editor = await scriptedEditor(cwd, [
      { replace: ['table: greetings', 'table: [greetings'] },
      { replace: ['table: [greetings', 'table: fixed'] },
    ]);
    const result = await fleece(['config', 'edit', '--editor', editor.command], { answers: ['y'] });
    expect(result.code).toBe(0);
    const visits = await editor.log();
    expect(visits).toHaveLength(2);
    expect(visits[1]!.content).toContain('table: [greetings');
    expect(visits[1]!.file).toBe(visits[0]!.file);
    expect(parse((await fleece(['config', 'render', 'prod'])).stdout).table).toBe('fixed');
  });

  it('treats a format error like a syntax error, and no terminal to ask on as "no"', async () => {
    const before = await configYml();
    const editor = await scriptedEditor(cwd, [{ replace: ['table: greetings', 'table: ":encrypt:oops"'] }]);
    const result = await fleece(['config', 'edit', '--editor', editor.command], { answers: [] });
    expect(result.code).toBe(EXIT_CODES.ABORTED);
    expect(result.stderr).toMatch(/config\.table: :encrypt: is allowed only in per-stage values/);
    expect(await configYml()).toBe(before);
  });

  it('leaves config.yml alone when the editor fails or nothing changed', async () => {
    const before = await configYml();
    const failing = await scriptedEditor(cwd, [{ replace: ['greetings', 'changed'], exit: 3 }]);
    const failed = await fleece(['config', 'edit', '--editor', failing.command]);
    expect(failed.code).toBe(EXIT_CODES.ABORTED);
    expect(failed.stderr).toMatch(/the editor \(.*\) exited with code 3; config\.yml was left unchanged/);
    const unchanged = await fleece(['config', 'edit', '--editor', 'true']);
    expect(unchanged).toMatchObject({ code: 0, stderr: 'no changes; config.yml left as it was\n' });
    expect(await configYml()).toBe(before);
    const missing = await fleece(['config', 'edit', '--editor', 'no-such-editor-fleece']);
    expect(missing.code).toBe(EXIT_CODES.ABORTED);
    expect((await fleece(['config', 'edit', '--editor', ' '])).code).toBe(EXIT_CODES.USAGE);
  });

  it('creates config.yml from a template when there is none', async () => {
    const editor = await scriptedEditor(cwd, [{ write: 'stages:\n  dev: { key: "local:keys/dev.key" }\nconfig:\n  a: { +dev: ":encrypt:s" }\n' }]);
    const result = await fleece(['config', '-c', 'new.yml', 'edit', '--editor', editor.command]);
    expect(result.code).toBe(0);
    expect(parse((await editor.log())[0]!.content).stages).toEqual({ dev: { environment: 'dev', key: 'alias/dev-config' } });
    expect(JSON.parse((await fleece(['config', '-c', 'new.yml', 'render', 'dev', '--json'])).stdout)).toEqual({ a: 's' });
  });
});

describe('fleece config keygen and the program', () => {
  it('keygen writes a 0600 key and refuses to overwrite it (exit 6)', async () => {
    const result = await fleece(['config', 'keygen']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/use it in a stage as {3}key: local:fleece\.key/);
    expect((await stat(join(cwd, 'fleece.key'))).mode & 0o777).toBe(0o600);
    const again = await fleece(['config', 'keygen']);
    expect(again.code).toBe(EXIT_CODES.KEYS);
    expect(again.stderr).toMatch(/exists/);
  });

  it('answers --help with 0 and unknown commands or options with 2', async () => {
    const root = await fleece(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/Exit codes:[\s\S]*3 {2}invalid input[\s\S]*7 {2}edit abandoned; config\.yml unchanged/);
    const help = await fleece(['config', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: fleece config/);
    expect(help.stdout).toMatch(/Stages match exactly first/);
    const renderHelp = await fleece(['config', 'render', '--help']);
    expect(renderHelp.stdout).toMatch(/--parameter-store <prefix>/);
    expect((await fleece(['nope'])).code).toBe(EXIT_CODES.USAGE);
    expect((await fleece(['config', 'render'])).code).toBe(EXIT_CODES.USAGE);
    expect((await fleece(['config', 'export', '--yaml'])).code).toBe(EXIT_CODES.USAGE);
  });
});
