import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PathMatcher } from './glob.js';
import type { ZipEntry } from './zip.js';

/**
 * Files the bundler already inlined (or that only serve the build): they are never copied beside
 * the bundle. Everything else under the source directory (an OpenAPI document, templates, JSON
 * read at run time) goes into the zip at the same relative path.
 */
const CODE = /\.(?:[cm]?[jt]sx?|map|tsbuildinfo)$/;

/**
 * The non-code files under `sourceDir`, as zip entries, in path order: everything except code,
 * dot files, `node_modules`, anything under `skipDir` (the target directory when it lies inside
 * the sources) and what `excluded` matches (paths relative to `sourceDir`, POSIX style).
 */
export async function collectAssets(sourceDir: string, excluded: PathMatcher, skipDir?: string): Promise<ZipEntry[]> {
  const assets: ZipEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(sourceDir, path).split(sep).join('/');
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || path === skipDir || excluded(rel)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !CODE.test(entry.name)) assets.push({ path: rel, data: await readFile(path) });
    }
  };
  await walk(sourceDir);
  return assets;
}
