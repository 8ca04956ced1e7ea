import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalAws, type LocalAws } from '@fleece/testing';
import {
  createKeyProvider,
  getParameter,
  getParameters,
  importConfig,
  ParameterError,
  ParameterStoreError,
  putParameters,
  renderConfig,
  resetParameterCache,
  toParameters,
} from '../src/index.js';
import { EXAMPLE } from './helpers.js';

let aws: LocalAws;
let kms: KMSClient;
let ssm: SSMClient;

const ssmCalls = (operation?: string) => aws.requests('ssm').filter((r) => operation === undefined || r.operation === operation);

beforeAll(async () => {
  aws = await startLocalAws({ services: ['kms', 'ssm'] });
  kms = new KMSClient(aws.clientConfig('kms'));
  ssm = new SSMClient(aws.clientConfig('ssm'));
  for (const alias of ['prod', 'dev', 'params']) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: KeyMetadata!.KeyId! }));
  }
});
afterAll(async () => {
  kms.destroy();
  ssm.destroy();
  await aws.stop();
});
beforeEach(() => {
  aws.resetRequests();
  resetParameterCache();
});

function stringified(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringified);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringified(v)]));
  return String(value);
}

describe('render to Parameter Store, read back with getParameters', () => {
  it('returns the same tree', async () => {
    const keys = createKeyProvider({ kms });
    const closed = (await importConfig(EXAMPLE.replace('local:prod.key', 'prod').replace('local:dev.key', 'dev'), { keys })).text;
    const { config } = await renderConfig(closed, 'prod', { keys });
    const entries = toParameters({ ...(config as object), port: 8080, debug: false }, '/super-service/prod');
    const progress: number[] = [];
    await putParameters(entries, { ssm, kmsKey: 'params', onProgress: ({ done }) => progress.push(done) });
    expect(ssmCalls('PutParameter')).toHaveLength(entries.length);
    expect(progress).toEqual(entries.map((_, i) => i + 1));

    const raw = await ssm.send(new GetParameterCommand({ Name: '/super-service/prod/password' }));
    expect(raw.Parameter?.Type).toBe('SecureString');
    expect(raw.Parameter?.Value).not.toBe('my-prod-password');

    const tree = await getParameters('/super-service/prod', { ssm });
    expect(tree).toEqual(stringified({ ...(config as object), port: 8080, debug: false }));
    expect(tree).toEqual({
      foo: 'bar',
      password: 'my-prod-password',
      nested: { inner_var: 'value', a_list: [{ username1: 'bob-prod', password1: 'bob-prod-pw' }, { username2: 'user2', password2: 'prod-pw2' }] },
      port: '8080',
      debug: 'false',
    });
    expect(entries).toHaveLength(9);
    expect(ssmCalls('GetParametersByPath')).toHaveLength(1);
  });

  it('overwrites on a second render and reads every page', async () => {
    const config = Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`k${i}`, `v${i}`]));
    await putParameters(toParameters(config, '/many'), { ssm });
    await putParameters(toParameters({ ...config, k0: 'changed' }, '/many/'), { ssm });
    aws.resetRequests();
    const tree = await getParameters('/many/', { ssm });
    expect(tree).toEqual({ ...config, k0: 'changed' });
    expect(ssmCalls('GetParametersByPath')).toHaveLength(3);
  });

  it('makes no call when validation fails', async () => {
    expect(() => toParameters({ ok: 'x', bad: '' }, '/p')).toThrow(ParameterStoreError);
    await putParameters([], { ssm });
    expect(ssmCalls()).toHaveLength(0);
  });

  it('names the parameter that failed and how many were written', async () => {
    const error = await putParameters(
      [
        { name: '/w/a', value: 'x' },
        { name: '/w/b', value: 'y' },
      ],
      { ssm, kmsKey: 'alias/missing' },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toMatch(/^parameter \/w\/a: writing failed after 0 of 2 parameters were written/);
  });

  it('validates its options', async () => {
    await expect(putParameters('x' as never)).rejects.toThrow(TypeError);
    await expect(putParameters([], { ssm: {} as never })).rejects.toThrow(/ssm must be/);
    await expect(putParameters([], { kmsKey: ' ' })).rejects.toThrow(/kmsKey/);
    await expect(putParameters([], { onProgress: 1 as never })).rejects.toThrow(/onProgress/);
  });
});

