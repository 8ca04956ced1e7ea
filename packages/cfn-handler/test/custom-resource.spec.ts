import {
  CustomResource,
  failedCreateId,
  isFailedCreateId,
  lazyHandler,
  ResponseError,
  type CustomResourceEvent,
  type InvocationTools,
} from '../src/index.js';
import { onlyResponse, startHarness, type Harness } from './support/fixtures.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

afterEach(() => {
  // No test may leave a protocol violation or a second response behind.
  expect(h.responses.errors).toEqual([]);
});

function resource(extra = {}) {
  return new CustomResource<{ Size: string }>(h.options({ stackStatus: false, ...extra }));
}

describe('success', () => {
  it('Create: answers SUCCESS once, with data and a deterministic default id, after the PUT', async () => {
    const seen: CustomResourceEvent<{ Size: string }>[] = [];
    const r = resource().create(async (event) => {
      seen.push(event);
      return { data: { Size: Number(event.ResourceProperties.Size) * 2 } };
    });
    const event = h.event('Create', 'create-ok');
    const outcome = await r.handler(event, h.context());
    // The handler resolved only after the response was recorded.
    const body = onlyResponse(h, 'create-ok');
    expect(body).toMatchObject({ Status: 'SUCCESS', Data: { Size: 6 }, StackId: h.stackId, LogicalResourceId: 'Thing' });
    expect(body['PhysicalResourceId']).toMatch(/^orders-Thing-[0-9a-f]{16}$/);
    expect(outcome).toEqual({ Status: 'SUCCESS', PhysicalResourceId: body['PhysicalResourceId'] });
    expect(seen[0]!.RequestType).toBe('Create');

    // The same Create delivered again (a Lambda retry) gets the same id.
    const again = h.event('Create', 'create-ok-again', { RequestId: event['RequestId'] });
    await r.handler(again, h.context());
    expect(onlyResponse(h, 'create-ok-again')['PhysicalResourceId']).toBe(body['PhysicalResourceId']);
  });

  it("accepts the origin's protocol form", async () => {
    const r = resource().create(async () => ({ Status: 'SUCCESS', PhysicalResourceId: '1234', Data: { A: 'b' } }));
    await r.handler(h.event('Create', 'protocol-form'), h.context());
    expect(onlyResponse(h, 'protocol-form')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: '1234', Data: { A: 'b' } });
  });

  it('Update: echoes the id, or answers a new one for a replacement', async () => {
    const r = resource().update(async (event) => (event.ResourceProperties.Size === '9' ? { physicalResourceId: 'thing-2' } : undefined));
    await r.handler(h.event('Update', 'update-echo'), h.context());
    expect(onlyResponse(h, 'update-echo')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1' });
    await r.handler(h.event('Update', 'update-replace', { ResourceProperties: { ServiceToken: 'x', Size: '9' } }), h.context());
    expect(onlyResponse(h, 'update-replace')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-2' });
  });

  it('Delete: echoes the id whatever the function returns; noEcho and reason pass through', async () => {
    const r = resource().delete(async () => ({ physicalResourceId: 'other', noEcho: true, reason: 'gone' }));
    await r.handler(h.event('Delete', 'delete-echo'), h.context());
    expect(onlyResponse(h, 'delete-echo')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1', NoEcho: true, Reason: 'gone' });
  });
});

describe('failures still answer exactly once', () => {
  it('a throw → FAILED with the message as Reason, and the failed-create marker id', async () => {
    const r = resource().create(async () => {
      throw new Error('quota exceeded\nfor bucket');
    });
    const event = h.event('Create', 'create-throws');
    await expect(r.handler(event, h.context())).resolves.toMatchObject({ Status: 'FAILED' });
    const body = onlyResponse(h, 'create-throws');
    expect(body).toMatchObject({ Status: 'FAILED', Reason: 'quota exceeded for bucket' });
    expect(body['PhysicalResourceId']).toBe(failedCreateId(h.stackId, 'Thing', event['RequestId'] as string));
    expect(h.log.lines.some((l) => l.level === 'error' && /create function threw/.test(l.message))).toBe(true);
  });

  it('a throw of a non-Error, or of an Error without message, still gives a Reason', async () => {
    const r = resource()
      .create(async () => {
        throw 'plain string';
      })
      .update(async () => {
        throw new TypeError('');
      });
    await r.handler(h.event('Create', 'throws-string'), h.context());
    expect(onlyResponse(h, 'throws-string')).toMatchObject({ Status: 'FAILED', Reason: 'plain string' });
    await r.handler(h.event('Update', 'throws-empty'), h.context());
    expect(onlyResponse(h, 'throws-empty')).toMatchObject({
      Status: 'FAILED',
      Reason: 'the update function threw TypeError without a message',
      PhysicalResourceId: 'thing-1',
    });
  });

  it('an invalid return value → FAILED naming what is wrong', async () => {
    const r = resource().create(async () => ({ PhysicalResourceID: 'typo' }) as never);
    await r.handler(h.event('Create', 'invalid-return'), h.context());
    expect(onlyResponse(h, 'invalid-return')).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/^the create function returned unknown key "PhysicalResourceID"/),
    });
  });

  it('a FAILED protocol result keeps its reason and id, so the Delete can clean up', async () => {
    const r = resource().create(async () => ({ Status: 'FAILED', Reason: 'half made', PhysicalResourceId: 'partial-1', Data: { x: 'y'.repeat(5000) } }));
    await r.handler(h.event('Create', 'protocol-failed'), h.context());
    expect(onlyResponse(h, 'protocol-failed')).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: 'half made', PhysicalResourceId: 'partial-1' }));
    expect(onlyResponse(h, 'protocol-failed')['Data']).toBeUndefined();
  });

  it('missing registrations: Create and Update fail clearly, Delete succeeds', async () => {
    const r = resource();
    await r.handler(h.event('Create', 'no-create'), h.context());
    expect(onlyResponse(h, 'no-create')).toMatchObject({ Status: 'FAILED', Reason: 'no create function is registered for this custom resource' });
    await r.handler(h.event('Update', 'no-update'), h.context());
    expect(onlyResponse(h, 'no-update')).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1', Reason: /no update function/ });
    await r.handler(h.event('Delete', 'no-delete'), h.context());
    expect(onlyResponse(h, 'no-delete')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1' });
    await r.handler(h.event('Update', 'no-poll', { EventStatus: 'Poll', CreationTime: Date.now() / 1000, Timeout: 300, EventHop: 1 }), h.context());
    expect(onlyResponse(h, 'no-poll')).toMatchObject({ Status: 'FAILED', Reason: /no poll function is registered/ });
  });

  it('data that cannot be serialized → FAILED saying so', async () => {
    const r = resource().create(async () => ({ data: { count: 10n } as never }));
    await r.handler(h.event('Create', 'unserializable'), h.context());
    const body = onlyResponse(h, 'unserializable');
    expect(body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/cannot be serialized to JSON/) });
    // Something may exist: the Delete must reach user code, so not the marker.
    expect(isFailedCreateId(body['PhysicalResourceId'], 'Thing')).toBe(false);
  });

  it('data over 4096 bytes → FAILED saying so; a long reason is cut, keeping its head', async () => {
    const r = resource()
      .create(async () => ({ data: { Blob: 'b'.repeat(4000) } }))
      .update(async () => {
        throw new Error(`START ${'detail '.repeat(1000)}`);
      });
    await r.handler(h.event('Create', 'too-much-data'), h.context());
    const body = onlyResponse(h, 'too-much-data');
    expect(body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/over CloudFormation's limit of 4096 bytes/) });
    expect(body['Data']).toBeUndefined();
    await r.handler(h.event('Update', 'long-reason'), h.context());
    const long = h.responsesTo('long-reason')[0]!;
    expect(Buffer.byteLength(long.raw)).toBeLessThanOrEqual(4096);
    expect(onlyResponse(h, 'long-reason')['Reason']).toMatch(/^START detail detail .*…$/);
  });

  it('a malformed event → FAILED naming the problem', async () => {
    const r = resource().create(async () => undefined);
    await r.handler(h.event('Create', 'malformed', { RequestType: 'Destroy' }), h.context());
    expect(onlyResponse(h, 'malformed')).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/RequestType "Destroy"/) });
  });

  it('an event without a ResponseURL cannot be answered: the handler rejects', async () => {
    const r = resource().create(async () => undefined);
    const { ResponseURL: _, ...event } = h.event('Create', 'no-url');
    await expect(r.handler(event, h.context())).rejects.toThrow(/no valid http\(s\) ResponseURL/);
    expect(h.responsesTo('no-url')).toHaveLength(0);
  });

  it('an internal fault (an event that cannot be copied) still answers FAILED', async () => {
    const r = resource().create(async () => undefined);
    await r.handler({ ...h.event('Create', 'internal-fault'), Extra: () => undefined }, h.context());
    expect(onlyResponse(h, 'internal-fault')).toMatchObject({ Status: 'FAILED', Reason: /^@fleece\/cfn-handler failed internally: / });
  });

  it('answers even when called without a Lambda context', async () => {
    const r = resource().delete(async () => undefined);
    await r.handler(h.event('Delete', 'no-context'), undefined as never);
    expect(onlyResponse(h, 'no-context')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1' });
    expect(h.log.lines.some((l) => l.level === 'warn' && /without a Lambda context/.test(l.message))).toBe(true);
  });

  it('a logger that throws does not cost the answer', async () => {
    const boom = () => {
      throw new Error('log sink down');
    };
    const r = new CustomResource(h.options({ stackStatus: false, logger: { debug: boom, info: () => undefined, warn: boom, error: boom } })).create(
      async () => {
        throw new Error('real failure');
      },
    );
    await r.handler(h.event('Create', 'throwing-logger'), h.context());
    expect(onlyResponse(h, 'throwing-logger')).toMatchObject({ Status: 'FAILED', Reason: 'real failure' });
  });
});

