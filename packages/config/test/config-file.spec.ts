import { parse } from 'yaml';
import {
  ConfigFormatError,
  ConfigSyntaxError,
  DecryptionError,
  exportConfig,
  importConfig,
  MissingStageValueError,
  renderConfig,
  stagesOf,
  templateConfig,
  UnknownStageError,
} from '../src/index.js';
import { EXAMPLE, EXAMPLE_SECRETS, localKeys } from './helpers.js';

let env: Awaited<ReturnType<typeof localKeys>>;
beforeEach(async () => {
  env = await localKeys();
});
afterEach(() => env.remove());

const importText = (text: string) => importConfig(text, { keys: env.keys });

describe('import → export round trip', () => {
  it('gives back the same open configuration, comments included, with no secret in the closed file', async () => {
    const closed = await importText(EXAMPLE);
    expect(closed.sealed).toBe(7);
    for (const secret of EXAMPLE_SECRETS) expect(closed.text).not.toContain(secret);
    expect(closed.text).toContain('# per-stage values, encrypted');
    const opened = await exportConfig(closed.text, { keys: env.keys });
    expect(parse(opened)).toEqual(parse(EXAMPLE));
    for (const comment of EXAMPLE.match(/# .*$/gm)!) expect(opened).toContain(comment);
    // Layout settles after one pass: a second round trip changes nothing.
    const again = await exportConfig((await importText(opened)).text, { keys: env.keys });
    expect(again).toBe(opened);
  });

  it('makes one data key per stage key per import, and unwraps each once on export', async () => {
    const closed = await importText(EXAMPLE);
    expect(env.calls.generate).toEqual(['local:dev.key', 'local:prod.key']);
    expect(closed.keys).toEqual(['local:dev.key', 'local:prod.key']);
    const parsed = parse(closed.text);
    expect(parsed.envelope.version).toBe(1);
    expect(parsed.envelope.keys.map((entry: { key: string }) => entry.key)).toEqual(['local:dev.key', 'local:prod.key']);
    await exportConfig(closed.text, { keys: env.keys });
    expect(env.calls.decrypt.sort()).toEqual(['local:dev.key', 'local:prod.key']);
  });

  it('keeps plain values and structure as they were', async () => {
    const closed = parse((await importText(EXAMPLE)).text);
    expect(closed.config.foo).toBe('bar');
    expect(closed.config.nested.a_list[0].username1).toEqual({ '+prod': 'bob-prod', '+/.*/': 'bob-dev' });
    expect(closed.config.password['+prod']).toMatch(/^:envelope:1:[A-Za-z0-9+/]+=*$/);
    expect(closed.config.password['+dev']).toMatch(/^:envelope:0:/);
    expect(closed.stages).toEqual(parse(EXAMPLE).stages);
  });

  it('seals each import afresh (new data keys), and both closed files open to the same text', async () => {
    const first = await importText(EXAMPLE);
    const second = await importText(EXAMPLE);
    expect(first.text).not.toBe(second.text);
    expect(await exportConfig(first.text, { keys: env.keys })).toBe(await exportConfig(second.text, { keys: env.keys }));
  });

  it('reads JSON input and exports JSON', async () => {
    const json = JSON.stringify(parse(EXAMPLE));
    const closed = await importText(json);
    expect(closed.text).not.toContain('{"stages"');
    const opened = await exportConfig(closed.text, { keys: env.keys, format: 'json' });
    expect(JSON.parse(opened)).toEqual(parse(EXAMPLE));
  });

  it('keeps multi-line secrets and unicode exactly', async () => {
    const pem = '-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----\n';
    const text = `stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  pem:\n    +prod: ${JSON.stringify(`:encrypt:${pem}`)}\n  motto:\n    +prod: ":encrypt:héllo wörld # not a comment"\n`;
    const closed = await importText(text);
    expect(closed.text).not.toContain('BBBB');
    const opened = parse(await exportConfig(closed.text, { keys: env.keys }));
    expect(opened.config.pem['+prod']).toBe(`:encrypt:${pem}`);
    expect(opened.config.motto['+prod']).toBe(':encrypt:héllo wörld # not a comment');
  });

  it('writes a fresh document when a secret sits behind a YAML anchor', async () => {
    const text = 'stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  a:\n    +prod: &pw ":encrypt:shared"\n  b:\n    +prod: *pw\n';
    const closed = await importText(text);
    expect(closed.sealed).toBe(2);
    expect(closed.text).not.toContain('shared');
    const opened = parse(await exportConfig(closed.text, { keys: env.keys }));
    expect(opened.config).toEqual({ a: { '+prod': ':encrypt:shared' }, b: { '+prod': ':encrypt:shared' } });
  });

  it('makes no key call when nothing is to be encrypted', async () => {
    const closed = await importText('stages:\n  prod: { key: alias/prod }\nconfig:\n  a: 1\n');
    expect(env.calls.generate).toEqual([]);
    expect(parse(closed.text)).toEqual({ stages: { prod: { key: 'alias/prod' } }, config: { a: 1 } });
  });

  it('passes an :encrypt: value that a Python closed file left in plain text through export, so import can fix it', async () => {
    const opened = await exportConfig('stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  pw:\n    +prod: ":encrypt:x"\n', { keys: env.keys });
    expect(parse(opened).config.pw['+prod']).toBe(':encrypt:x');
  });
});

describe('import errors', () => {
  it('rejects :encrypt: outside a per-stage value (the Python version silently kept it in plain text)', async () => {
    const error = await importText('stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  db:\n    password: ":encrypt:hunter2"\n').catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFormatError);
    expect(error.path).toBe('config.db.password');
    expect(error.message).toMatch(/per-stage/);
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects :encrypt: inside a list that is not under a per-stage key', async () => {
    const error = await importText('stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  l: [":encrypt:x"]\n').catch((e) => e);
    expect(error.path).toBe('config.l[0]');
  });

  it('accepts :encrypt: deeper inside a per-stage value, under that stage\'s key', async () => {
    const closed = await importText('stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  db:\n    +prod:\n      user: u\n      pass: ":encrypt:p"\n');
    expect(closed.keys).toEqual(['local:prod.key']);
    expect(parse(closed.text).config.db['+prod'].pass).toMatch(/^:envelope:0:/);
  });

  it('rejects a map mixing + keys with plain keys, naming both', async () => {
    const error = await importText('stages:\n  prod: { key: k }\nconfig:\n  pw:\n    +prod: a\n    other: b\n').catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFormatError);
    expect(error.message).toMatch(/config\.pw: mixes per-stage keys \(\+prod\) with plain keys \(other\)/);
  });

  it('rejects a per-stage key that names no stage when its value must be encrypted', async () => {
    const error = await importText('stages:\n  prod: { key: k }\nconfig:\n  pw:\n    +/qa-.*/: ":encrypt:x"\n').catch((e) => e);
    expect(error.message).toMatch(/\+\/qa-\.\*\/" matches no stage/);
  });

  it('encrypts a plain per-stage name with the key of the regex stage it matches', async () => {
    const closed = await importText('stages:\n  /dev-.*/: { key: "local:dev.key" }\nconfig:\n  pw:\n    +dev-1: ":encrypt:x"\n');
    expect(closed.keys).toEqual(['local:dev.key']);
  });

  it('rejects a closed file given to import', async () => {
    const closed = await importText(EXAMPLE);
    const error = await importText(closed.text).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFormatError);
    expect(error.message).toMatch(/closed config\.yml/);
    const body = closed.text.replace(/^envelope:[\s\S]*$/m, '');
    expect((await importText(body).catch((e) => e)).message).toMatch(/holds an encrypted value/);
  });

  it.each([
    ['an empty input', '', /is empty/],
    ['a list', '- a\n', /must be a map/],
    ['an unknown section', 'stages: {}\nconfig: {}\nextra: 1\n', /unknown top-level key extra/],
    ['config as a list', 'config: [1]\n', /config: must be a map/],
    ['a stage without a key', 'stages:\n  prod: { environment: prod }\n', /stages\.prod: "key"/],
    ['a stage with an unknown field', 'stages:\n  prod: { key: k, region: x }\n', /unknown field region/],
    ['a stage that is not a map', 'stages:\n  prod: k\n', /stages\.prod: must be a map/],
    ['a non-string environment', 'stages:\n  prod: { key: k, environment: 1 }\n', /"environment" must be a string/],
    ['stages as a list', 'stages: [a]\n', /stages: must be a map/],
    ['an invalid stage regex', 'stages:\n  /dev-(/: { key: k }\n', /not a valid regular expression/],
    ['an empty per-stage key', 'stages: {}\nconfig:\n  a: { "+": 1 }\n', /"\+" names no stage/],
    ['an infinite number', 'stages: {}\nconfig:\n  a: .inf\n', /config\.a: Infinity cannot be stored/],
  ])('rejects %s', async (_name, text, message) => {
    const error = await importText(text).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigFormatError);
    expect(error.message).toMatch(message);
  });

  it('reports YAML errors with line and column, without quoting the line (it may hold a secret)', async () => {
    const text = 'stages:\n  prod: { key: k }\nconfig:\n  pw:\n    +prod: :encrypt:s3cret: oops\n';
    const error = await importConfig(text, { keys: env.keys, source: 'open.yml' }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigSyntaxError);
    expect([error.line, error.column]).toEqual([5, 12]);
    expect(error.message).toMatch(/^open\.yml:5:12: /);
    expect(error.message).not.toContain('s3cret');
  });

  it('reports duplicate keys and bad JSON with their positions', async () => {
    const duplicate = await importText('config:\n  a: 1\n  a: 2\n').catch((e) => e);
    expect(duplicate).toBeInstanceOf(ConfigSyntaxError);
    expect(duplicate.line).toBe(3);
    const json = await importText('{"config": {"a": 1,, }}').catch((e) => e);
    expect(json).toBeInstanceOf(ConfigSyntaxError);
    expect([json.line, json.column]).toEqual([1, 20]);
  });
});

