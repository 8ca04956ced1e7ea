import { setTimeout as delay } from 'node:timers/promises';

import { addAnnotation, addMetadata, currentTraceHeader, traceSubsegment, tracingStatus } from '../src/index.js';
import { exceptionsOf, startCollector, type Collector, type XrayDocument } from './support/collector.js';
import { enterInvocation, lambdaEnvironment } from './support/trace.js';

let collector: Collector;

beforeAll(async () => {
  collector = await startCollector();
  lambdaEnvironment(collector.address);
});

afterAll(async () => {
  await collector.close();
});

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
});

const byName = (docs: XrayDocument[], name: string): XrayDocument => {
  const doc = docs.find((d) => d.name === name);
  if (doc === undefined) throw new Error(`no document named ${name} in ${JSON.stringify(docs)}`);
  return doc;
};

describe('outside a sampled trace', () => {
  it('is a plain call outside Lambda (no _X_AMZN_TRACE_ID) and never loads the SDK', async () => {
    const self = { factor: 3 };
    const times = traceSubsegment(function (this: typeof self, n: number) {
      return n * this.factor;
    });
    expect(times.call(self, 2)).toBe(6);
    const promise = Promise.resolve(7);
    const same = traceSubsegment(() => promise);
    expect(same()).toBe(promise);
    const boom = new Error('boom');
    expect(() => traceSubsegment(() => {
      throw boom;
    })()).toThrow(boom);
    expect(currentTraceHeader()).toBeUndefined();
    // This file's first test: nothing has been recorded, so aws-xray-sdk-core was never loaded.
    expect(tracingStatus()).toEqual({ state: 'unloaded', sent: 0, dropped: 0 });
  });

  it('sends nothing for an unsampled trace, yet passes the decision downstream', async () => {
    const { traceId, parentId } = enterInvocation(false);
    let header: string | undefined;
    const inner = traceSubsegment(async () => {
      header = currentTraceHeader();
      return 'inner';
    });
    const outer = traceSubsegment(async () => inner());
    await expect(outer()).resolves.toBe('inner');
    expect(header).toBe(`Root=${traceId};Parent=${parentId};Sampled=0;Lineage=a87bd80c:0`);
    expect(addAnnotation('tenant', 'acme')).toBe(false);
    expect(tracingStatus().sent).toBe(0);
    // A sampled marker afterwards arrives, and nothing of the unsampled trace came before it.
    const marker = enterInvocation(true);
    await traceSubsegment(async () => 'marker')();
    await collector.waitFor(marker.traceId, 1);
    expect(collector.documents(traceId)).toEqual([]);
  });

  it('records nothing in Lambda PassThrough mode (a Root without Parent or Sampled)', async () => {
    process.env['_X_AMZN_TRACE_ID'] = 'Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:0';
    const sent = tracingStatus().sent;
    await expect(traceSubsegment(async () => 1)()).resolves.toBe(1);
    expect(currentTraceHeader()).toBeUndefined();
    expect(tracingStatus().sent).toBe(sent);
  });
});

