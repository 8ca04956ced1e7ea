import fc from 'fast-check';
import { ParameterStoreError, toParameters } from '../src/index.js';
import { toTree } from '../src/parameters.js';

/** The tree Parameter Store gives back: every leaf as text. */
function stringified(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringified);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringified(v)]));
  return String(value);
}

const segment = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,6}$/).filter((s) => !/^(aws|ssm)/i.test(s));
const leaf = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer(), fc.boolean());
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(segment, tie('node'), { minKeys: 1, maxKeys: 4 }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tree'), fc.array(tie('node'), { minLength: 1, maxLength: 3 })),
}));

describe('toParameters / toTree', () => {
  it('are inverses: the tree read back equals the tree written, leaves as text', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('/', '/svc', '/svc/prod/'), (config, prefix) => {
        const entries = toParameters(config, prefix);
        const base = prefix.length > 1 ? prefix.replace(/\/$/, '') : prefix;
        for (const { name } of entries) expect(name.startsWith(base === '/' ? '/' : `${base}/`)).toBe(true);
        expect(toTree(base, entries)).toEqual(stringified(config));
      }),
    );
  });

  it('writes nested maps as paths and lists as indexes', () => {
    expect(toParameters({ foo: 'bar', nested: { inner: 'v', list: [{ u: 'x' }, 2] }, on: true }, '/super-service/some-id')).toEqual([
      { name: '/super-service/some-id/foo', value: 'bar' },
      { name: '/super-service/some-id/nested/inner', value: 'v' },
      { name: '/super-service/some-id/nested/list/0/u', value: 'x' },
      { name: '/super-service/some-id/nested/list/1', value: '2' },
      { name: '/super-service/some-id/on', value: 'true' },
    ]);
  });

  it('lists every problem at once, naming parameters but never values', () => {
    const error = (() => {
      try {
        toParameters({ 'bad name': 'x', empty: '', nothing: null, deep: { a: {} }, big: 's3cret'.repeat(1000), list: [] }, '/p');
      } catch (e) {
        return e as ParameterStoreError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect(error.problems).toEqual([
      '/p/bad name: "bad name" may use only a-z, A-Z, 0-9, "_", ".", "-"',
      '/p/empty: an empty string cannot be stored (Parameter Store values are non-empty)',
      '/p/nothing: null cannot be stored (Parameter Store values are non-empty text)',
      '/p/deep/a: an empty map cannot be stored (Parameter Store has no empty paths)',
      '/p/big: the value has 6000 bytes, over the 4096-byte limit of a standard parameter',
      '/p/list: an empty list cannot be stored (Parameter Store has no empty paths)',
    ]);
    expect(error.message).not.toContain('s3cret');
  });

  it.each([
    ['a prefix without a leading slash', { a: 'b' }, 'svc', /must start with "\/"/],
    ['a prefix with an empty level', { a: 'b' }, '/a//b', /empty level/],
    ['a prefix with a bad character', { a: 'b' }, '/a b', /"a b" may use only/],
    ['a reserved first level', { a: 'b' }, '/aws', /may not begin with "aws" or "ssm"/],
    ['a reserved first key under the root', { SSMthing: 'b' }, '/', /may not begin with "aws" or "ssm"/],
    ['more than 15 levels', { a: { b: { c: { d: 'x' } } } }, '/1/2/3/4/5/6/7/8/9/10/11/12', /16 levels, over Parameter Store's 15/],
    ['a name over 1011 characters', { [`k${'x'.repeat(60)}`]: 'v' }, `/${'p'.repeat(960)}`, /over 1011 characters/],
    ['a configuration that is not a map', 'text', '/p', /must be a map/],
  ])('rejects %s', (_name, config, prefix, message) => {
    expect(() => toParameters(config, prefix)).toThrow(message);
  });

  it('reports a name that is both a value and a path when reading', () => {
    expect(() => toTree('/p', [{ name: '/p/a', value: '1' }, { name: '/p/a/b', value: '2' }])).toThrow(/\/p\/a: is both a value and a path/);
    expect(() => toTree('/p', [{ name: '/p/a/b', value: '2' }, { name: '/p/a', value: '1' }])).toThrow(/is both a value and a path/);
    expect(() => toTree('/p', [{ name: '/p/a/b', value: '2' }, { name: '/p/a/b/c', value: '1' }])).toThrow(/both a value and a path/);
  });

  it('ignores names outside the prefix and keeps maps whose keys are not 0..n-1', () => {
    expect(toTree('/p', [{ name: '/q/a', value: '1' }, { name: '/p', value: 'x' }, { name: '/p/m/0', value: 'a' }, { name: '/p/m/2', value: 'b' }])).toEqual({ m: { 0: 'a', 2: 'b' } });
  });
});
