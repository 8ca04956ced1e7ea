import fc from 'fast-check';
import { redactUrl } from '@fleece/http';
import { redactText } from '../src/url.js';

describe('redactUrl', () => {
  it('keeps scheme, host and path, drops query, fragment and credentials', () => {
    expect(redactUrl('https://user:pa55@api.example.com:8443/v1/items?api_key=SECRET#frag')).toBe('https://api.example.com:8443/v1/items');
    expect(redactUrl(new URL('http://127.0.0.1:80/x?X-Amz-Signature=abc'))).toBe('http://127.0.0.1/x');
  });

  it('cuts a relative or malformed URL by hand', () => {
    expect(redactUrl('items/42?token=SECRET')).toBe('items/42');
    expect(redactUrl('http://user:pw@[bad/x?token=SECRET')).toBe('http://[bad/x');
  });

  it('property: no query value ever survives', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.stringMatching(/^[A-Za-z0-9]{12,20}$/), (url, secret) => {
        const base = url.split('#')[0]!;
        const withSecret = `${base}${base.includes('?') ? '&' : '?'}sig=${secret}`;
        expect(redactUrl(withSecret)).not.toContain(secret);
        expect(redactText(`failed in "${withSecret}" badly`)).not.toContain(secret);
      }),
    );
  });
});

describe('redactText', () => {
  it('redacts every URL inside a message', () => {
    expect(redactText('Unexpected token in "http://h/a?k=1" and https://u:p@h2/b#x')).toBe('Unexpected token in "http://h/a" and https://h2/b');
  });
});
