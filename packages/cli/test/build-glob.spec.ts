import fc from 'fast-check';
import { compileGlobs } from '../src/build/glob.js';

const matches = (pattern: string, path: string) => compileGlobs([pattern])(path);

describe('compileGlobs (--exclude)', () => {
  it.each([
    // A name without a slash matches at any depth, and everything under a matching directory.
    ['*.md', 'README.md', true],
    ['*.md', 'docs/guide/intro.md', true],
    ['*.md', 'README.mdx', false],
    ['fixtures', 'fixtures/big.json', true],
    ['fixtures', 'a/fixtures/b/c.json', true],
    ['fixtures', 'fixtures.json', false],
    ['fixtures/', 'x/fixtures/y', true],
    // A slash anchors at the source directory.
    ['test/**', 'test/a/b.json', true],
    ['test/**', 'src/test/a.json', false],
    ['/config.json', 'config.json', true],
    ['/config.json', 'nested/config.json', false],
    ['./config.json', 'config.json', true],
    // ** spans directories, * and ? stay within one.
    ['**/*.json', 'a.json', true],
    ['**/*.json', 'a/b/c.json', true],
    ['assets/**/*.png', 'assets/x.png', true],
    ['assets/**/*.png', 'assets/a/b/x.png', true],
    ['assets/*.png', 'assets/a/x.png', false],
    ['data/?.csv', 'data/a.csv', true],
    ['data/?.csv', 'data/ab.csv', false],
    ['data/?.csv', 'data//.csv', false],
    ['a**b', 'axxb', true],
    // Sets and alternatives.
    ['*.[ch]', 'x.c', true],
    ['*.[ch]', 'x.o', false],
    ['*.[!ch]', 'x.o', true],
    ['*.[!ch]', 'x.c', false],
    ['*.{yml,yaml}', 'openapi.yaml', true],
    ['*.{yml,yaml}', 'openapi.json', false],
    // Regular-expression characters are literal.
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['a+b(1).txt', 'aab1.txt', false],
    ['$x^.txt', '$x^.txt', true],
  ])('%s on %s: %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
  });

  it('matches any of several patterns, and nothing with none', () => {
    const excluded = compileGlobs(['*.md', 'fixtures']);
    expect(excluded('README.md')).toBe(true);
    expect(excluded('fixtures/a')).toBe(true);
    expect(excluded('openapi.yaml')).toBe(false);
    expect(compileGlobs([])('anything')).toBe(false);
  });

  it('matches a literal path (and its contents) by itself, and no sibling', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_.+$()-]{1,6}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), segment, (parts, extra) => {
        const path = parts.join('/');
        expect(matches(`/${path}`, path)).toBe(true);
        expect(matches(`/${path}`, `${path}/${extra}`)).toBe(true);
        expect(matches(`/${path}`, `${path}${extra}`)).toBe(false);
        expect(matches('**', path)).toBe(true);
      }),
    );
  });

  it('rejects empty and unclosed patterns with a TypeError naming them', () => {
    expect(() => compileGlobs([''])).toThrow('--exclude: a pattern must be a non-empty glob');
    expect(() => compileGlobs(['/'])).toThrow('matches nothing');
    expect(() => compileGlobs(['a[b'])).toThrow('"a[b" has an unclosed "["');
    expect(() => compileGlobs(['{a,b'])).toThrow('"{a,b" has an unclosed "{"');
  });
});
