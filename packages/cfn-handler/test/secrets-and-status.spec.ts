import { CustomResource, inProgress, isRollingBack, UNKNOWN, type CustomResourceEvent } from '../src/index.js';
import { FUNCTION, onlyResponse, startHarness, type Harness } from './support/fixtures.js';

let h: Harness;
const PASSWORD = 'hunter2-Sup3r-secret';
let dbArn = '';

beforeAll(async () => {
  h = await startHarness();
  dbArn = await h.createSecret('prod/db', JSON.stringify({ username: 'app_user', password: PASSWORD }));
  await h.createSecret('api-token', 'tok-0123456789abcdef');
});

afterAll(async () => {
  await h.close();
});

afterEach(() => {
  expect(h.responses.errors).toEqual([]);
});

type Props = { Url: string; Token?: string; Nested?: { List: string[] } };

describe('secret references', () => {
  it('resolves every reference before user code runs, by name or ARN, in new and old properties', async () => {
    const seen: CustomResourceEvent<Props>[] = [];
    const r = new CustomResource<Props>(h.options({ stackStatus: false })).update(async (event) => {
      seen.push(event);
    });
    await r.handler(
      h.event('Update', 'secrets-resolved', {
        ResourceProperties: {
          ServiceToken: 't',
          Url: 'postgres://{{resolve:secretsmanager:prod/db:SecretString:username}}:{{resolve:secretsmanager:prod/db::password}}@db:5432/app',
          Nested: { List: [`{{resolve:secretsmanager:${dbArn}:SecretString:username}}`, 'plain'] },
        },
        OldResourceProperties: { ServiceToken: 't', Url: 'x', Token: '{{resolve:secretsmanager:api-token}}' },
      }),
      h.context(),
    );
    onlyResponse(h, 'secrets-resolved');
    expect(seen[0]!.ResourceProperties.Url).toBe(`postgres://app_user:${PASSWORD}@db:5432/app`);
    expect(seen[0]!.ResourceProperties.Nested!.List).toEqual(['app_user', 'plain']);
    expect(seen[0]!.OldResourceProperties!.Token).toBe('tok-0123456789abcdef');
    // prod/db is named twice by name (one read) and once by ARN (one read); api-token once.
    expect(h.aws.requests('secretsmanager').filter((r) => r.operation === 'GetSecretValue')).toHaveLength(3);
    expect(h.log.text()).not.toContain(PASSWORD);
  });

  it('redacts resolved values from the Reason and the logs', async () => {
    const r = new CustomResource<Props>(h.options({ stackStatus: false })).create(async (event) => {
      throw new Error(`login failed for ${event.ResourceProperties.Url}`);
    });
    await r.handler(h.event('Create', 'secrets-redacted', { ResourceProperties: { ServiceToken: 't', Url: 'pw={{resolve:secretsmanager:prod/db::password}}' } }), h.context());
    const sent = h.responsesTo('secrets-redacted')[0]!;
    expect(sent.raw).not.toContain(PASSWORD);
    expect(onlyResponse(h, 'secrets-redacted')['Reason']).toBe('login failed for pw=****');
    expect(h.log.text()).not.toContain(PASSWORD);
  });

  it('keeps resolved values out of the re-invoke payload, which carries the unresolved properties', async () => {
    const urls: string[] = [];
    const r = new CustomResource<Props>(h.options({ stackStatus: false }))
      .create(async (event) => {
        urls.push(event.ResourceProperties.Url);
        return inProgress({ step: 1 });
      })
      .poll(async (event) => {
        urls.push(event.ResourceProperties.Url);
        return { data: { Done: 'yes' } };
      });
    h.aws.lambda.register(FUNCTION, r.handler, { timeoutMs: 5000 });
    const reference = '{{resolve:secretsmanager:prod/db::password}}';
    try {
      await r.handler(h.event('Create', 'secrets-payload', { ResourceProperties: { ServiceToken: 't', Url: reference } }), h.context());
      const invocations = await h.aws.lambda.settled();
      const payload = JSON.stringify(invocations.at(-1)!.event);
      expect(payload).toContain(reference);
      expect(payload).not.toContain(PASSWORD);
      expect(urls).toEqual([PASSWORD, PASSWORD]);
      expect(onlyResponse(h, 'secrets-payload')).toMatchObject({ Status: 'SUCCESS', Data: { Done: 'yes' } });
    } finally {
      h.aws.lambda.unregister(FUNCTION);
    }
  });

  it('refuses to hand a resolved value on in the poll state', async () => {
    const r = new CustomResource<Props>(h.options({ stackStatus: false }))
      .create(async (event) => inProgress({ password: event.ResourceProperties.Url }))
      .poll(async () => undefined);
    await r.handler(h.event('Create', 'secret-in-state', { ResourceProperties: { ServiceToken: 't', Url: '{{resolve:secretsmanager:prod/db::password}}' } }), h.context());
    expect(onlyResponse(h, 'secret-in-state')).toMatchObject({ Status: 'FAILED', Reason: /poll state contains a value resolved from a secret/ });
    expect(h.responsesTo('secret-in-state')[0]!.raw).not.toContain(PASSWORD);
  });

  it('fails naming a reference that cannot be resolved, never passing the literal on', async () => {
    const create = jest.fn();
    const r = new CustomResource<Props>(h.options({ stackStatus: false })).create(create);
    await r.handler(h.event('Create', 'secret-missing', { ResourceProperties: { ServiceToken: 't', Url: '{{resolve:secretsmanager:no/such:SecretString:password}}' } }), h.context());
    expect(onlyResponse(h, 'secret-missing')).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/^could not resolve \{\{resolve:secretsmanager:no\/such:SecretString:password\}\}: ResourceNotFoundException/),
    });
    await r.handler(h.event('Create', 'secret-no-key', { ResourceProperties: { ServiceToken: 't', Url: '{{resolve:secretsmanager:prod/db::port}}' } }), h.context());
    expect(onlyResponse(h, 'secret-no-key')).toMatchObject({ Status: 'FAILED', Reason: /has no top-level key "port"/ });
    await h.createSecret('binary-secret', undefined, Buffer.from([1, 2, 3]));
    await r.handler(h.event('Create', 'secret-binary', { ResourceProperties: { ServiceToken: 't', Url: '{{resolve:secretsmanager:binary-secret}}' } }), h.context());
    expect(onlyResponse(h, 'secret-binary')).toMatchObject({ Status: 'FAILED', Reason: /has no SecretString/ });
    expect(create).not.toHaveBeenCalled();
  });

  it('resolveSecrets: false hands the literal through and reads nothing', async () => {
    const seen: string[] = [];
    const before = h.aws.requests('secretsmanager').length;
    const r = new CustomResource<Props>(h.options({ stackStatus: false, resolveSecrets: false })).create(async (event) => {
      seen.push(event.ResourceProperties.Url);
    });
    await r.handler(h.event('Create', 'secrets-off', { ResourceProperties: { ServiceToken: 't', Url: '{{resolve:secretsmanager:prod/db::password}}' } }), h.context());
    onlyResponse(h, 'secrets-off');
    expect(seen).toEqual(['{{resolve:secretsmanager:prod/db::password}}']);
    expect(h.aws.requests('secretsmanager').length).toBe(before);
  });
});

