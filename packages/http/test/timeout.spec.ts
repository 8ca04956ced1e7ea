import fc from 'fast-check';
import { DEFAULT_TIMEOUT } from '@fleece/http';
import { boundByDeadline, parseTimeout, phaseOf, resolveTimeout } from '../src/timeout.js';

describe('parseTimeout', () => {
  it('reads a number as both connect and read', () => {
    expect(parseTimeout('timeout', 1500)).toEqual({ kind: 'friendly', connect: 1500, read: 1500 });
  });

  it('reads { connect, read } (either half optional) as the friendly form', () => {
    expect(parseTimeout('timeout', { connect: 200, read: 3000 })).toEqual({ kind: 'friendly', connect: 200, read: 3000 });
    expect(parseTimeout('timeout', { read: 3000 })).toEqual({ kind: 'friendly', connect: undefined, read: 3000 });
  });

  it('passes a got timeout object through', () => {
    expect(parseTimeout('timeout', { request: 10_000, socket: 500 })).toEqual({ kind: 'got', delays: { request: 10_000, socket: 500 } });
  });

  it('leaves undefined to the next layer', () => {
    expect(parseTimeout('timeout', undefined)).toBeUndefined();
  });

  it.each([
    [0, /"timeout" must be a finite number of milliseconds > 0, got 0/],
    [-5, /"timeout" must be/],
    [Infinity, /"timeout" must be/],
    ['15', /"timeout" must be ms, \{ connect, read \} or a got timeout object, got "15"/],
    [[1, 2], /"timeout" must be ms/],
    [{ connect: 0 }, /"timeout.connect" must be/],
    [{ read: Number.NaN }, /"timeout.read" must be/],
    [{ request: -1 }, /"timeout.request" must be/],
    [{ conect: 100 }, /"timeout" has an unknown key "conect"; known keys: lookup, connect/],
  ])('rejects %p with a TypeError naming the option', (value, message) => {
    expect(() => parseTimeout('timeout', value)).toThrow(TypeError);
    expect(() => parseTimeout('timeout', value)).toThrow(message);
  });
});

describe('resolveTimeout', () => {
  const got = (connect: number, read: number) => ({ lookup: connect, connect, secureConnect: connect, socket: read, response: read });

  it('uses the finite built-in default when nothing is set', () => {
    expect(resolveTimeout([undefined, undefined, undefined])).toEqual(got(DEFAULT_TIMEOUT.connect, DEFAULT_TIMEOUT.read));
    expect(Number.isFinite(DEFAULT_TIMEOUT.connect) && Number.isFinite(DEFAULT_TIMEOUT.read)).toBe(true);
  });

  it('takes each half from the most specific layer that sets it', () => {
    const request = parseTimeout('t', { connect: 100 });
    const session = parseTimeout('t', { read: 2000 });
    const global = parseTimeout('t', 9000);
    expect(resolveTimeout([request, session, global])).toEqual(got(100, 2000));
    expect(resolveTimeout([undefined, undefined, global])).toEqual(got(9000, 9000));
    expect(resolveTimeout([request, undefined, undefined])).toEqual(got(100, DEFAULT_TIMEOUT.read));
  });

  it('uses a got object verbatim when it is the most specific layer, and skips it below a friendly one', () => {
    const gotLayer = parseTimeout('t', { request: 700 });
    expect(resolveTimeout([gotLayer, parseTimeout('t', 50)])).toEqual({ request: 700 });
    expect(resolveTimeout([parseTimeout('t', { connect: 10 }), gotLayer, parseTimeout('t', { read: 20 })])).toEqual(got(10, 20));
  });

  it('property: a number at the most specific layer always wins both halves', () => {
    const layer = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: 1, max: 1e6 }).map((ms) => parseTimeout('t', ms)),
      fc.record({ connect: fc.integer({ min: 1, max: 1e6 }) }).map((v) => parseTimeout('t', v)),
      fc.record({ request: fc.integer({ min: 1, max: 1e6 }) }).map((v) => parseTimeout('t', v)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(layer, { maxLength: 3 }), (ms, rest) => {
        expect(resolveTimeout([parseTimeout('t', ms), ...rest])).toEqual(got(ms, ms));
      }),
    );
  });
});

describe('boundByDeadline', () => {
  it('leaves the timeouts alone without a deadline or when the deadline is further away', () => {
    expect(boundByDeadline({ connect: 100 }, Infinity)).toEqual({ delays: { connect: 100 }, deadlineBound: false });
    expect(boundByDeadline({ request: 100 }, 5000)).toEqual({ delays: { request: 100 }, deadlineBound: false });
  });

  it('bounds the whole attempt by the time left when that is sooner', () => {
    expect(boundByDeadline({ connect: 5000, socket: 30_000 }, 1234.2)).toEqual({
      delays: { connect: 5000, socket: 30_000, request: 1235 },
      deadlineBound: true,
    });
    expect(boundByDeadline({ request: 9000 }, 0.2).delays.request).toBe(1);
  });

  it('property: the effective total is min(configured, time left)', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 1e7 }), { nil: undefined }), fc.integer({ min: 1, max: 1e7 }), (request, left) => {
        const { delays, deadlineBound } = boundByDeadline(request === undefined ? {} : { request }, left);
        expect(delays.request).toBe(Math.min(request ?? Infinity, left));
        expect(deadlineBound).toBe(left < (request ?? Infinity));
      }),
    );
  });
});

describe('phaseOf', () => {
  it.each([
    ['lookup', false, 'connect'],
    ['connect', false, 'connect'],
    ['secureConnect', true, 'connect'],
    ['socket', false, 'read'],
    ['response', false, 'read'],
    ['send', false, 'read'],
    ['read', false, 'read'],
    ['request', false, 'request'],
    ['request', true, 'deadline'],
    [undefined, false, 'request'],
  ])('maps got timer %p (deadline-bound %p) to %p', (event, bound, phase) => {
    expect(phaseOf(event, bound)).toBe(phase);
  });
});
