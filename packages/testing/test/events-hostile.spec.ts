import fc from 'fast-check';
import { apiGatewayV1Event, functionUrlEvent, httpApiEvent, sqsEvent } from '../src/index.js';

// Names a map with a prototype resolves to something that is not request data.
const BUILT_IN_NAMES = [
  ...new Set([
    '__proto__',
    ...[Object.prototype, Function.prototype, Array.prototype, String.prototype, Number.prototype, Promise.prototype].flatMap((proto) =>
      Object.getOwnPropertyNames(proto),
    ),
  ]),
];

const name = fc.oneof(
  fc.constantFrom(...BUILT_IN_NAMES),
  fc.string({ minLength: 1, unit: 'binary' }),
  fc.constantFrom('%ZZ', '%', 'a=b', '&', '+', ' ', 'Cookie'),
);
const value = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('1', '%ZZ', ''));

// What a client's encoder sends for a lone surrogate.
const wellFormed = (text: string) => text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

function prototypeIsUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(typeof ({} as { toString: unknown }).toString).toBe('function');
}

function own(map: Record<string, unknown> | null | undefined, key: string): unknown {
  expect(map).toBeTruthy();
  expect(Object.getPrototypeOf(map)).toBeNull();
  return Object.getOwnPropertyDescriptor(map, key)?.value;
}

describe('event builders take hostile names as ordinary names', () => {
  it('API Gateway v1: every header and query name round-trips, as map and as raw query', () => {
    fc.assert(
      fc.property(name, value, name, value, (header, headerValue, param, paramValue) => {
        const event = apiGatewayV1Event({ headers: { [header]: headerValue }, query: { [param]: [paramValue, paramValue] }, pathParameters: { [param]: paramValue } });
        expect(own(event.headers, header)).toBe(headerValue);
        expect(own(event.multiValueHeaders, header)).toEqual([headerValue]);
        expect(own(event.queryStringParameters, param)).toBe(paramValue);
        expect(own(event.multiValueQueryStringParameters, param)).toEqual([paramValue, paramValue]);
        expect(own(event.pathParameters, param)).toBe(paramValue);
        const raw = apiGatewayV1Event({ query: `${encodeURIComponent(wellFormed(param))}=1` });
        expect(own(raw.multiValueQueryStringParameters, wellFormed(param))).toEqual(['1']);
        prototypeIsUntouched();
      }),
      { numRuns: 300 },
    );
  });

  it('HTTP API v2 and Function URL: headers (lower-cased), query and cookies round-trip', () => {
    for (const build of [httpApiEvent, functionUrlEvent]) {
      fc.assert(
        fc.property(
          name.filter((n) => n.toLowerCase() !== 'cookie'),
          value,
          name,
          value,
          name.filter((n) => !/[=;]/.test(n)),
          (header, headerValue, param, paramValue, cookie) => {
            const event = build({ headers: { [header]: [headerValue, headerValue] }, query: { [param]: paramValue }, cookies: { [cookie]: 'v' } });
            expect(own(event.headers, header.toLowerCase())).toBe(`${headerValue},${headerValue}`);
            expect(own(event.queryStringParameters, param)).toBe(paramValue);
            expect(event.cookies).toContain(`${cookie}=v`);
            expect(typeof event.rawQueryString).toBe('string');
            prototypeIsUntouched();
          },
        ),
        { numRuns: 200 },
      );
    }
  });

  it('SQS: message attribute names round-trip', () => {
    fc.assert(
      fc.property(name, value, (attribute, text) => {
        const [record] = sqsEvent([{ body: 'x', messageAttributes: { [attribute]: text } }]).Records;
        expect((own(record!.messageAttributes, attribute) as { stringValue: string }).stringValue).toBe(text);
        prototypeIsUntouched();
      }),
    );
  });

  it('a malformed escape in a raw query stays as sent instead of throwing', () => {
    const event = httpApiEvent({ query: 'a=%ZZ&%E0%A4%A=1' });
    expect(event.queryStringParameters?.['a']).toBe('%ZZ');
    expect(event.queryStringParameters?.['%E0%A4%A']).toBe('1');
    expect(event.rawQueryString).toBe('a=%ZZ&%E0%A4%A=1');
  });

  it('an override named __proto__ is a member, not a new prototype', () => {
    const overrides = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const event = httpApiEvent({}, overrides);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).toEqual({ polluted: true });
    prototypeIsUntouched();
  });
});
