import fc from 'fast-check';
import { parseRetryAfter } from '@fleece/http';

describe('parseRetryAfter', () => {
  const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('reads delay-seconds as ms', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter(['3', '9'])).toBe(3000);
  });

  it('reads an HTTP-date against the clock, never negative', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or malformed header', () => {
    for (const value of [undefined, '', 'soon', '-5', '1.5', '2015-13-45', '1e3', 'Foo, 99 Bar 2015 99:99:99 GMT']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });

  it('property: any non-negative integer of seconds is that many thousand ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => {
        expect(parseRetryAfter(String(s))).toBe(s * 1000);
      }),
    );
  });

  it('property: a date n seconds ahead waits n seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (s) => {
        const header = new Date(now() + s * 1000).toUTCString();
        expect(parseRetryAfter(header, now)).toBe(s * 1000);
      }),
    );
  });
});