describe('in a sampled trace', () => {
  it('sends one well-formed subsegment document with the trace id and the function segment as parent', async () => {
    const { traceId, parentId } = enterInvocation();
    const started = Date.now();
    const getUser = traceSubsegment(async function getUser(id: string) {
      await delay(5);
      return { id };
    });
    await expect(getUser('u1')).resolves.toEqual({ id: 'u1' });
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc).toMatchObject({ type: 'subsegment', name: 'getUser', trace_id: traceId, parent_id: parentId });
    expect(doc!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(doc!.in_progress).toBeUndefined();
    expect(doc!['notTraced']).toBeUndefined();
    expect(doc!.start_time * 1000).toBeGreaterThanOrEqual(started - 1);
    expect(doc!.end_time! - doc!.start_time).toBeGreaterThanOrEqual(0.004);
    expect(doc!.metadata).toEqual({ default: { args: ['u1'] } });
    expect(doc!.fault).toBeUndefined();
    expect(doc!.error).toBeUndefined();
    // The daemon protocol: a JSON header line, then the document.
    const datagram = collector.raw().find((text) => text.includes(doc!.id))!;
    expect(datagram.split('\n')[0]).toBe('{"format":"json","version":1}');
  });

  it('nests three traced calls across awaits: each parented by the one that called it', async () => {
    const { traceId, parentId } = enterInvocation();
    const third = traceSubsegment(async () => {
      await delay(1);
      return 3;
    }, { name: 'third' });
    const second = traceSubsegment(async () => {
      await delay(1);
      return (await third()) + 2;
    }, { name: 'second' });
    const first = traceSubsegment(async () => {
      await delay(1);
      return (await second()) + 1;
    }, { name: 'first' });
    await expect(first()).resolves.toBe(6);
    const docs = await collector.waitFor(traceId, 3);
    expect(docs).toHaveLength(3);
    const [a, b, c] = [byName(docs, 'first'), byName(docs, 'second'), byName(docs, 'third')];
    expect(a.parent_id).toBe(parentId);
    expect(b.parent_id).toBe(a.id);
    expect(c.parent_id).toBe(b.id);
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    // Children lie within their parents.
    expect(b.start_time).toBeGreaterThanOrEqual(a.start_time);
    expect(c.end_time!).toBeLessThanOrEqual(b.end_time!);
  });

  it('keeps concurrent calls apart: siblings share a parent, never each other', async () => {
    const { traceId } = enterInvocation();
    const leaf = traceSubsegment(async (label: string) => {
      // Different waits interleave the two branches.
      await delay(label === 'slow' ? 5 : 1);
      return label;
    }, { name: 'leaf' });
    const branch = traceSubsegment(async (label: string) => {
      await delay(label === 'slow' ? 1 : 3);
      return leaf(label);
    }, { name: 'branch' });
    await Promise.all([branch('slow'), branch('fast')]);
    const docs = await collector.waitFor(traceId, 4);
    const label = (d: XrayDocument) => (d.metadata!['default']!['args'] as string[])[0];
    const branches = docs.filter((d) => d.name === 'branch');
    const leaves = docs.filter((d) => d.name === 'leaf');
    expect(branches.map(label).sort()).toEqual(['fast', 'slow']);
    // Each leaf hangs from the branch that called it: context did not cross over.
    for (const l of leaves) expect(label(branches.find((b) => b.id === l.parent_id)!)).toBe(label(l));
    expect(leaves).toHaveLength(2);
  });

  it('records a thrown error as a fault with the exception, and rethrows the very same error', async () => {
    const { traceId } = enterInvocation();
    const error = new TypeError('cannot read the widget');
    const fails = traceSubsegment(async () => {
      await delay(1);
      throw error;
    }, { name: 'fails' });
    const caller = traceSubsegment(async () => fails(), { name: 'caller' });
    const thrown = await caller().catch((e: unknown) => e);
    expect(thrown).toBe(error);
    const docs = await collector.waitFor(traceId, 2);
    const failing = byName(docs, 'fails');
    expect(failing.fault).toBe(true);
    expect(failing.error).toBeUndefined();
    expect(exceptionsOf(failing)).toHaveLength(1);
    expect(exceptionsOf(failing)[0]).toMatchObject({ type: 'TypeError', message: 'cannot read the widget', remote: false });
    expect(Array.isArray(exceptionsOf(failing)[0]!.stack)).toBe(true);
    // The caller rethrew the same error: it names the child's exception instead of repeating it.
    const calling = byName(docs, 'caller');
    expect(calling.fault).toBe(true);
    expect(calling.cause).toBe(exceptionsOf(failing)[0]!.id);
    expect(calling.cause).toMatch(/^[0-9a-f]{16}$/);
  });

  it('records a synchronous throw and a 4xx-type error as error, a 429 as throttle', async () => {
    const { traceId } = enterInvocation();
    const notFound = Object.assign(new Error('no such user'), { statusCode: 404 });
    const throttled = Object.assign(new Error('slow down'), { $metadata: { httpStatusCode: 429 } });
    expect(() => traceSubsegment(() => {
      throw notFound;
    }, { name: 'sync404' })()).toThrow(notFound);
    await expect(traceSubsegment(() => Promise.reject(throttled), { name: 'async429' })()).rejects.toBe(throttled);
    // Non-Error throwables are recorded too.
    expect(() => traceSubsegment(() => {
      throw 'a string';
    }, { name: 'string' })()).toThrow('a string');
    const docs = await collector.waitFor(traceId, 3);
    expect(byName(docs, 'sync404')).toMatchObject({ error: true });
    expect(byName(docs, 'sync404').fault).toBeUndefined();
    expect(byName(docs, 'async429')).toMatchObject({ error: true, throttle: true });
    expect(byName(docs, 'string')).toMatchObject({ fault: true });
    expect(exceptionsOf(byName(docs, 'string'))[0]).toMatchObject({ message: 'a string', type: 'string' });
  });

  it('records the response when asked, as JSON-safe metadata with secrets redacted', async () => {
    const { traceId } = enterInvocation();
    const login = traceSubsegment(async (user: { name: string; password: string }) => ({ user: user.name, token: 'abc', n: 1n }), {
      captureResponse: true,
    });
    await login({ name: 'ann', password: 'hunter2' });
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc!.metadata!['default']).toEqual({
      args: [{ name: 'ann', password: '[redacted]' }],
      response: { user: 'ann', token: '[redacted]', n: '1n' },
    });
    expect(JSON.stringify(doc)).not.toContain('hunter2');
  });

  it('takes annotations and metadata for the current subsegment, and gives its header to downstream calls', async () => {
    const { traceId } = enterInvocation();
    let header: string | undefined;
    await traceSubsegment(async () => {
      expect(addAnnotation('tenant', 'acme')).toBe(true);
      expect(addAnnotation('items', 3)).toBe(true);
      expect(addMetadata('order', { id: 'o1', apiKey: 'k' }, 'shop')).toBe(true);
      header = currentTraceHeader();
    }, { name: 'annotated' })();
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc!.annotations).toEqual({ tenant: 'acme', items: 3 });
    expect(doc!.metadata!['shop']).toEqual({ order: { id: 'o1', apiKey: '[redacted]' } });
    expect(header).toBe(`Root=${traceId};Parent=${doc!.id};Sampled=1;Lineage=a87bd80c:0`);
  });

  it('makes names acceptable to X-Ray', async () => {
    const { traceId } = enterInvocation();
    await traceSubsegment(async () => 1, { name: 'load <user> (v2)!' })();
    const [doc] = await collector.waitFor(traceId, 1);
    expect(doc!.name).toBe('load _user_ _v2__');
  });

  it('counts what it sent', async () => {
    enterInvocation();
    const before = tracingStatus().sent;
    traceSubsegment(() => 1)();
    // The backend is loaded by now (earlier tests), so the span went out synchronously.
    expect(tracingStatus()).toMatchObject({ state: 'ready', sent: before + 1, dropped: 0 });
  });
});