describe('stack status', () => {
  it('reads StackStatus and StackStatusReason with DescribeStacks for Update and Delete, not Create', async () => {
    const seen: Array<[string, unknown, unknown]> = [];
    const record = async (event: CustomResourceEvent) => {
      seen.push([event.RequestType, event.StackStatus, event.StackStatusReason]);
    };
    const r = new CustomResource(h.options()).create(record).update(record).delete(record);
    await r.handler(h.event('Update', 'status-update'), h.context());
    await r.handler(h.event('Delete', 'status-delete'), h.context());
    await r.handler(h.event('Create', 'status-create'), h.context());
    ['status-update', 'status-delete', 'status-create'].forEach((name) => onlyResponse(h, name));
    expect(seen).toEqual([
      ['Update', 'UPDATE_IN_PROGRESS', 'User Initiated'],
      ['Delete', 'UPDATE_IN_PROGRESS', 'User Initiated'],
      ['Create', undefined, undefined],
    ]);
  });

  it('tells a rolling-back stack', async () => {
    const stack = h.aws.cloudformation.registerStack({ StackName: 'rolling', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
    const answers: boolean[] = [];
    const r = new CustomResource(h.options()).update(async (event) => {
      answers.push(isRollingBack(event));
      return isRollingBack(event) ? { reason: 'rollback: nothing to do' } : undefined;
    });
    await r.handler(h.event('Update', 'rolling', { StackId: stack.StackId }), h.context());
    expect(answers).toEqual([true]);
    expect(onlyResponse(h, 'rolling')).toMatchObject({ Status: 'SUCCESS', Reason: 'rollback: nothing to do' });
  });

  it('is UNKNOWN, never a throw, when the stack cannot be described', async () => {
    const seen: unknown[] = [];
    const r = new CustomResource(h.options()).delete(async (event) => {
      seen.push([event.StackStatus, event.StackStatusReason]);
    });
    const gone = h.stackId.replace('/orders/', '/gone/');
    await r.handler(h.event('Delete', 'status-unknown', { StackId: gone }), h.context());
    expect(seen).toEqual([[UNKNOWN, UNKNOWN]]);
    expect(h.log.lines.some((l) => l.level === 'warn' && /StackStatus is UNKNOWN/.test(l.message))).toBe(true);
    expect(onlyResponse(h, 'status-unknown')['Status']).toBe('SUCCESS');
  });

  it('stackStatus: false skips DescribeStacks', async () => {
    const before = h.aws.requests('cloudformation').length;
    const r = new CustomResource(h.options({ stackStatus: false })).update(async (event) => {
      expect(event.StackStatus).toBeUndefined();
    });
    await r.handler(h.event('Update', 'status-off'), h.context());
    onlyResponse(h, 'status-off');
    expect(h.aws.requests('cloudformation').length).toBe(before);
  });
});