describe('getParameter', () => {
  beforeAll(async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 's3cret', Type: 'SecureString', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/app/json', Value: '{"a":[1,2]}', Type: 'String', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/app/bad-json', Value: '{s3cret', Type: 'String', Overwrite: true }));
    await ssm.send(new PutParameterCommand({ Name: '/app/bin', Value: Buffer.from([1, 2, 255]).toString('base64'), Type: 'String', Overwrite: true }));
  });

  it('decrypts by default and caches for maxAge on an injected clock', async () => {
    let now = 1_000_000;
    const clock = () => now;
    expect(await getParameter('/app/secret', { ssm, clock })).toBe('s3cret');
    expect(await getParameter('/app/secret', { ssm, clock })).toBe('s3cret');
    expect(ssmCalls('GetParameter')).toHaveLength(1);
    now += 4999;
    await getParameter('/app/secret', { ssm, clock });
    expect(ssmCalls('GetParameter')).toHaveLength(1);
    now += 1;
    await getParameter('/app/secret', { ssm, clock });
    expect(ssmCalls('GetParameter')).toHaveLength(2);
    await getParameter('/app/secret', { ssm, clock, maxAge: 0 });
    await getParameter('/app/secret', { ssm, clock, forceFetch: true });
    expect(ssmCalls('GetParameter')).toHaveLength(4);
  });

  it('keys the cache by every option that changes the value', async () => {
    const encrypted = await getParameter('/app/secret', { ssm, decrypt: false });
    expect(encrypted).not.toBe('s3cret');
    expect(await getParameter('/app/secret', { ssm })).toBe('s3cret');
    expect(await getParameter('/app/json', { ssm })).toBe('{"a":[1,2]}');
    expect(await getParameter('/app/json', { ssm, transform: 'json' })).toEqual({ a: [1, 2] });
    expect(ssmCalls('GetParameter')).toHaveLength(4);
    const other = new SSMClient(aws.clientConfig('ssm'));
    await getParameter('/app/json', { ssm: other });
    expect(ssmCalls('GetParameter')).toHaveLength(5);
    other.destroy();
  });

  it('transforms JSON (frozen, shared) and binary', async () => {
    const value = await getParameter<{ a: number[] }>('/app/json', { ssm, transform: 'json' });
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(await getParameter('/app/bin', { ssm, transform: 'binary' })).toEqual(new Uint8Array([1, 2, 255]));
  });

  it('fails clearly without leaking the value, and does not cache the failure', async () => {
    const error = (await getParameter('/app/bad-json', { ssm, transform: 'json' }).catch((e) => e)) as ParameterError;
    expect(error).toBeInstanceOf(ParameterError);
    expect(error.message).toBe('parameter /app/bad-json: its value is not valid JSON');
    await expect(getParameter('/app/missing', { ssm })).rejects.toThrow('parameter /app/missing: not found (ParameterNotFound)');
    await ssm.send(new PutParameterCommand({ Name: '/app/missing', Value: 'now', Type: 'String' }));
    expect(await getParameter('/app/missing', { ssm })).toBe('now');
  });

  it('uses the default client from the environment', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, aws.env());
    try {
      resetParameterCache();
      expect(await getParameter('/app/secret')).toBe('s3cret');
      expect(await getParameters('/app', { maxAge: 0 })).toMatchObject({ secret: 's3cret', json: '{"a":[1,2]}' });
    } finally {
      process.env = saved;
      resetParameterCache();
    }
  });

  it('wraps failures of getParameters', async () => {
    const dead = new SSMClient({ ...aws.clientConfig('ssm'), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await expect(getParameters('/app', { ssm: dead })).rejects.toThrow(/^parameter \/app: .*ECONNREFUSED/);
    dead.destroy();
  });

  it('validates its arguments', async () => {
    await expect(getParameter('')).rejects.toThrow(TypeError);
    await expect(getParameter('/a', null as never)).rejects.toThrow(TypeError);
    await expect(getParameter('/a', { maxAge: -1 })).rejects.toThrow(/maxAge/);
    await expect(getParameter('/a', { maxAge: Infinity })).rejects.toThrow(/maxAge/);
    await expect(getParameter('/a', { decrypt: 'yes' as never })).rejects.toThrow(/decrypt/);
    await expect(getParameter('/a', { forceFetch: 1 as never })).rejects.toThrow(/forceFetch/);
    await expect(getParameter('/a', { clock: 1 as never })).rejects.toThrow(/clock/);
    await expect(getParameter('/a', { transform: 'yaml' as never })).rejects.toThrow(/transform/);
    await expect(getParameter('/a', { ssm: {} as never })).rejects.toThrow(/ssm must be/);
    await expect(getParameters('relative')).rejects.toThrow(/prefix must be a path/);
  });
});
