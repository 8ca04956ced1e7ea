import fc from 'fast-check';
import { DEFAULT_REDACT, DEFAULT_REDACT_VALUES, getLogger, REDACTED, setupRootLogger } from '../src/index.js';
import { Redactor } from '../src/redact.js';
import { capture } from './capture.js';

// Issue 16, item 3: the common secret names and shapes are masked by default.

// Shapes only: built from pieces so no scanner flags this file, and none is a real credential.
const ACCESS_KEY_ID = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
const SECRET_KEY = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
const PRESIGNED = `https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ACCESS_KEY_ID}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=IQoJb3JpZ2luX2Vj&X-Amz-Signature=0a1b2c3d4e5f&x-id=GetObject`;

function logOne(fields: Record<string, unknown>, message = 'entry', options: Parameters<typeof setupRootLogger>[0] = {}) {
  const out = capture();
  setupRootLogger({ stream: out.stream, ...options });
  getLogger('redact').info(message, fields);
  return { record: out.records()[0]!, raw: out.chunks.join('') };
}

describe('default redaction', () => {
  it.each([
    'x-api-key',
    'X-Amz-Security-Token',
    'client_secret',
    'db_password',
    'accessToken',
    'refresh_token',
    'private_key',
    'cookie',
    'set-cookie',
    'Authorization',
    'aws_session_token',
    'AWS_SECRET_ACCESS_KEY',
    'apiKey',
    'credentials',
    'x-amz-signature',
    'SessionId',
  ])('masks the value under %s', (key) => {
    const { record, raw } = logOne({ headers: { [key]: 'the-value-1234' } });
    expect(record['headers']).toEqual({ [key]: REDACTED });
    expect(raw).not.toContain('the-value-1234');
  });

  it('keeps ordinary keys', () => {
    const { record } = logOne({ userId: 'u-1', 'content-type': 'json', apiVersion: 2, keyName: 'k', path: '/pets' });
    expect(record).toMatchObject({ userId: 'u-1', 'content-type': 'json', apiVersion: 2, keyName: 'k', path: '/pets' });
  });

  it('masks AWS key shapes, bearer tokens and presigned-URL parts inside strings, the message included', () => {
    const { record, raw } = logOne(
      {
        env: `id=${ACCESS_KEY_ID} key=${SECRET_KEY}`,
        header: `Bearer ${JWT}`,
        nested: [{ url: PRESIGNED }],
        error: new Error(`GET failed: bearer ${JWT}`),
      },
      `fetching ${PRESIGNED}`,
    );
    for (const secret of [ACCESS_KEY_ID, SECRET_KEY, JWT, 'IQoJb3JpZ2luX2Vj', '0a1b2c3d4e5f']) expect(raw).not.toContain(secret);
    expect(record['env']).toBe(`id=${REDACTED} key=${REDACTED}`);
    expect(record['header']).toBe(`Bearer ${REDACTED}`);
    expect(record['message']).toContain(`X-Amz-Signature=${REDACTED}&x-id=GetObject`);
    expect(record['message']).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect((record['error'] as { message: string }).message).toBe(`GET failed: bearer ${REDACTED}`);
  });

  it('leaves look-alikes alone: a 40-character hex digest, a lower-case id, short strings', () => {
    const digest = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';
    const { record } = logOne({ digest, id: 'akiaiosfodnn7example', short: 'Bearer', word: 'bearer of news' });
    expect(record).toMatchObject({ digest, id: 'akiaiosfodnn7example', short: 'Bearer' });
  });

  it('lets users add and remove key and value rules', () => {
    const removed = logOne(
      { sessionId: 's-1', iban: 'DE00', note: `id ${ACCESS_KEY_ID}`, ref: 'ORDER-12345' },
      'entry',
      {
        redact: [...DEFAULT_REDACT.filter((rule) => rule !== 'session'), 'iban'],
        redactValues: [...DEFAULT_REDACT_VALUES.filter((rule) => rule !== 'aws-access-key-id'), /ORDER-\d+/i],
      },
    );
    expect(removed.record).toMatchObject({ sessionId: 's-1', iban: REDACTED, note: `id ${ACCESS_KEY_ID}`, ref: REDACTED });
    const none = logOne({ header: `Bearer ${JWT}` }, 'entry', { redactValues: [] });
    expect(none.record['header']).toBe(`Bearer ${JWT}`);
  });

  it('rejects an unknown value rule, naming the option', () => {
    expect(() => setupRootLogger({ redactValues: ['jwt' as never] })).toThrow(/option "redactValues" must hold RegExps or aws-access-key-id/);
    expect(() => setupRootLogger({ redactValues: 'bearer' as never })).toThrow(/option "redactValues" must be an array/);
    expect(() => setupRootLogger({ redact: [''] })).toThrow(/option "redact" must hold key names or RegExps, got ""/);
  });

  it('never throws on hostile strings and keys, and returns safe strings unchanged (property)', () => {
    const redactor = new Redactor(DEFAULT_REDACT);
    const names = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'X-Amz-Signature=', 'Bearer ');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), names), fc.oneof(fc.string(), names), (key, text) => {
        expect(typeof redactor.matches(key)).toBe('boolean');
        const scrubbed = redactor.scrub(text);
        // Scrubbing is idempotent, and a string it changes gained the marker.
        expect(redactor.scrub(scrubbed)).toBe(scrubbed);
        if (scrubbed !== text) expect(scrubbed).toContain(REDACTED);
      }),
    );
  });
});
