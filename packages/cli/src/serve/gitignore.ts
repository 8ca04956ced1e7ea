import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** One line of a .gitignore, compiled. */
interface Rule {
  /** The folder the .gitignore is in: patterns are relative to it. */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** Says whether an absolute path is ignored; `isDir` for a directory. */
export type IgnoreMatcher = (path: string, isDir: boolean) => boolean;

// The most folders walked up looking for the repository root (a folder holding .git).
const MAX_LEVELS = 40;

/**
 * The .gitignore rules that apply to `root`: its own .gitignore and those of the folders above it,
 * up to the repository root (the first folder holding `.git`), as git applies them. Supported:
 * comments, `!` negation, a trailing `/` for folders only, anchoring by a `/`, and `*`, `**`, `?`
 * and `[...]`. A path is ignored when it, or a folder it is in, is; the last matching rule wins.
 */
export function loadGitignore(root: string): IgnoreMatcher {
  const files: string[] = [];
  let dir = root;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const file = join(dir, '.gitignore');
    if (existsSync(file)) files.unshift(file);
    const parent = dirname(dir);
    if (existsSync(join(dir, '.git')) || parent === dir) break;
    dir = parent;
  }
  const rules = files.flatMap((file) => parseGitignore(readFileSync(file, 'utf8'), dirname(file)));
  return (path, isDir) => isIgnoredBy(rules, path, isDir);
}

/** The rules of one .gitignore text whose folder is `base`. */
export function parseGitignore(text: string, base: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    line = line.replace(/^\\([#!])/, '$1');
    const dirOnly = line.endsWith('/');
    if (dirOnly) line = line.replace(/\/+$/, '');
    if (line === '') continue;
    const anchored = line.includes('/');
    line = line.replace(/^\/+/, '');
    rules.push({ base, negate, dirOnly, regex: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globToRegex(line)}$`) });
  }
  return rules;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      out += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) out += escape(glob[++i] as string);
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function isIgnoredBy(rules: Rule[], path: string, isDir: boolean): boolean {
  if (rules.length === 0) return false;
  const top = rules[0]?.base ?? path;
  const rel = relative(top, path);
  if (rel === '' || rel.startsWith('..')) return false;
  // A folder that is ignored hides everything in it, whatever later rules say (as in git).
  const parts = rel.split(sep);
  for (let n = 1; n < parts.length; n++) if (verdict(rules, join(top, ...parts.slice(0, n)), true)) return true;
  return verdict(rules, path, isDir);
}

/** The last matching rule's say on `path` (absolute), each rule reading it relative to its own folder. */
function verdict(rules: Rule[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    const rel = relative(rule.base, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) continue;
    if (rule.regex.test(rel)) ignored = !rule.negate;
  }
  return ignored;
}
