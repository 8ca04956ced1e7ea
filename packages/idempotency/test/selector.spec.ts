import { isMissing, selector, withCaseInsensitiveHeaders } from '../src/selector.js';

describe('selector', () => {
  const event = {
    headers: { 'Idempotency-Key': 'abc', 'Content-Type': 'application/json' },
    multiValueHeaders: { 'X-Trace': ['1', '2'] },
    body: '{"amount":5}',
    requestContext: { requestId: 'r-1' },
  };

  it('matches header names case-insensitively, in any casing of the expression', () => {
    expect(selector('key', 'headers."idempotency-key"')(event)).toBe('abc');
    expect(selector('key', 'headers."IDEMPOTENCY-KEY"')(event)).toBe('abc');
    expect(selector('key', 'headers."Idempotency-Key"')(event)).toBe('abc');
    expect(selector('key', 'multiValueHeaders."x-trace"[1]')(event)).toBe('2');
  });

  it('keeps other fields case-sensitive, as JMESPath is', () => {
    expect(selector('key', 'requestContext.requestId')(event)).toBe('r-1');
    expect(selector('key', 'RequestContext.requestId')(event)).toBeNull();
  });

  it('supports multi-selects and functions over the header view', () => {
    expect(selector('key', '[headers."idempotency-key", body]')(event)).toEqual(['abc', '{"amount":5}']);
    expect(selector('key', 'keys(headers)')(event)).toEqual(['Idempotency-Key', 'Content-Type']);
  });

  it('does not change the event', () => {
    const view = withCaseInsensitiveHeaders(event) as typeof event;
    expect(view).not.toBe(event);
    expect((view.headers as Record<string, string>)['idempotency-key']).toBe('abc');
    expect((event.headers as Record<string, string>)['idempotency-key']).toBeUndefined();
  });

  it('leaves events without header maps and non-objects alone', () => {
    const plain = { orderId: 7 };
    expect(withCaseInsensitiveHeaders(plain)).toBe(plain);
    expect(withCaseInsensitiveHeaders('x')).toBe('x');
    expect(withCaseInsensitiveHeaders({ headers: null })).toEqual({ headers: null });
    expect(selector('key', 'headers.x')({ headers: null })).toBeNull();
  });

  it('passes functions through with every argument', () => {
    const pick = selector<[number, number]>('key', (a, b) => a + b);
    expect(pick(2, 3)).toBe(5);
  });

  it('rejects an expression that does not parse, naming the option', () => {
    expect(() => selector('payloadValidation', 'headers.[')).toThrow(/option "payloadValidation" must be a valid JMESPath/);
    expect(() => selector('key', '')).toThrow(/option "key" must be a JMESPath expression or a function/);
    expect(() => selector('key', 42 as unknown as string)).toThrow(TypeError);
  });

  it('accepts an expression that would fail on an empty object (parsed, not evaluated)', () => {
    expect(selector('key', 'length(body)')({ body: 'abcd' })).toBe(4);
  });
});

describe('isMissing', () => {
  it.each([null, undefined, '', [], {}, [null, ''], { a: null }])('%p is missing', (value) => {
    expect(isMissing(value)).toBe(true);
  });

  it.each([0, false, 'x', [null, 'a'], { a: 0 }, new Date(0)])('%p is a key', (value) => {
    expect(isMissing(value)).toBe(false);
  });
});
