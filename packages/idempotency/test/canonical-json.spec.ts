import fc from 'fast-check';
import { canonicalJson } from '../src/canonical-json.js';
import { hashValue, idempotencyKey } from '../src/key.js';

/** The same value with every object's keys in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('gives the same text whatever the key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(reversed(value))).toBe(canonicalJson(value));
      }),
    );
  });

  it('parses back to what JSON.stringify would give (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withBoxedValues: true, withNullPrototype: true }), (value) => {
        const plain = JSON.stringify(value);
        expect(JSON.parse(canonicalJson(value))).toEqual(plain === undefined ? null : JSON.parse(plain));
      }),
    );
  });

  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('follows JSON.stringify for undefined, functions, non-finite numbers and toJSON', () => {
    expect(canonicalJson({ a: undefined, b: () => 1, c: Infinity, d: new Date(0) })).toBe('{"c":null,"d":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson([undefined, NaN])).toBe('[null,null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('refuses BigInt and cycles, and accepts a shared (acyclic) reference', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('idempotency keys', () => {
  it('are the name, #, and 43 base64url characters of SHA-256', () => {
    expect(idempotencyKey('fn', 'abc')).toMatch(/^fn#[A-Za-z0-9_-]{43}$/);
  });

  it('are equal for equal JSON and differ for different values or names (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(hashValue(reversed(a))).toBe(hashValue(a));
        if (canonicalJson(a) !== canonicalJson(b)) expect(hashValue(a)).not.toBe(hashValue(b));
      }),
    );
    expect(idempotencyKey('one', 'k')).not.toBe(idempotencyKey('two', 'k'));
  });

  it('tell a string from the number it spells', () => {
    expect(hashValue('1')).not.toBe(hashValue(1));
  });
});