describe('the deadline guard', () => {
  it('answers FAILED "timed out" before Lambda would kill the invocation, aborting the signal', async () => {
    let tools: InvocationTools | undefined;
    const r = resource({ marginMs: 150 }).create(async (_, __, t) => {
      tools = t;
      await new Promise(() => undefined);
    });
    const context = h.context(400);
    await r.handler(h.event('Create', 'guard-timeout'), context);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(onlyResponse(h, 'guard-timeout')).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/^timed out: the create function did not finish 150 ms before/),
    });
    expect(tools!.signal.aborted).toBe(true);
    expect(tools!.remainingMs()).toBeLessThanOrEqual(0);
  });

  it('ignores a function that settles after the guard answered: still one response', async () => {
    let finish: (() => void) | undefined;
    const r = resource({ marginMs: 100 }).create(() => new Promise<undefined>((resolve) => (finish = () => resolve(undefined))));
    await r.handler(h.event('Create', 'late-settle'), h.context(250));
    finish!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(onlyResponse(h, 'late-settle')['Status']).toBe('FAILED');
  });

  it('keeps a default margin that fits a short function (a third of its time)', async () => {
    let left = 0;
    const r = resource().create(async (_, __, t) => {
      left = t.remainingMs();
    });
    await r.handler(h.event('Create', 'default-margin'), h.context(600));
    expect(left).toBeGreaterThan(300);
    expect(left).toBeLessThanOrEqual(400);
    expect(onlyResponse(h, 'default-margin')['Status']).toBe('SUCCESS');
  });
});

