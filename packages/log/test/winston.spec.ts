import fc from 'fast-check';
import winston from 'winston';
import TransportStream from 'winston-transport';
import { capture, fakeTime } from './capture.js';
import { appendKeys, fleeceFormat, getLogger, injectRequestIds, REDACTED, RetryTransport, setupRootLogger, type LogInfo } from '../src/index.js';
import { flaky } from './flaky.js';

const MESSAGE = Symbol.for('message');

describe('with winston itself', () => {
  it('RetryTransport retries a transport inside a winston logger, which filters levels as usual', async () => {
    const time = fakeTime();
    const inner = flaky(2);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, jitter: 'none' });
    const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [transport] });
    logger.debug('below the level');
    logger.info('hello', { user: 'u-1' });
    await transport.flush();
    expect(inner.delivered).toHaveLength(1);
    expect(inner.delivered[0]).toMatchObject({ level: 'info', message: 'hello', user: 'u-1' });
    expect(JSON.parse(inner.delivered[0]![MESSAGE] as string)).toEqual({ level: 'info', message: 'hello', user: 'u-1' });
    expect(time.sleeps).toEqual([100, 200]);
    // Piped from winston, the transport takes the logger's levels.
    expect(transport.levels).toBe(logger.levels);
    logger.close();
  });

  it('surfaces the first failure as a winston logger error when ignoreErrors is false, without crashing', async () => {
    const time = fakeTime();
    const inner = flaky(6);
    const transport = new RetryTransport(inner.transport, { clock: time.clock, sleep: time.sleep, ignoreErrors: false });
    const logger = winston.createLogger({ transports: [transport] });
    const errors: unknown[] = [];
    logger.on('error', (error) => errors.push(error));
    logger.info('lost');
    await transport.flush();
    expect(errors).toEqual([inner.errors[0]]);
    expect(transport.dropped).toBe(1);
    logger.close();
  });

  it('fleeceFormat makes a winston logger write the fleece line, with request ids and redaction', async () => {
    const out = capture();
    setupRootLogger({ stream: capture().stream });
    const logger = winston.createLogger({
      level: 'debug',
      format: fleeceFormat({ name: 'legacy' }),
      transports: [new winston.transports.Stream({ stream: out.stream })],
    });
    await injectRequestIds(async () => {
      appendKeys({ tenant: 't' });
      logger.debug('from winston', { token: 'secret-token', big: 1n });
      logger.child({ logger: 'db' }).warn('child', { table: 'orders' });
      logger.error('failed', new Error('boom'));
    })({ requestContext: { requestId: 'api' } }, { awsRequestId: 'lambda' });
    const [first, child, failed] = out.records();
    expect(Object.keys(first!)).toEqual(['timestamp', 'level', 'logger', 'message', 'lambda_request_id', 'api_request_id', 'tenant', 'token', 'big']);
    expect(first).toMatchObject({ level: 'debug', logger: 'legacy', message: 'from winston', token: REDACTED, big: '1' });
    expect(child).toMatchObject({ level: 'warn', logger: 'db', message: 'child', table: 'orders', lambda_request_id: 'lambda' });
    expect(failed).toMatchObject({ level: 'error', logger: 'legacy' });
    expect(failed!['message']).toContain('failed');
    expect(failed!['stack']).toContain('Error: boom');
    expect(() => fleeceFormat({ name: '' })).toThrow(/option "name"/);
    expect(() => fleeceFormat(null as never)).toThrow(/options must be an object/);
    logger.close();
  });

  it('feeds a stock winston transport from the root logger: it prints the fleece line', () => {
    const out = capture();
    const winstonOut = capture();
    const stock = new winston.transports.Stream({ stream: winstonOut.stream });
    setupRootLogger({ stream: out.stream, transports: [stock] });
    getLogger('fanout').warn('to both', { n: 1 });
    expect(winstonOut.chunks).toEqual(out.chunks);
  });

  it('feeds a RetryTransport around a stock winston transport from the root logger', async () => {
    const out = capture();
    const winstonOut = capture();
    const transport = new RetryTransport(new winston.transports.Stream({ stream: winstonOut.stream, level: 'warn' }));
    setupRootLogger({ stream: out.stream, transports: [transport] });
    getLogger('fanout').info('only to the root stream');
    getLogger('fanout').error('to both');
    await transport.flush();
    expect(winstonOut.records().map((r) => r['message'])).toEqual(['to both']);
    expect(out.records()).toHaveLength(2);
  });
});

describe('RetryTransport as a winston transport', () => {
  const levelOrNone = fc.option(fc.constantFrom(...Object.keys(winston.config.npm.levels)), { nil: undefined });

  it('passes and filters exactly the entries winston-transport would (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          level: levelOrNone,
          parentLevel: levelOrNone,
          entryLevel: levelOrNone,
          silent: fc.boolean(),
          exception: fc.boolean(),
          handleExceptions: fc.boolean(),
        }),
        async ({ level, parentLevel, entryLevel, silent, exception, handleExceptions }) => {
          const parent = { level: parentLevel, levels: winston.config.npm.levels };
          const entry = { level: entryLevel ?? 'none', message: 'm', exception, ...(entryLevel ? { [Symbol.for('level')]: entryLevel } : {}) };
          let reference = 0;
          const stock = new TransportStream({ level, silent, handleExceptions, log: (_info: unknown, next: () => void) => { reference++; next(); } });
          stock.emit('pipe', parent);
          stock.write(entry);
          let ours = 0;
          const transport = new RetryTransport({ log: (_info: LogInfo, next: () => void) => { ours++; next(); } }, { level, silent, handleExceptions });
          transport.emit('pipe', parent);
          transport.write(entry);
          await transport.flush();
          expect(ours).toBe(reference);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('applies its own format before the wrapped transport, and drops an entry the format throws on', async () => {
    const taken: LogInfo[] = [];
    const format = { transform: (entry: LogInfo) => (entry.message === 'skip' ? false : entry.message === 'throw' ? (() => { throw new Error('format failed'); })() : { ...entry, tagged: true }) };
    const transport = new RetryTransport({ log: (entry: LogInfo, next: () => void) => { taken.push(entry); next(); } }, { format });
    for (const message of ['kept', 'skip', 'throw']) transport.write({ level: 'info', message, [Symbol.for('level')]: 'info' });
    await transport.flush();
    expect(taken.map((entry) => [entry.message, entry['tagged']])).toEqual([['kept', true]]);
    expect(transport.dropped).toBe(1);
  });

  it('closes the wrapped transport when a winston logger lets go of it', async () => {
    const inner = { log: (_info: LogInfo, next: () => void) => next(), close: jest.fn() };
    const transport = new RetryTransport(inner);
    const logger = winston.createLogger({ transports: [transport] });
    logger.info('one');
    logger.remove(transport);
    await transport.flush();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(transport.parent).toBeNull();
    expect(inner.close).toHaveBeenCalledTimes(1);
    expect(transport.delivered).toBe(1);
  });
});
