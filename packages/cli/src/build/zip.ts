import { Zip, ZipDeflate } from 'fflate';

/** One file of a {@link deterministicZip}: its path inside the archive and its bytes. */
export interface ZipEntry {
  /** POSIX path inside the archive, no leading slash (`handler.mjs`, `assets/a.json`). */
  path: string;
  data: Uint8Array;
}

/**
 * The modification time written for every entry: 1980-01-01 00:00, the first instant a zip (DOS)
 * timestamp can hold. Built from local-time fields because zip stores local wall-clock time and
 * fflate reads the local fields: the bytes are then the same in every time zone.
 */
const FIXED_MTIME = () => new Date(1980, 0, 1, 0, 0, 0, 0);
/** Unix file type and permissions (regular file, rw-r--r--): Lambda needs the files world-readable. */
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;
const UNIX = 3;
/** Fixed, so the compressed bytes depend on the input only (for a given fflate version). */
const LEVEL = 9;

/**
 * A zip whose bytes depend only on the entries: sorted by path, one fixed timestamp, fixed
 * permissions and compression, no directory entries and no extra fields. The same source gives
 * the same archive and so the same hash, and Terraform's `source_code_hash` sees no change.
 *
 * @throws TypeError when two entries share a path, or a path is absolute, empty or climbs out (`..`).
 */
export function deterministicZip(entries: readonly ZipEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let previous: string | undefined;
  for (const { path } of sorted) {
    if (path === '' || path.startsWith('/') || path.includes('\\') || path.split('/').some((part) => part === '..' || part === '' || part === '.')) {
      throw new TypeError(`zip entry path must be a relative POSIX path, got ${JSON.stringify(path)}`);
    }
    if (path === previous) throw new TypeError(`zip entry ${JSON.stringify(path)} appears twice`);
    previous = path;
  }
  // The streaming writer keeps the order entries are added in (zipSync's object would put
  // integer-like names first); with the synchronous ZipDeflate every callback runs before add() returns.
  const chunks: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else chunks.push(chunk);
  });
  for (const { path, data } of sorted) {
    const file = new ZipDeflate(path, { level: LEVEL });
    Object.assign(file, { mtime: FIXED_MTIME(), os: UNIX, attrs: FILE_ATTRIBUTES });
    zip.add(file);
    file.push(data, true);
  }
  zip.end();
  if (failure) throw failure;
  return Buffer.concat(chunks);
}