describe('render', () => {
  let closed: string;
  beforeEach(async () => {
    closed = (await importText(EXAMPLE)).text;
  });

  it('resolves the exact stage and its exact per-stage values', async () => {
    const rendered = await renderConfig(closed, 'prod', { keys: env.keys });
    expect(rendered.match).toMatchObject({ name: 'prod', by: 'exact' });
    expect(rendered.config).toEqual({
      foo: 'bar',
      password: 'my-prod-password',
      nested: { inner_var: 'value', a_list: [{ username1: 'bob-prod', password1: 'bob-prod-pw' }, { username2: 'user2', password2: 'prod-pw2' }] },
    });
    expect(env.calls.decrypt).toEqual(['local:prod.key']);
  });

  it('resolves other stages through the regex stage, and exact per-stage keys before regex ones', async () => {
    const dev = await renderConfig(closed, 'dev', { keys: env.keys });
    expect(dev.match).toMatchObject({ name: '/.*/', by: 'pattern' });
    expect((dev.config as { password: string }).password).toBe('my-dev-password');
    const custom = await renderConfig(closed, 'feature-42', { keys: env.keys });
    expect((custom.config as { password: string }).password).toBe('my-custom-password');
    expect(custom.config).toMatchObject({ nested: { a_list: [{ username1: 'bob-dev', password1: 'bob-dev-pw' }, { password2: 'dev-pw2' }] } });
  });

  it('renders falsy per-stage values (0, false, "", null) as values', async () => {
    const text = (await importText('stages:\n  prod: { key: "local:prod.key" }\nconfig:\n  zero: { +prod: 0 }\n  no: { +prod: false }\n  empty: { +prod: "" }\n  nothing: { +prod: null }\n  secret: { +prod: ":encrypt:" }\n')).text;
    expect((await renderConfig(text, 'prod', { keys: env.keys })).config).toEqual({ zero: 0, no: false, empty: '', nothing: null, secret: '' });
  });

  it('names an unknown stage and the stages that exist', async () => {
    const text = (await importText('stages:\n  prod: { key: k }\n  staging: { key: k }\nconfig: {}\n')).text;
    const error = await renderConfig(text, 'qa', { keys: env.keys }).catch((e) => e);
    expect(error).toBeInstanceOf(UnknownStageError);
    expect(error.message).toMatch(/unknown stage "qa".*prod, staging/);
  });

  it('names a per-stage value with no entry for the stage', async () => {
    const text = (await importText('stages:\n  /.*/: { key: k }\nconfig:\n  db:\n    host: { +prod: p }\n')).text;
    const error = await renderConfig(text, 'dev', { keys: env.keys }).catch((e) => e);
    expect(error).toBeInstanceOf(MissingStageValueError);
    expect(error.message).toMatch(/^config\.db\.host has no value for stage "dev"/);
  });

  it('reports ambiguous regex matches, choosing the first in file order', async () => {
    const text = (await importText('stages:\n  /dev-.*/: { key: "local:dev.key" }\n  /.*-1/: { key: "local:prod.key" }\nconfig:\n  x:\n    +/.*-1/: last\n    +/dev-.*/: first\n')).text;
    const rendered = await renderConfig(text, 'dev-1', { keys: env.keys });
    expect(rendered.match).toMatchObject({ name: '/dev-.*/', alsoMatched: ['/.*-1/'] });
    expect(rendered.config).toEqual({ x: 'last' });
    expect(rendered.ambiguities).toEqual([{ path: 'config.x', chosen: '+/.*-1/', alsoMatched: ['+/dev-.*/'] }]);
  });

  it('refuses an :encrypt: value that was never encrypted', async () => {
    const error = await renderConfig('stages:\n  prod: { key: k }\nconfig:\n  pw: { +prod: ":encrypt:x" }\n', 'prod', { keys: env.keys }).catch((e) => e);
    expect(error.message).toMatch(/never encrypted/);
  });

  it('rejects an empty stage name', async () => {
    await expect(renderConfig(closed, '', { keys: env.keys })).rejects.toThrow(TypeError);
  });
});

