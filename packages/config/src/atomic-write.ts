import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that readers see either the old content or the new, never a torn file: the
 * text goes to a temporary file in the same directory, is flushed to disk, and is renamed over
 * the target. An existing file keeps its mode; a new one gets `mode` (default 0644).
 */
export async function writeFileAtomic(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a file path');
  const mode = await stat(path).then(
    (found) => found.mode & 0o777,
    () => options.mode ?? 0o644,
  );
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode).catch((error: unknown) => {
    // Named for the folder, not the temporary file the user never asked for.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // Still an ENOENT, so callers that map file errors (the CLI's exit code 8) keep doing so.
      throw Object.assign(new Error(`cannot write ${path}: the folder ${dirname(path)} does not exist`, { cause: error }), { code: 'ENOENT', syscall: 'open' });
    }
    throw error;
  });
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
