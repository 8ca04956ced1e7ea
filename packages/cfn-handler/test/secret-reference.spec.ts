import fc from 'fast-check';
import {
  findSecretReferences,
  parseSecretReference,
  redact,
  resolveSecretReferences,
  SecretReferenceError,
  type SecretReference,
} from '../src/secret-reference.js';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';

describe('parseSecretReference', () => {
  it.each([
    ['{{resolve:secretsmanager:db}}', { secretId: 'db' }],
    ['{{resolve:secretsmanager:db:SecretString}}', { secretId: 'db' }],
    ['{{resolve:secretsmanager:db:SecretString:password}}', { secretId: 'db', jsonKey: 'password' }],
    ['{{resolve:secretsmanager:db::password}}', { secretId: 'db', jsonKey: 'password' }],
    ['{{resolve:secretsmanager:db:SecretString:password:AWSPREVIOUS}}', { secretId: 'db', jsonKey: 'password', versionStage: 'AWSPREVIOUS' }],
    ['{{resolve:secretsmanager:db:SecretString:::v-123}}', { secretId: 'db', versionId: 'v-123' }],
    [`{{resolve:secretsmanager:${ARN}}}`, { secretId: ARN }],
    [`{{resolve:secretsmanager:${ARN}:SecretString:user::v1}}`, { secretId: ARN, jsonKey: 'user', versionId: 'v1' }],
    ['{{resolve:secretsmanager:path/to/db+x=y.z@w-1:SecretString:k}}', { secretId: 'path/to/db+x=y.z@w-1', jsonKey: 'k' }],
  ])('parses %s', (text, expected) => {
    expect(parseSecretReference(text)).toEqual({ text, ...expected });
  });

  it.each([
    ['{{resolve:secretsmanager:}}', /secret id is empty/],
    ['{{resolve:secretsmanager::SecretString:k}}', /secret id is empty/],
    ['{{resolve:secretsmanager:db:SecretBinary}}', /must be "SecretString"/],
    ['{{resolve:secretsmanager:db:SecretString:k:AWSCURRENT:v1}}', /cannot both be given/],
    ['{{resolve:secretsmanager:db:SecretString:k:s:v:extra}}', /too many segments/],
    ['{{resolve:secretsmanager:arn:aws:s3:::bucket}}', /not a Secrets Manager secret ARN/],
    ['{{resolve:ssm:param}}', /not a secretsmanager dynamic reference/],
  ])('rejects %s, naming it', (text, why) => {
    expect(() => parseSecretReference(text)).toThrow(why);
    try {
      parseSecretReference(text);
    } catch (error) {
      expect(error).toBeInstanceOf(SecretReferenceError);
      expect((error as SecretReferenceError).reference).toBe(text);
      expect((error as Error).message).toContain(text);
    }
  });
});

describe('findSecretReferences', () => {
  it('finds references deep in strings, arrays and objects, each once, leaving keys alone', () => {
    const props = {
      ServiceToken: 'arn:aws:lambda:…',
      Url: 'postgres://{{resolve:secretsmanager:db::user}}:{{resolve:secretsmanager:db::password}}@host',
      List: ['{{resolve:secretsmanager:api}}', 3, null, { Deep: '{{resolve:secretsmanager:db::user}}' }],
      '{{resolve:secretsmanager:key}}': 'plain',
    };
    expect(findSecretReferences(props)).toEqual([
      '{{resolve:secretsmanager:db::user}}',
      '{{resolve:secretsmanager:db::password}}',
      '{{resolve:secretsmanager:api}}',
    ]);
  });

  it('refuses a reference that is not closed, rather than passing the literal on', () => {
    expect(() => findSecretReferences({ A: 'x {{resolve:secretsmanager:db:SecretString' })).toThrow(SecretReferenceError);
  });
});

describe('resolveSecretReferences', () => {
  const store: Record<string, string> = {
    db: JSON.stringify({ user: 'admin', password: 'pa55-w0rd!', port: 5432 }),
    'db@AWSPREVIOUS': JSON.stringify({ user: 'admin', password: 'old-pass' }),
    api: 'api-key-123',
    binaryish: 'not json',
  };
  function reader(calls: SecretReference[] = []) {
    return async (ref: SecretReference) => {
      calls.push(ref);
      const key = ref.versionStage ? `${ref.secretId}@${ref.versionStage}` : ref.secretId;
      const found = store[key];
      if (found === undefined) throw Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' });
      return found;
    };
  }

  it('replaces every reference, reads each secret version once, and lists the values for redaction', async () => {
    const calls: SecretReference[] = [];
    const { value, secrets } = await resolveSecretReferences(
      {
        Url: 'postgres://{{resolve:secretsmanager:db::user}}:{{resolve:secretsmanager:db::password}}@h',
        Old: '{{resolve:secretsmanager:db::password:AWSPREVIOUS}}',
        Key: ['{{resolve:secretsmanager:api}}'],
        Port: '{{resolve:secretsmanager:db::port}}',
        Count: 3,
      },
      reader(calls),
    );
    expect(value).toEqual({ Url: 'postgres://admin:pa55-w0rd!@h', Old: 'old-pass', Key: ['api-key-123'], Port: '5432', Count: 3 });
    expect(calls.map((c) => `${c.secretId}@${c.versionStage ?? ''}`).sort()).toEqual(['api@', 'db@', 'db@AWSPREVIOUS']);
    expect(secrets).toEqual(expect.arrayContaining(['admin', 'pa55-w0rd!', 'old-pass', 'api-key-123', '5432', store['db']]));
  });

  it('leaves a value without references untouched, reading nothing', async () => {
    const calls: SecretReference[] = [];
    const props = { A: 'plain', B: [1, 2] };
    const result = await resolveSecretReferences(props, reader(calls));
    expect(result).toEqual({ value: props, secrets: [] });
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['{{resolve:secretsmanager:missing}}', /could not resolve \{\{resolve:secretsmanager:missing\}\}: ResourceNotFoundException/],
    ['{{resolve:secretsmanager:db::nokey}}', /has no top-level key "nokey"/],
    ['{{resolve:secretsmanager:binaryish::k}}', /not JSON/],
  ])('fails naming %s', async (reference, why) => {
    await expect(resolveSecretReferences({ A: reference }, reader())).rejects.toThrow(why);
  });
});

describe('redact', () => {
  it('masks every occurrence, longest secret first', () => {
    expect(redact('user admin with admin-password failed', ['admin', 'admin-password'])).toBe('user **** with **** failed');
  });

  it('leaves no secret behind (property)', () => {
    const secret = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(fc.oneof(secret, fc.string({ maxLength: 5 }))), fc.array(secret, { maxLength: 4 }), (parts, secrets) => {
        const text = parts.concat(secrets).join('');
        const out = redact(text, secrets);
        for (const s of secrets) expect(out).not.toContain(s);
      }),
    );
  });
});