describe('tampering', () => {
  let closed: string;
  beforeEach(async () => {
    closed = (await importText(EXAMPLE)).text;
  });

  const flipByte = (value: string) => {
    const [, index, body] = /^:envelope:(\d+):(.*)$/.exec(value)!;
    const bytes = Buffer.from(body!, 'base64');
    bytes[20] = bytes[20]! ^ 1;
    return `:envelope:${index}:${bytes.toString('base64')}`;
  };

  it('fails authentication on an altered ciphertext, naming its path', async () => {
    const value = parse(closed).config.nested.a_list[1].password2['+prod'];
    const tampered = closed.replace(value, flipByte(value));
    const error = await exportConfig(tampered, { keys: env.keys }).catch((e) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error.path).toBe('config.nested.a_list[1].password2.+prod');
    expect(error.message).toMatch(/authentication failed/);
    await expect(renderConfig(tampered, 'prod', { keys: env.keys })).rejects.toThrow(/config\.nested\.a_list\[1\]\.password2\.\+prod/);
  });

  it('fails when two values under the same key swap places (the path is authenticated)', async () => {
    const doc = parse(closed);
    const a = doc.config.password['+prod'];
    const b = doc.config.nested.a_list[0].password1['+prod'];
    const swapped = closed.replace(a, '<A>').replace(b, a).replace('<A>', b);
    const error = await renderConfig(swapped, 'prod', { keys: env.keys }).catch((e) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error.path).toBe('config.password.+prod');
  });

  it('fails when a value moves to another stage key', async () => {
    const doc = parse(closed);
    const swapped = closed.replace(doc.config.password['+dev'], doc.config.password['+prod']);
    await expect(renderConfig(swapped, 'dev', { keys: env.keys })).rejects.toThrow(DecryptionError);
  });

  it.each([
    ['a malformed value', () => ':envelope:0:not base64!'],
    ['a missing data key', (v: string) => v.replace(/^:envelope:\d+:/, ':envelope:7:')],
    ['a truncated value', () => ':envelope:0:AAAA'],
  ])('fails on %s', async (_name, change) => {
    const value = parse(closed).config.password['+prod'];
    const error = await exportConfig(closed.replace(value, change(value)), { keys: env.keys }).catch((e) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect(error.path).toBe('config.password.+prod');
  });

  it('refuses an envelope of another version or shape', async () => {
    await expect(exportConfig(closed.replace('version: 1', 'version: 2'), { keys: env.keys })).rejects.toThrow(/envelope\.version: is 2/);
    await expect(exportConfig(closed.replace(/keys:\n/, 'keys: 3\nx:\n'), { keys: env.keys })).rejects.toThrow(ConfigFormatError);
    await expect(exportConfig(`${closed.replace(/^envelope:[\s\S]*$/m, '')}envelope: 1\n`, { keys: env.keys })).rejects.toThrow(/envelope: must be/);
    await expect(exportConfig(`${closed.replace(/^envelope:[\s\S]*$/m, '')}envelope:\n  version: 1\n  keys: [{ key: k }]\n`, { keys: env.keys })).rejects.toThrow(/envelope\.keys\[0\]/);
  });

  it('fails when a data key is replaced by one from another key file', async () => {
    const doc = parse(closed);
    const swapped = closed.replace(doc.envelope.keys[1].dataKey, doc.envelope.keys[0].dataKey);
    await expect(renderConfig(swapped, 'prod', { keys: env.keys })).rejects.toThrow(/not made with this key file/);
  });

  it('refuses an encrypted value outside a per-stage value in a closed file', async () => {
    const value = parse(closed).config.password['+prod'];
    const moved = closed.replace('foo: bar', `foo: "${value}"`);
    await expect(exportConfig(moved, { keys: env.keys })).rejects.toThrow(/config\.foo: holds an encrypted value outside a per-stage value/);
  });

  it('rejects a data key that is not base64', async () => {
    const doc = parse(closed);
    const broken = closed.replace(doc.envelope.keys[1].dataKey, 'AAA');
    await expect(renderConfig(broken, 'prod', { keys: env.keys })).rejects.toThrow(/envelope\.keys\[1\]\.dataKey: is not base64/);
  });
});

describe('helpers', () => {
  it('templateConfig makes one stage per environment, and a dev stage without environments', async () => {
    expect(parse(await templateConfig(['prod', 'staging']))).toEqual({
      stages: { prod: { environment: 'prod', key: 'alias/prod-config' }, staging: { environment: 'staging', key: 'alias/staging-config' } },
      config: {},
    });
    expect(JSON.parse(await templateConfig([], 'json')).stages).toEqual({ dev: { environment: 'dev', key: 'alias/dev-config' } });
  });

  it('stagesOf reads the stages of a file', async () => {
    expect((await stagesOf(EXAMPLE)).names).toEqual(['prod', '/.*/']);
  });
});
