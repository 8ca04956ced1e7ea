import fc from 'fast-check';
import { LocalCache } from '../src/local-cache.js';

describe('LocalCache', () => {
  it('returns a record until it expires, then drops it', () => {
    const cache = new LocalCache(1000);
    cache.set('k', { result: '"v"', expiresAt: 100 });
    expect(cache.get('k', 99)?.result).toBe('"v"');
    expect(cache.get('k', 100)).toBeUndefined();
    expect(cache.count).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used to stay within maxSize bytes', () => {
    // Each entry: 1-byte key + 4-byte result = 5 bytes.
    const cache = new LocalCache(10);
    cache.set('a', { result: '"aa"', expiresAt: Infinity });
    cache.set('b', { result: '"bb"', expiresAt: Infinity });
    cache.get('a', 0);
    cache.set('c', { result: '"cc"', expiresAt: Infinity });
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('counts UTF-8 bytes, not characters, and skips a record larger than the budget', () => {
    const cache = new LocalCache(8);
    cache.set('k', { result: '"ééé"', expiresAt: Infinity }); // 1 + 8 bytes
    expect(cache.count).toBe(0);
    cache.set('k', { result: undefined, expiresAt: Infinity, payloadHash: 'hh' });
    expect(cache.size).toBe(3);
  });

  it('replaces a key without counting it twice', () => {
    const cache = new LocalCache(100);
    cache.set('k', { result: '1', expiresAt: Infinity });
    cache.set('k', { result: '22', expiresAt: Infinity });
    expect(cache.size).toBe(3);
    expect(cache.get('k', 0)?.result).toBe('22');
    cache.delete('k');
    cache.delete('k');
    expect(cache.size).toBe(0);
  });

  it('never holds more than maxSize bytes and always keeps the newest record that fits (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.string({ maxLength: 40 }), fc.boolean())),
        (maxSize, operations) => {
          const cache = new LocalCache(maxSize);
          for (const [key, result, read] of operations) {
            if (read) {
              cache.get(key, 0);
            } else {
              cache.set(key, { result, expiresAt: Infinity });
              const size = Buffer.byteLength(key) + Buffer.byteLength(result);
              if (size <= maxSize) expect(cache.get(key, 0)?.result).toBe(result);
            }
            expect(cache.size).toBeLessThanOrEqual(maxSize);
            expect(cache.size).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });
});
