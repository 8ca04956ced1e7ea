import fc from 'fast-check';

import { classifyError, flagsForStatus, statusOfError } from '../src/classify.js';
import { newSpanId } from '../src/ids.js';
import { MAX_NAME_LENGTH, sanitizeName } from '../src/names.js';
import { REDACTED, toSafeJson } from '../src/safe-json.js';
import { formatTraceHeader, parseTraceHeader, rawTraceHeaderFromEnvironment } from '../src/trace-header.js';

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const traceIds = fc.tuple(hex(8), hex(24)).map(([time, random]) => `1-${time}-${random}`);
const spanIds = hex(16);
const extraPairs = fc.array(
  fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,9}$/), fc.stringMatching(/^[A-Za-z0-9:._-]{1,20}$/)).filter(
    ([key]) => !['root', 'parent', 'sampled', 'self'].includes(key.toLowerCase()),
  ),
  { maxLength: 4 },
);

describe('trace header', () => {
  it('parses what it formats, extra data included', () => {
    fc.assert(
      fc.property(traceIds, spanIds, fc.boolean(), extraPairs, (traceId, parentId, sampled, pairs) => {
        const extra = pairs.map(([k, v]) => `${k}=${v}`).join(';');
        const header = formatTraceHeader(traceId, parentId, sampled, extra);
        expect(parseTraceHeader(header)).toEqual({ traceId, parentId, sampled, extra });
      }),
    );
  });

  it('never throws, and yields either nothing or a valid trace id', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (input) => {
        const parsed = parseTraceHeader(input);
        if (parsed !== undefined) {
          expect(parsed.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
          if (parsed.parentId !== undefined) expect(parsed.parentId).toMatch(/^[0-9a-f]{16}$/);
          expect(parsed.extra.length).toBeLessThanOrEqual(256 + 64);
        }
      }),
    );
  });

  it('reads the parts in any order and case, ignores Self and malformed parts', () => {
    expect(parseTraceHeader('sampled=1; Self=1-67891234-12456789abcdef012345678;parent=53995c3f42cd8ad8 ;ROOT=1-5759e988-bd862e3fe1be46a994272793')).toEqual({
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      parentId: '53995c3f42cd8ad8',
      sampled: true,
      extra: '',
    });
    expect(parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz;Sampled=?;=x;junk')).toEqual({
      traceId: '1-5759e988-bd862e3fe1be46a994272793',
      parentId: undefined,
      sampled: undefined,
      extra: '',
    });
    expect(parseTraceHeader('Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toBeUndefined();
    expect(parseTraceHeader('')).toBeUndefined();
  });

  it('keeps at most 256 characters of extra data', () => {
    const long = Array.from({ length: 40 }, (_, i) => `k${i}=${'v'.repeat(10)}`).join(';');
    const parsed = parseTraceHeader(`Root=1-5759e988-bd862e3fe1be46a994272793;${long}`)!;
    const kept = parsed.extra.split(';').reduce((n, pair) => n + pair.length - 1, 0);
    expect(kept).toBeLessThanOrEqual(256);
    expect(parsed.extra.startsWith('k0=vvvvvvvvvv;k1=')).toBe(true);
  });

  it("prefers Lambda's per-invocation store to the environment, and survives a broken one", () => {
    const g = globalThis as { awslambda?: unknown };
    process.env['_X_AMZN_TRACE_ID'] = 'from-env';
    try {
      g.awslambda = { InvokeStore: { getXRayTraceId: () => 'from-store' } };
      expect(rawTraceHeaderFromEnvironment()).toBe('from-store');
      g.awslambda = { InvokeStore: { getXRayTraceId: () => undefined } };
      expect(rawTraceHeaderFromEnvironment()).toBe('from-env');
      g.awslambda = {
        InvokeStore: {
          getXRayTraceId: () => {
            throw new Error('no store');
          },
        },
      };
      expect(rawTraceHeaderFromEnvironment()).toBe('from-env');
      delete process.env['_X_AMZN_TRACE_ID'];
      expect(rawTraceHeaderFromEnvironment()).toBeUndefined();
    } finally {
      delete g.awslambda;
      delete process.env['_X_AMZN_TRACE_ID'];
    }
  });
});

