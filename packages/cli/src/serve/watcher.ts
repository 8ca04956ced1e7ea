import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { IgnoreMatcher } from './gitignore.js';
import { basename, join, relative } from 'node:path';

/** Options of {@link watchTree}. */
export interface WatchOptions {
  /** Changes closer together than this are reported once. Default 100 ms. */
  debounceMs?: number;
  /** The most directories watched; deeper trees are cut off (and `onLimit` is told). Default 2000. */
  maxDirectories?: number;
  onLimit?: (root: string) => void;
  /** Paths (absolute) never reported nor watched, beyond {@link isIgnored} names: what .gitignore names. */
  ignore?: IgnoreMatcher;
  /**
   * Files never reported, by identity (device and inode), whatever their name: the server's own
   * stdout and stderr when they are redirected to files in the tree, so its log never reloads it.
   */
  ignoreFiles?: ReadonlyArray<{ dev: number; ino: number }>;
}

/** A running watch. */
export interface TreeWatcher {
  /** Resolves once every directory present at the start is watched. */
  readonly ready: Promise<void>;
  close(): void;
}

/** Names never watched: dependencies, version control, logs, editor droppings, hidden entries such as .git or .fleece. */
export function isIgnored(name: string): boolean {
  return name === 'node_modules' || name === 'coverage' || name.startsWith('.') || name.endsWith('~') || name.endsWith('.log') || name === '4913';
}

/**
 * Watches `root` and every directory under it (but not node_modules, hidden ones or those
 * `ignore` names) with one
 * non-recursive `fs.watch` each, so a large tree never costs a watch per dependency file; new
 * directories are picked up as they appear. `onChange` gets the changed paths, relative to
 * `root`, once the changes pause for `debounceMs`.
 */
export function watchTree(root: string, onChange: (paths: string[]) => void, options: WatchOptions = {}): TreeWatcher {
  const debounceMs = options.debounceMs ?? 100;
  const maxDirectories = options.maxDirectories ?? 2000;
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let limited = false;

  const ignoreFiles = options.ignoreFiles ?? [];
  const report = (path: string) => {
    if (closed) return;
    changed.add(relative(root, path));
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const flush = () => {
    timer = undefined;
    const paths = [...changed].sort();
    changed.clear();
    if (paths.length > 0 && !closed) onChange(paths);
  };

  const add = async (dir: string): Promise<void> => {
    if (closed || watchers.has(dir)) return;
    if (watchers.size >= maxDirectories) {
      if (!limited) options.onLimit?.(root);
      limited = true;
      return;
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (event, name) => {
        if (closed || name === null || isIgnored(basename(String(name)))) return;
        const path = join(dir, String(name));
        // One stat tells both whether a new directory appeared and whether this is one of the ignored files.
        stat(path).then(
          (found) => {
            if (ignoreFiles.some((f) => f.dev === found.dev && f.ino === found.ino) || options.ignore?.(path, found.isDirectory())) return;
            if (event === 'rename' && found.isDirectory()) void add(path);
            report(path);
          },
          () => {
            // Gone: a deletion (or a rename away) is a change, unless .gitignore names it.
            if (!options.ignore?.(path, false)) report(path);
          },
        );
      });
    } catch {
      return; // Gone already.
    }
    watcher.on('error', () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const dirs = entries.filter((e) => e.isDirectory() && !isIgnored(e.name) && !options.ignore?.(join(dir, e.name), true));
    await Promise.all(dirs.map((e) => add(join(dir, e.name))));
  };

  const ready = add(root);
  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
