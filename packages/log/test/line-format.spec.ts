import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { getLogger, setupRootLogger } from '../src/index.js';
import { capture } from './capture.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function setup(level: 'silly' | 'info' = 'silly') {
  const out = capture();
  setupRootLogger({ stream: out.stream, level });
  return out;
}

describe('the line format', () => {
  it('writes one JSON object per line: timestamp (ISO UTC), level, logger, message, then the fields', () => {
    const out = setup();
    const before = Date.now();
    getLogger('orders').info('order placed', { orderId: 'o-1', total: 12.5, items: ['a', 'b'] });
    const after = Date.now();
    const [line] = out.records();
    expect(Object.keys(line!)).toEqual(['timestamp', 'level', 'logger', 'message', 'orderId', 'total', 'items']);
    expect(line!['timestamp']).toMatch(ISO_UTC);
    const at = Date.parse(line!['timestamp'] as string);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(line).toMatchObject({ level: 'info', logger: 'orders', message: 'order placed', orderId: 'o-1', total: 12.5, items: ['a', 'b'] });
  });

  it('has a method per winston npm level, and log(level) for a level by name', () => {
    const out = setup();
    const logger = getLogger('levels');
    logger.error('e');
    logger.warn('w');
    logger.info('i');
    logger.http('h');
    logger.verbose('v');
    logger.debug('d');
    logger.silly('s');
    logger.log('warn', 'by name');
    expect(out.records().map((r) => [r['level'], r['message']])).toEqual([
      ['error', 'e'],
      ['warn', 'w'],
      ['info', 'i'],
      ['http', 'h'],
      ['verbose', 'v'],
      ['debug', 'd'],
      ['silly', 's'],
      ['warn', 'by name'],
    ]);
    expect(() => logger.log('loud' as never, 'x')).toThrow(/level must be one of error, warn/);
  });

  it('writes nothing below the root level, and says so through isLevelEnabled', () => {
    const out = setup('info');
    const logger = getLogger('quiet');
    logger.debug('hidden');
    logger.verbose('hidden');
    logger.info('shown');
    expect(out.records().map((r) => r['message'])).toEqual(['shown']);
    expect(logger.isLevelEnabled('debug')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
    expect(logger.level).toBe('info');
  });

  it('puts bound keys of a child logger after the message, and the call fields after those; later wins', () => {
    const out = setup();
    const child = getLogger('svc').child({ tenant: 't-1', region: 'eu' });
    const grandchild = child.child({ region: 'us', shard: 3 });
    grandchild.info('hello', { shard: 4, extra: true });
    const [line] = out.records();
    expect(Object.keys(line!)).toEqual(['timestamp', 'level', 'logger', 'message', 'tenant', 'region', 'shard', 'extra']);
    expect(line).toMatchObject({ logger: 'svc', tenant: 't-1', region: 'us', shard: 4, extra: true });
    expect(() => child.child(null as never)).toThrow(/bindings must be an object/);
  });

  it('never lets a field replace timestamp, level, logger or message: it gets a trailing _', () => {
    const out = setup();
    getLogger('reserved').child({ logger: 'bound' }).warn('real', { message: 'fake', level: 'debug', timestamp: 0 });
    const [line] = out.records();
    expect(line).toMatchObject({ level: 'warn', logger: 'reserved', message: 'real', logger_: 'bound', message_: 'fake', level_: 'debug', timestamp_: 0 });
    expect(line!['timestamp']).toMatch(ISO_UTC);
  });

  it('keeps a __proto__ key as data, never as the prototype of the line', () => {
    const out = setup();
    getLogger('proto').info('x', JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": {"deep": 1}}}'));
    const [line] = out.records();
    expect(line!['__proto___']).toEqual({ polluted: true });
    expect(line!['nested']).toEqual(JSON.parse('{"__proto__": {"deep": 1}}'));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('serializes errors with name, message, stack, own fields and cause, recursively', () => {
    const out = setup();
    const root = new RangeError('disk full');
    const middle = Object.assign(new Error('write failed', { cause: root }), { code: 'EWRITE', path: '/tmp/x' });
    const top = new Error('save failed', { cause: middle });
    getLogger('errors').error('could not save', { error: top });
    const error = out.records()[0]!['error'] as Record<string, unknown>;
    expect(Object.keys(error)).toEqual(['name', 'message', 'stack', 'cause']);
    expect(error).toMatchObject({ name: 'Error', message: 'save failed' });
    expect(error['stack']).toContain('save failed');
    const cause = error['cause'] as Record<string, unknown>;
    expect(cause).toMatchObject({ name: 'Error', message: 'write failed', code: 'EWRITE', path: '/tmp/x' });
    expect(cause['cause']).toMatchObject({ name: 'RangeError', message: 'disk full' });
    expect((cause['cause'] as Record<string, unknown>)['stack']).toContain('RangeError: disk full');
  });

  it('takes an Error as the message (its message, plus an error field) or as the meta', () => {
    const out = setup();
    const logger = getLogger('errors');
    logger.error(new TypeError('bad input'));
    logger.error('request failed', new Error('timeout'));
    const [asMessage, asMeta] = out.records();
    expect(asMessage).toMatchObject({ message: 'bad input', error: { name: 'TypeError', message: 'bad input' } });
    expect(asMeta).toMatchObject({ message: 'request failed', error: { name: 'Error', message: 'timeout' } });
  });

  it('serializes AggregateError members and errors from another realm', () => {
    const out = setup();
    const aggregate = new AggregateError([new Error('a'), new Error('b')], 'both failed');
    const foreign = runInNewContext('new SyntaxError("from a vm")') as Error;
    getLogger('errors').error('many', { aggregate, foreign });
    const [line] = out.records();
    expect(line!['aggregate']).toMatchObject({ name: 'AggregateError', message: 'both failed', errors: [{ message: 'a' }, { message: 'b' }] });
    expect(line!['foreign']).toMatchObject({ name: 'SyntaxError', message: 'from a vm' });
  });

  it('survives a cause cycle and an error whose fields throw', () => {
    const out = setup();
    const looping = new Error('loop');
    looping.cause = looping;
    const hostile = new Error('hostile');
    Object.defineProperty(hostile, 'details', { enumerable: true, get: () => { throw new Error('no details'); } });
    getLogger('errors').error('cycle', { looping, hostile });
    const [line] = out.records();
    expect(line!['looping']).toMatchObject({ message: 'loop', cause: '[Circular]' });
    expect(line!['hostile']).toMatchObject({ message: 'hostile', details: '[Unreadable: Error: no details]' });
  });

  it('writes circular references, BigInt, Buffers, typed arrays, Maps, Sets and Dates without throwing', () => {
    const out = setup();
    const circular: Record<string, unknown> = { name: 'node' };
    circular['self'] = circular;
    circular['list'] = [circular, 1];
    const shared = { reused: true };
    getLogger('values').info('values', {
      circular,
      shared: [shared, shared],
      big: 12345678901234567890n,
      buffer: Buffer.from('secret bytes'),
      bytes: new Uint8Array(4),
      arrayBuffer: new ArrayBuffer(8),
      map: new Map<unknown, unknown>([['a', 1], [2, 10n]]),
      set: new Set([1, 'two']),
      date: new Date(0),
      skipped: undefined,
      fn: () => 1,
    });
    const [line] = out.records();
    expect(line).toMatchObject({
      circular: { name: 'node', self: '[Circular]', list: ['[Circular]', 1] },
      shared: [{ reused: true }, { reused: true }],
      big: '12345678901234567890',
      buffer: '[Buffer 12 bytes]',
      bytes: '[Uint8Array 4 bytes]',
      arrayBuffer: '[ArrayBuffer 8 bytes]',
      map: { a: 1, 2: '10' },
      set: [1, 'two'],
      date: '1970-01-01T00:00:00.000Z',
    });
    expect(line).not.toHaveProperty('skipped');
    expect(line).not.toHaveProperty('fn');
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it('calls toJSON itself, so a BigInt it returns or an error it throws cannot break the line', () => {
    const out = setup();
    getLogger('json').info('toJSON', {
      money: { toJSON: () => ({ cents: 10n }) },
      broken: { toJSON: () => { throw new Error('cannot'); } },
      selfish: { a: 1, toJSON() { return this; } },
    });
    const [line] = out.records();
    expect(line).toMatchObject({ money: { cents: '10' }, broken: '[Unserializable: Error: cannot]', selfish: { a: 1 } });
  });

  it('cuts structures deeper than 16 levels and survives a throwing getter and a hostile proxy', () => {
    const out = setup();
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const getter = Object.defineProperty({ ok: 1 }, 'bad', { enumerable: true, get: () => { throw new Error('boom'); } });
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
    getLogger('hostile').info('deep', { deep, getter, proxy });
    const [line] = out.records();
    expect(JSON.stringify(line!['deep'])).toContain('"[Truncated]"');
    expect(line!['getter']).toEqual({ ok: 1, bad: '[Unreadable: Error: boom]' });
    expect(line!['proxy']).toBe('[Unserializable: Error: no keys]');
  });

  it('keeps a non-object meta under "meta" and a non-string message as JSON', () => {
    const out = setup();
    const logger = getLogger('odd');
    logger.info('count', 42 as never);
    logger.info('list', [1, 2n] as never);
    logger.info({ event: 'structured', n: 1n });
    logger.info(undefined);
    const [count, list, structured, nothing] = out.records();
    expect(count!['meta']).toBe(42);
    expect(list!['meta']).toEqual([1, '2']);
    expect(structured!['message']).toEqual({ event: 'structured', n: '1' });
    expect(Object.keys(nothing!)).toEqual(['timestamp', 'level', 'logger']);
  });

  it('writes a line for anything, even when a getter changes between the walk and the write', () => {
    const out = setup();
    let reads = 0;
    // Safe on the first read (our walk), a BigInt on the second (JSON.stringify): only the fallback can cope.
    const sly = Object.defineProperty({}, 'value', { enumerable: true, get: () => (++reads > 1 ? 1n : 1) });
    getLogger('sly').info('changing', { sly });
    const [line] = out.records();
    expect(line).toMatchObject({ level: 'info', logger: 'sly', message: 'changing' });
    expect(line!['log_error']).toMatch(/unserializable fields: TypeError/);
  });

  it('never throws and always writes one parseable line, whatever is logged (property)', () => {
    const out = setup();
    const logger = getLogger('property');
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true, withSparseArray: true }), fc.anything({ withBigInt: true }), (meta, message) => {
        out.clear();
        logger.info(message, meta as never);
        const records = out.records();
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({ level: 'info', logger: 'property' });
      }),
      { numRuns: 300 },
    );
  });

  it('validates the name of a logger and returns the same logger for the same name', () => {
    expect(getLogger('same')).toBe(getLogger('same'));
    expect(() => getLogger('')).toThrow(/name must be a non-empty string/);
    expect(() => getLogger(3 as never)).toThrow(TypeError);
  });
});