describe('the failed-create marker', () => {
  it('a failed Create, then the Delete CloudFormation sends for its marker: SUCCESS without user code', async () => {
    const deleted: string[] = [];
    const r = resource()
      .create(async () => {
        throw new Error('cannot create');
      })
      .delete(async (event) => {
        deleted.push(event.PhysicalResourceId);
      });
    await r.handler(h.event('Create', 'marker-create'), h.context());
    const marker = onlyResponse(h, 'marker-create')['PhysicalResourceId'] as string;
    await r.handler(h.event('Delete', 'marker-delete', { PhysicalResourceId: marker }), h.context());
    expect(onlyResponse(h, 'marker-delete')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: marker });
    expect(deleted).toEqual([]);
    // Another resource's marker is not this one's: its Delete reaches user code.
    const foreign = marker.replace(':Thing:', ':Other:');
    await r.handler(h.event('Delete', 'foreign-marker', { PhysicalResourceId: foreign }), h.context());
    expect(deleted).toEqual([foreign]);
    onlyResponse(h, 'foreign-marker');
  });
});

describe('lazyHandler: errors while loading', () => {
  it('answers FAILED when the module fails to load, and loads again next time', async () => {
    let attempts = 0;
    const handler = lazyHandler(
      async () => {
        attempts++;
        if (attempts === 1) throw new Error("Cannot find module './resource.js'");
        return resource().create(async () => ({ physicalResourceId: 'loaded' }));
      },
      h.options(),
    );
    await handler(h.event('Create', 'load-error'), h.context());
    expect(onlyResponse(h, 'load-error')).toMatchObject({
      Status: 'FAILED',
      Reason: "could not load the custom resource: Cannot find module './resource.js'",
    });
    await handler(h.event('Create', 'load-ok'), h.context());
    expect(onlyResponse(h, 'load-ok')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'loaded' });
    expect(attempts).toBe(2);
  });

  it('answers FAILED when loading outlasts the invocation, and a marker Delete needs no load', async () => {
    const handler = lazyHandler(() => new Promise<never>(() => undefined), h.options({ marginMs: 100 }));
    await handler(h.event('Delete', 'load-hangs'), h.context(300));
    expect(onlyResponse(h, 'load-hangs')).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1', Reason: /did not finish before/ });
    const marker = failedCreateId(h.stackId, 'Thing', 'some-request');
    await handler(h.event('Delete', 'load-marker', { PhysicalResourceId: marker }), h.context(300));
    expect(onlyResponse(h, 'load-marker')).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: marker });
  });

  it('refuses a loader that yields something else', async () => {
    const handler = lazyHandler(async () => ({}) as never, h.options());
    await handler(h.event('Create', 'load-wrong'), h.context());
    expect(onlyResponse(h, 'load-wrong')).toMatchObject({ Status: 'FAILED', Reason: /did not resolve to a CustomResource/ });
    expect(() => lazyHandler('x' as never)).toThrow(TypeError);
  });
});

describe('the response PUT', () => {
  it('retries a 5xx and then succeeds: one recorded response', async () => {
    h.responses.failNext(2, 503);
    const r = resource({ responseRetry: { base: 5, cap: 20 } }).create(async () => ({ physicalResourceId: 'after-503' }));
    await r.handler(h.event('Create', 'put-503'), h.context());
    expect(onlyResponse(h, 'put-503')['PhysicalResourceId']).toBe('after-503');
    expect(h.log.lines.filter((l) => l.message === 'retrying the custom resource response' && l.fields?.['url'] === `${h.responses.origin}/put-503`)).toHaveLength(2);
    expect(h.log.text()).not.toContain('X-Amz-Signature');
  });

  it('does not retry a 403 and rejects with a ResponseError that hides the signature', async () => {
    h.responses.failNext(1, 403);
    const r = resource().create(async () => undefined);
    const error = await r.handler(h.event('Create', 'put-403'), h.context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).attempts).toBe(1);
    expect((error as Error).message).not.toContain('X-Amz-Signature');
    expect(h.responsesTo('put-403')).toHaveLength(0);
    expect(h.log.text()).not.toContain('X-Amz-Signature');
  });
});
