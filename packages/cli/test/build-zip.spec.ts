import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { deterministicZip, type ZipEntry } from '../src/build/zip.js';

const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}(\.[a-z]{1,4})?$/);
const entriesArb = fc.uniqueArray(
  fc.record({ path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')), data: fc.uint8Array({ maxLength: 300 }) }),
  { selector: (entry) => entry.path, minLength: 1, maxLength: 8 },
).filter((entries) => entries.every((a) => entries.every((b) => a === b || !b.path.startsWith(`${a.path}/`))));

/** The central directory records: name, DOS time and date, external attributes, "version made by". */
function centralDirectory(zip: Uint8Array): { name: string; time: number; date: number; attrs: number; madeBy: number }[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const records = [];
  for (let i = 0; i + 4 <= zip.byteLength; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    records.push({
      madeBy: view.getUint16(i + 4, true) >> 8,
      time: view.getUint16(i + 12, true),
      date: view.getUint16(i + 14, true),
      attrs: view.getUint32(i + 38, true),
      name: Buffer.from(zip.subarray(i + 46, i + 46 + nameLength)).toString('utf8'),
    });
    i += 45 + nameLength;
  }
  return records;
}

describe('deterministicZip', () => {
  it('holds exactly the entries, whatever their order, and gives the same bytes for any order', () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(), (entries, seed) => {
        const shuffled = [...entries].sort((a, b) => ((a.path.length * 31 + seed) % 7) - ((b.path.length * 31 + seed) % 7));
        const zip = deterministicZip(entries);
        expect(Buffer.compare(deterministicZip(shuffled), zip)).toBe(0);
        // The archive order is the sorted paths (read from the central directory: the object
        // unzipSync returns lists integer-like names first, as every JS object does).
        expect(centralDirectory(zip).map((record) => record.name)).toEqual(entries.map((entry) => entry.path).sort());
        const unzipped = unzipSync(zip);
        expect(Object.keys(unzipped)).toHaveLength(entries.length);
        for (const entry of entries) expect(Buffer.from(unzipped[entry.path]!).equals(Buffer.from(entry.data))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('writes one fixed time (1980-01-01 00:00), Unix rw-r--r-- files and no directory entries', () => {
    const zip = deterministicZip([
      { path: 'b/c.txt', data: Buffer.from('c') },
      { path: 'a.mjs', data: Buffer.from('a') },
    ]);
    const records = centralDirectory(zip);
    expect(records.map((record) => record.name)).toEqual(['a.mjs', 'b/c.txt']);
    for (const record of records) {
      expect(record).toMatchObject({ time: 0, date: (0 << 9) | (1 << 5) | 1, madeBy: 3 });
      expect(record.attrs >>> 16).toBe(0o100644);
    }
  });

  it('gives the same bytes in every time zone', () => {
    const entries: ZipEntry[] = [{ path: 'handler.mjs', data: Buffer.from('export const handler = async () => 1;') }];
    const saved = process.env['TZ'];
    try {
      const zips = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kathmandu'].map((zone) => {
        process.env['TZ'] = zone;
        return Buffer.from(deterministicZip(entries));
      });
      for (const zip of zips) expect(zip.equals(zips[0]!)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });

  it('refuses paths that would land outside the task root, and duplicates', () => {
    for (const path of ['', '/etc/passwd', '../up.js', 'a/../b', 'a//b', 'a\\b', './a']) {
      expect(() => deterministicZip([{ path, data: new Uint8Array() }])).toThrow(TypeError);
    }
    expect(() => deterministicZip([{ path: 'a', data: new Uint8Array() }, { path: 'a', data: new Uint8Array([1]) }])).toThrow('"a" appears twice');
  });
});
