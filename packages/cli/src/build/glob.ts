/**
 * A path matcher for `--exclude` patterns, in .gitignore's spirit: `*`, `?`, `[abc]`, `{a,b}` and
 * `**` (any number of directories). A pattern without a slash matches a file or directory name at
 * any depth (`*.md`, `fixtures`); a pattern with one is anchored at the source directory
 * (`test/**`, `/config.json`). A pattern that matches a directory excludes everything in it.
 *
 * Written here rather than taken from a dependency: Node's `path.matchesGlob` is experimental on
 * Node 20, and these few rules are all `fleece build` needs.
 */
export type PathMatcher = (relativePath: string) => boolean;

/**
 * Compiles glob patterns into one matcher over POSIX-style relative paths (`a/b/c.json`).
 *
 * @throws TypeError naming the pattern when one is empty or has an unclosed `[` or `{`.
 */
export function compileGlobs(patterns: readonly string[]): PathMatcher {
  const regexps = patterns.map(compileGlob);
  return (relativePath) => regexps.some((regexp) => regexp.test(relativePath));
}

function compileGlob(pattern: string): RegExp {
  if (typeof pattern !== 'string' || pattern.trim() === '') throw new TypeError(`--exclude: a pattern must be a non-empty glob, got ${JSON.stringify(pattern)}`);
  let glob = pattern.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  const anchored = glob.includes('/');
  glob = glob.replace(/^\.?\//, '');
  if (glob === '') throw new TypeError(`--exclude: pattern ${JSON.stringify(pattern)} matches nothing`);
  const body = translate(glob, pattern);
  // The path itself, or anything under it when it names a directory.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}(?:/.*)?$`);
}

function translate(glob: string, pattern: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const start = i === 0 || glob[i - 1] === '/';
        const end = i + 2 === glob.length || glob[i + 2] === '/';
        if (start && end) {
          if (glob[i + 2] === '/') {
            // `**/` is zero or more whole directories.
            out += '(?:[^/]*/)*';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
        i += 1;
      }
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) throw new TypeError(`--exclude: pattern ${JSON.stringify(pattern)} has an unclosed "["`);
      let set = glob.slice(i + 1, close);
      const negated = set.startsWith('!') || set.startsWith('^');
      if (negated) set = set.slice(1);
      out += `[${negated ? '^/' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (char === '{') {
      braces++;
      out += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (char === ',' && braces > 0) {
      out += '|';
    } else {
      out += char.replace(/[.+^${}()|\\]/g, '\\$&');
    }
  }
  if (braces > 0) throw new TypeError(`--exclude: pattern ${JSON.stringify(pattern)} has an unclosed "{"`);
  return out;
}
