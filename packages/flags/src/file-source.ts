import { readFile, stat } from 'node:fs/promises';
import { FlagSourceError } from './flag-errors.js';
import type { FlagSource } from './flag-source.js';

/**
 * A flag document in a local JSON file, for development and tests: read again when the file
 * changes (its modification time), otherwise answered from memory.
 */
export function fileSource(path: string): FlagSource {
  if (typeof path !== 'string' || path === '') throw new TypeError('@fleece/flags: option "path" must be a file path, got ' + typeof path);
  let cached: { mtimeMs: number; document: unknown } | undefined;
  return {
    async load() {
      try {
        const { mtimeMs } = await stat(path);
        if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, document: JSON.parse(await readFile(path, 'utf8')) as unknown };
        return cached.document;
      } catch (error) {
        throw new FlagSourceError(`@fleece/flags: cannot read the flag document ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
