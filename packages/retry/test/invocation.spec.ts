import fc from 'fast-check';
import {
  currentDeadline,
  currentInvocation,
  currentTraceId,
  invocationSlot,
  joinInvocation,
  lambdaHandler,
  remainingMs,
  sleep,
  withDeadline,
  type LambdaContext,
} from '../src/index.js';

function context(id: string, leftMs = 10_000, extra: Partial<LambdaContext> = {}): LambdaContext {
  return { awsRequestId: id, functionName: 'fn', getRemainingTimeInMillis: () => leftMs, ...extra };
}

describe('the invocation scope', () => {
  const savedTrace = process.env['_X_AMZN_TRACE_ID'];
  afterEach(() => {
    if (savedTrace === undefined) delete process.env['_X_AMZN_TRACE_ID'];
    else process.env['_X_AMZN_TRACE_ID'] = savedTrace;
  });

  it('is absent outside an invocation', () => {
    expect(currentInvocation()).toBeUndefined();
    expect(currentDeadline()).toBeUndefined();
    expect(invocationSlot<number>('x').set(1)).toBe(false);
    expect(invocationSlot<number>('x').get()).toBeUndefined();
    expect(invocationSlot<number>('x').getOrCreate(() => 1)).toBeUndefined();
  });

  it('opens with the event, the context, its ids and a deadline with the default 500 ms margin', async () => {
    const event = { hello: 'world' };
    const ctx = context('req-1', 3000, { tenantId: 'tenant-a' });
    const seen = await lambdaHandler(async (e: unknown, c: LambdaContext) => {
      const invocation = currentInvocation()!;
      expect(invocation.event).toBe(e);
      expect(invocation.context).toBe(c);
      return { id: invocation.requestId, tenant: invocation.tenantId, left: invocation.deadline!(), current: remainingMs() };
    })(event, ctx);
    expect(seen).toEqual({ id: 'req-1', tenant: 'tenant-a', left: 2500, current: 2500 });
    expect(currentInvocation()).toBeUndefined();
  });

  it('takes the trace id from _X_AMZN_TRACE_ID when no invoke store is in use', async () => {
    process.env['_X_AMZN_TRACE_ID'] = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    expect(currentTraceId()).toBe(process.env['_X_AMZN_TRACE_ID']);
    const trace = await joinInvocation({}, context('r'), async () => currentTraceId());
    expect(trace).toBe(process.env['_X_AMZN_TRACE_ID']);
    delete process.env['_X_AMZN_TRACE_ID'];
    expect(currentTraceId()).toBeUndefined();
  });

  it('applies the margin of the wrapper that opens it; joiners share its deadline and ids', async () => {
    const ctx = context('req-2', 5000);
    const inner = lambdaHandler(async () => ({ left: remainingMs(), invocation: currentInvocation() }), { deadlineMarginMs: 2000 });
    const outer = lambdaHandler(async (e: unknown, c: LambdaContext) => ({ outerInvocation: currentInvocation(), ...(await inner(e, c)) }), {
      deadlineMarginMs: 100,
    });
    const seen = await outer({}, ctx);
    expect(seen.left).toBe(4900);
    expect(seen.invocation).toBe(seen.outerInvocation);
  });

  it('joins for a copy of the context with the same request id, or for no context at all', () => {
    const ctx = context('req-3');
    joinInvocation({}, ctx, () => {
      const open = currentInvocation();
      joinInvocation({}, { ...ctx }, () => expect(currentInvocation()).toBe(open));
      joinInvocation({}, undefined, () => expect(currentInvocation()).toBe(open));
      joinInvocation({ other: true }, context('req-4'), () => {
        expect(currentInvocation()).not.toBe(open);
        expect(currentInvocation()!.requestId).toBe('req-4');
      });
    });
  });

  it('opens without a deadline for a context that does not count down', () => {
    joinInvocation({}, { awsRequestId: 'x' }, () => {
      expect(currentInvocation()!.deadline).toBeUndefined();
      expect(remainingMs()).toBe(Infinity);
    });
  });

  it('composes with withDeadline: inside an invocation it shortens the deadline and keeps the invocation', () => {
    joinInvocation({}, context('a', 3000), () => {
      const invocation = currentInvocation();
      withDeadline(() => 1000, () => {
        expect(currentInvocation()).toBe(invocation);
        expect(remainingMs()).toBe(1000);
        expect(invocationSlot<string>('s').set('v')).toBe(true);
      });
      expect(invocationSlot<string>('s').get()).toBe('v');
      expect(withDeadline(() => 9000, () => remainingMs())).toBe(2500);
    });
    // An invocation opened inside an outer deadline never extends it.
    withDeadline(() => 700, () => joinInvocation({}, context('b', 3000), () => expect(remainingMs()).toBe(700)));
  });

  it('keeps slots per invocation, typed and shared by name', async () => {
    const counter = invocationSlot<{ n: number }>('@fleece/test:counter');
    const same = invocationSlot<{ n: number }>('@fleece/test:counter');
    const run = (id: string) =>
      joinInvocation({}, context(id), async () => {
        const box = counter.getOrCreate(() => ({ n: 0 }))!;
        await sleep(1);
        box.n++;
        expect(same.getOrCreate(() => ({ n: 100 }))).toBe(box);
        return same.get()!.n;
      });
    expect(await Promise.all([run('1'), run('2')])).toEqual([1, 1]);
  });

  it('treats hostile slot names as ordinary names', () => {
    fc.assert(
      fc.property(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'), fc.string({ minLength: 1 }), (name, other) => {
        joinInvocation({}, context('h'), () => {
          expect(invocationSlot<string>(name).get()).toBeUndefined();
          invocationSlot<string>(name).set('mine');
          expect(invocationSlot<string>(name).get()).toBe('mine');
          if (other !== name) expect(invocationSlot<string>(other).get()).toBeUndefined();
          expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        });
      }),
    );
  });

  it('gives any nesting order of wrappers the same deadline and ids (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1000, max: 900_000 }),
        fc.string(),
        (margins, leftMs, id) => {
          const ctx = context(id, leftMs);
          const seen: { left: number; id: string | undefined }[] = [];
          const look = () => seen.push({ left: remainingMs(), id: currentInvocation()!.requestId });
          type Handler = (event: unknown, context: LambdaContext) => Promise<void>;
          let handler: Handler = async () => {
            look();
          };
          for (const margin of margins) {
            const inner = handler;
            handler = lambdaHandler(async (event: unknown, c: LambdaContext) => {
              look();
              await inner(event, c);
            }, { deadlineMarginMs: margin });
          }
          void handler({}, ctx);
          // The outermost wrapper (the last applied) opens the invocation: its margin is in force
          // for every layer, whatever the others asked for.
          const expected = { left: leftMs - margins[margins.length - 1]!, id: id === '' ? undefined : id };
          expect(seen).toEqual(Array(margins.length + 1).fill(expected));
        },
      ),
    );
  });

  it('rejects bad arguments with the house message', () => {
    expect(() => lambdaHandler('no' as never)).toThrow('@fleece/retry: option "handler" must be a function, got "no"');
    expect(() => lambdaHandler(async () => 1, { deadlineMarginMs: -1 })).toThrow(/option "deadlineMarginMs" must be a finite number/);
    expect(() => lambdaHandler(async () => 1, null as never)).toThrow(/option "options" must be an object, got null/);
    expect(() => joinInvocation({}, undefined, 5 as never)).toThrow(/option "fn" must be a function/);
    expect(() => invocationSlot('')).toThrow(/option "name" must be a non-empty string/);
  });
});

describe('64 overlapping invocations in one process', () => {
  it('each sees only its own ids, deadline and slots across awaits and timers', async () => {
    const slot = invocationSlot<string[]>('@fleece/test:lines');
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        lambdaHandler(async (_event: { i: number }, ctx: LambdaContext) => {
          for (let step = 0; step < 4; step++) {
            await sleep((i * 7 + step * 13) % 5);
            await new Promise((resolve) => setImmediate(resolve));
            slot.getOrCreate(() => [])!.push(`${currentInvocation()!.requestId}:${step}`);
            expect(currentInvocation()!.context).toBe(ctx);
          }
          return { id: currentInvocation()!.requestId, tenant: currentInvocation()!.tenantId, left: remainingMs(), lines: slot.get() };
        })({ i }, context(`req-${i}`, 10_000 + i, { tenantId: `t-${i}` })),
      ),
    );
    results.forEach((result, i) => {
      expect(result).toEqual({
        id: `req-${i}`,
        tenant: `t-${i}`,
        left: 9500 + i,
        lines: [0, 1, 2, 3].map((step) => `req-${i}:${step}`),
      });
    });
  });
});