describe('the @traceSubsegment() decorator (TypeScript 5 standard decorators)', () => {
  class Repository {
    constructor(private readonly prefix: string) {}

    @traceSubsegment()
    async find(id: string): Promise<string> {
      await delay(1);
      return `${this.prefix}${await this.load(id)}`;
    }

    @traceSubsegment({ name: 'repository-load', skipArgs: true })
    async load(id: string): Promise<string> {
      return id.toUpperCase();
    }

    @traceSubsegment()
    static create(prefix: string): Repository {
      return new Repository(prefix);
    }
  }

  class Special extends Repository {}

  it('traces each call as Class.method, keeps this, and nests the methods it calls', async () => {
    const { traceId, parentId } = enterInvocation();
    const repo = Repository.create('item-');
    await expect(repo.find('a')).resolves.toBe('item-A');
    await expect(new Special('s-').find('b')).resolves.toBe('s-B');
    const docs = await collector.waitFor(traceId, 5);
    expect(docs.map((d) => d.name).sort()).toEqual(['Repository.create', 'Repository.find', 'Special.find', 'repository-load', 'repository-load']);
    const find = byName(docs, 'Repository.find');
    expect(find.parent_id).toBe(parentId);
    expect(find.metadata).toEqual({ default: { args: ['a'] } });
    const loads = docs.filter((d) => d.name === 'repository-load');
    expect(loads.map((l) => l.parent_id).sort()).toEqual([find.id, byName(docs, 'Special.find').id].sort());
    // skipArgs: no metadata at all.
    expect(loads.every((l) => l.metadata === undefined)).toBe(true);
    expect(Repository.prototype.find.name).toBe('find');
  });
});

describe('validation', () => {
  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => traceSubsegment(() => 1, { name: '' })).toThrow(/name must be a non-empty string/);
    expect(() => traceSubsegment(() => 1, { skipArgs: 'yes' as unknown as boolean })).toThrow(/skipArgs must be a boolean/);
    expect(() => traceSubsegment(() => 1, { captureResponse: 1 as unknown as boolean })).toThrow(/captureResponse must be a boolean/);
    expect(() => traceSubsegment(null as unknown as undefined)).toThrow(/options must be an object/);
    expect(() => traceSubsegment({ name: 'x' } as never, {})).toThrow(/first argument must be a function/);
  });

  it('refuses experimental (legacy) decorators and non-method members clearly', () => {
    const legacy = traceSubsegment() as unknown as (target: object, key: string, descriptor: PropertyDescriptor) => unknown;
    expect(() => legacy({}, 'm', { value: () => 1 })).toThrow(/standard decorator/);
    const decorate = traceSubsegment() as unknown as (value: unknown, context: { kind: string }) => unknown;
    expect(() => decorate(undefined, { kind: 'field' })).toThrow(/decorates methods, not a field/);
  });

  it('rejects bad annotations and metadata even when nothing is traced', () => {
    expect(() => addAnnotation('with space', 1)).toThrow(TypeError);
    expect(() => addAnnotation('ok', Number.NaN)).toThrow(/finite number/);
    expect(() => addAnnotation('ok', {} as unknown as string)).toThrow(TypeError);
    expect(() => addMetadata('', 1)).toThrow(/key must be a non-empty string/);
    expect(() => addMetadata('k', 1, 'AWS.internal')).toThrow(/reserved/);
    expect(() => addMetadata('k', 1, '')).toThrow(/namespace/);
    expect(addMetadata('k', 1)).toBe(false);
  });

  it('keeps the wrapped function name and length', () => {
    const traced = traceSubsegment(function fetchOrder(_a: string, _b: number) {
      return 1;
    });
    expect(traced.name).toBe('fetchOrder');
    expect(traced.length).toBe(2);
  });
});