describe('toSafeJson', () => {
  it('always yields JSON within the byte budget, whatever the value', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), fc.integer({ min: 16, max: 4096 }), (value, budget) => {
        const safe = toSafeJson(value, budget);
        const text = JSON.stringify(safe) ?? 'null';
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(budget);
        expect(JSON.parse(text)).toEqual(safe);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a secret-looking key through, at any depth', () => {
    const secretKeys = fc.constantFrom('password', 'Password', 'clientSecret', 'accessToken', 'Authorization', 'api_key', 'apiKey', 'x-api-key', 'cookie', 'privateKey');
    fc.assert(
      fc.property(secretKeys, fc.string({ minLength: 8 }).map((s) => `SECRET:${s}`), fc.array(fc.constantFrom('a', 'b', 'items'), { maxLength: 4 }), (key, secret, path) => {
        let value: unknown = { [key]: secret };
        for (const segment of path) value = { [segment]: value, other: 1 };
        expect(JSON.stringify(toSafeJson(value, 100_000))).not.toContain('SECRET:');
      }),
    );
  });

  it('describes what it cannot copy', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const shared = { n: 1 };
    expect(toSafeJson(cyclic)).toEqual({ name: 'loop', self: '[Circular]' });
    // Seen twice but not a cycle: copied twice.
    expect(toSafeJson([shared, shared])).toEqual([{ n: 1 }, { n: 1 }]);
    expect(toSafeJson({ b: Buffer.alloc(3), f: function named() {}, s: Symbol('x'), u: undefined, n: Number.NaN, big: 5n, d: new Date(0) })).toEqual({
      b: '[Buffer 3 bytes]',
      f: '[Function named]',
      s: 'Symbol(x)',
      u: null,
      n: 'NaN',
      big: '5n',
      d: '1970-01-01T00:00:00.000Z',
    });
    expect(toSafeJson(new Map([['k', new Set([1, 2])]]))).toEqual({ k: [1, 2] });
    expect(toSafeJson(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(toSafeJson(Promise.resolve(1))).toBe('[Promise]');
    expect(toSafeJson({ password: 'x' })).toEqual({ password: REDACTED });
    const hostile = {
      get explode(): never {
        throw new Error('getter');
      },
    };
    expect(toSafeJson(hostile)).toBe('[unreadable: Error]');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(JSON.stringify(toSafeJson(deep))).toContain('[Array]');
  });

  it('truncates long strings and large collections', () => {
    const safe = toSafeJson({ text: 'x'.repeat(10_000), list: Array.from({ length: 500 }, (_, i) => i) }, 100_000) as { text: string; list: unknown[] };
    expect(safe.text.length).toBeLessThan(600);
    expect(safe.text.endsWith('…(10000 chars)')).toBe(true);
    expect(safe.list).toHaveLength(51);
    expect(safe.list[50]).toBe('…(450 more)');
    // Past the budget the text itself is cut.
    expect(toSafeJson('é'.repeat(400), 64)).toMatch(/^"é+…$/);
  });
});

describe('sanitizeName', () => {
  it('always yields a name X-Ray accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (name) => {
        const clean = sanitizeName(name);
        expect(clean.length).toBeGreaterThan(0);
        expect(clean.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
        expect(clean).toMatch(/^[\p{L}\p{N}\s_.:/%&#=+\\\-@]+$/u);
      }),
    );
  });

  it('keeps good names as they are', () => {
    expect(sanitizeName('## index.handler')).toBe('## index.handler');
    expect(sanitizeName('Users.get')).toBe('Users.get');
    expect(sanitizeName('')).toBe('anonymous');
    expect(sanitizeName('x'.repeat(300))).toBe('x'.repeat(200));
    // Cut before a surrogate pair rather than through it.
    expect(sanitizeName(`${'x'.repeat(199)}𝒜tail`)).toBe('x'.repeat(199));
  });
});

describe('classification', () => {
  it('maps statuses', () => {
    expect(flagsForStatus(undefined)).toEqual({ error: false, fault: false, throttle: false });
    expect(flagsForStatus(302)).toEqual({ error: false, fault: false, throttle: false });
    expect(flagsForStatus(404)).toEqual({ error: true, fault: false, throttle: false });
    expect(flagsForStatus(429)).toEqual({ error: true, fault: false, throttle: true });
    expect(flagsForStatus(503)).toEqual({ error: false, fault: true, throttle: false });
  });

  it('classifies thrown values', () => {
    expect(classifyError(new Error('bug'))).toEqual({ error: false, fault: true, throttle: false });
    expect(classifyError(Object.assign(new Error('x'), { response: { statusCode: 403 } }))).toMatchObject({ error: true });
    expect(classifyError(Object.assign(new Error('x'), { status: 500 }))).toMatchObject({ fault: true });
    expect(classifyError(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toMatchObject({ throttle: true, error: true });
    expect(classifyError(Object.assign(new Error('x'), { code: 'SlowDown' }))).toMatchObject({ throttle: true });
    expect(classifyError(Object.assign(new Error('x'), { $fault: 'client' }))).toMatchObject({ error: true, fault: false });
    expect(classifyError('text')).toMatchObject({ fault: true });
    expect(statusOfError({ statusCode: 99 })).toBeUndefined();
    expect(statusOfError(null)).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(statusOfError(hostile)).toBeUndefined();
    expect(classifyError(hostile)).toMatchObject({ fault: true });
  });
});

describe('span ids', () => {
  it('are 16 hex digits and do not repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newSpanId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
