import { CustomResource } from '../src/index.js';
import { checkSecretsInData } from '../src/secrets-in-data.js';
import { onlyResponse, startHarness, type Harness } from './support/fixtures.js';

// Issue 16, item 4: a value resolved from {{resolve:secretsmanager:…}} never leaves in clear Data,
// and an event missing a required field answers FAILED naming it.

let h: Harness;
const PASSWORD = 'hunter2-Sup3r-secret';
const REF = '{{resolve:secretsmanager:prod/db::password}}';

beforeAll(async () => {
  h = await startHarness();
  await h.createSecret('prod/db', JSON.stringify({ username: 'app_user', password: PASSWORD }));
});

afterAll(async () => {
  await h.close();
});

type Props = { Password: string };

function echoing(extra: Parameters<Harness['options']>[0] = {}, noEcho?: boolean) {
  return new CustomResource<Props>(h.options({ stackStatus: false, ...extra })).create(async (event) => ({
    data: { Endpoint: 'db:5432', Nested: { Dsn: `postgres://app:${event.ResourceProperties.Password}@db/app` } },
    ...(noEcho !== undefined && { noEcho }),
  }));
}

describe('a resolved secret in Data', () => {
  it('answers with NoEcho: true and logs which attributes, never the value', async () => {
    await echoing().handler(h.event('Create', 'secret-echo', { ResourceProperties: { ServiceToken: 't', Password: REF } }), h.context());
    const sent = onlyResponse(h, 'secret-echo');
    expect(sent).toMatchObject({ Status: 'SUCCESS', NoEcho: true });
    expect((sent['Data'] as { Nested: { Dsn: string } }).Nested.Dsn).toContain(PASSWORD);
    const line = h.log.lines.find((l) => /NoEcho/.test(l.message));
    expect(line).toMatchObject({ level: 'warn', fields: { attributes: ['Nested'] } });
    expect(h.log.text()).not.toContain(PASSWORD);
  });

  it('leaves NoEcho off when no resolved value is in Data', async () => {
    const r = new CustomResource<Props>(h.options({ stackStatus: false })).create(async () => ({ data: { Endpoint: 'db:5432' } }));
    await r.handler(h.event('Create', 'secret-not-echoed', { ResourceProperties: { ServiceToken: 't', Password: REF } }), h.context());
    const sent = onlyResponse(h, 'secret-not-echoed');
    expect(sent['Status']).toBe('SUCCESS');
    expect(sent['NoEcho']).toBeUndefined();
  });

  it("with secretsInData: 'refuse', answers FAILED naming the attribute, without the value", async () => {
    await echoing({ secretsInData: 'refuse' }).handler(
      h.event('Create', 'secret-refused', { ResourceProperties: { ServiceToken: 't', Password: REF } }),
      h.context(),
    );
    const sent = onlyResponse(h, 'secret-refused');
    expect(sent).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/attribute\(s\) Nested hold a value resolved from a secret/) });
    expect(JSON.stringify(sent)).not.toContain(PASSWORD);
    expect(h.log.text()).not.toContain(PASSWORD);
  });

  it("with secretsInData: 'refuse', lets through Data the function masked itself", async () => {
    await echoing({ secretsInData: 'refuse' }, true).handler(
      h.event('Create', 'secret-masked', { ResourceProperties: { ServiceToken: 't', Password: REF } }),
      h.context(),
    );
    expect(onlyResponse(h, 'secret-masked')).toMatchObject({ Status: 'SUCCESS', NoEcho: true });
  });

  it('rejects an unknown secretsInData at construction', () => {
    expect(() => new CustomResource({ secretsInData: 'log' as never })).toThrow(
      `@fleece/cfn-handler: option "secretsInData" must be 'noEcho' or 'refuse', got "log"`,
    );
  });

  it('finds a secret in a key, a number or an escaped string, and ignores empty secrets', () => {
    expect(checkSecretsInData({ a: { 'pw-s3cr3t': 1 } }, undefined, ['s3cr3t'], 'noEcho')).toEqual({
      kind: 'noEcho',
      attributes: ['a'],
    });
    expect(checkSecretsInData({ s3cr3t: 1 }, false, ['s3cr3t'], 'noEcho')).toEqual({
      kind: 'noEcho',
      attributes: ['(an attribute whose name is secret)'],
    });
    expect(checkSecretsInData({ port: 54321 }, undefined, ['54321'], 'noEcho').kind).toBe('noEcho');
    expect(checkSecretsInData({ q: 'say "hi"\n' }, undefined, ['"hi"\n'], 'noEcho').kind).toBe('noEcho');
    expect(checkSecretsInData({ q: 'x' }, undefined, [''], 'noEcho').kind).toBe('clear');
    expect(checkSecretsInData(undefined, undefined, ['x'], 'refuse').kind).toBe('clear');
  });
});

describe('an event missing a required field', () => {
  const ok = () => new CustomResource(h.options({ stackStatus: false })).create(async () => ({ data: { A: '1' } }));

  it.each([
    ['ResourceProperties', { ResourceProperties: undefined }],
    ['ServiceToken', { ServiceToken: undefined, ResourceProperties: { Size: '3' } }],
    ['StackId', { StackId: undefined }],
    ['RequestId', { RequestId: undefined }],
    ['LogicalResourceId', { LogicalResourceId: undefined }],
  ])('answers FAILED naming %s', async (field, change) => {
    const name = `missing-${field}`;
    const outcome = await ok().handler(h.event('Create', name, change), h.context());
    expect(outcome).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(`the event has no ${field}`) });
    const sent = h.responsesTo(name);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ Status: 'FAILED', Reason: `malformed custom resource event: the event has no ${field}` });
  });

  it('throws, answering nothing, without a ResponseURL', async () => {
    await expect(ok().handler(h.event('Create', 'missing-url', { ResponseURL: undefined }), h.context())).rejects.toThrow(/ResponseURL/);
    expect(h.responsesTo('missing-url')).toHaveLength(0);
  });
});
