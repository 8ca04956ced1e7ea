import { Writable } from 'node:stream';
import { DEFAULT_REDACT, flushLogs, getLogger, LEVELS, setupRootLogger, transportFailures, type LogInfo } from '../src/index.js';
import { capture } from './capture.js';

const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

function withEnv(env: Record<string, string | undefined>, fn: () => void): void {
  const saved = { LOG_LEVEL: process.env['LOG_LEVEL'], AWS_LAMBDA_LOG_LEVEL: process.env['AWS_LAMBDA_LOG_LEVEL'] };
  try {
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A winston-style transport that keeps the info objects it is given. */
function recordingTransport(level?: string) {
  const infos: LogInfo[] = [];
  const transport = new Writable({
    objectMode: true,
    write(info: LogInfo, _encoding, callback) {
      infos.push(info);
      callback();
    },
  }) as Writable & { level?: string; levels?: Record<string, number> };
  if (level !== undefined) transport.level = level;
  return { transport, infos };
}

describe('setupRootLogger', () => {
  it('does not duplicate lines when called twice, and the second stream replaces the first', () => {
    const first = capture();
    const second = capture();
    setupRootLogger({ stream: first.stream });
    setupRootLogger({ stream: second.stream });
    getLogger('twice').info('once');
    expect(first.records()).toHaveLength(0);
    expect(second.records().map((r) => r['message'])).toEqual(['once']);
    setupRootLogger({ stream: second.stream });
    getLogger('twice').info('still once');
    expect(second.records().map((r) => r['message'])).toEqual(['once', 'still once']);
  });

  it('returns the root logger', () => {
    const out = capture();
    const root = setupRootLogger({ stream: out.stream });
    root.info('from root');
    expect(root).toBe(getLogger('root'));
    expect(out.records()[0]).toMatchObject({ logger: 'root', message: 'from root' });
  });

  it('is followed by loggers created before it ran (at module load)', () => {
    const early = getLogger('created-at-module-load');
    const child = early.child({ bound: 1 });
    const out = capture();
    setupRootLogger({ stream: out.stream, level: 'debug' });
    early.debug('after setup');
    child.debug('child too');
    expect(out.records().map((r) => [r['logger'], r['message'], r['bound']])).toEqual([
      ['created-at-module-load', 'after setup', undefined],
      ['created-at-module-load', 'child too', 1],
    ]);
    setupRootLogger({ stream: out.stream, level: 'warn' });
    early.info('now hidden');
    expect(out.records()).toHaveLength(2);
  });

  it('takes the level from the option, else LOG_LEVEL, else AWS_LAMBDA_LOG_LEVEL, else info', () => {
    const out = capture();
    const levelOf = (options: { level?: string } = {}) => setupRootLogger({ stream: out.stream, ...options }).level;
    withEnv({ LOG_LEVEL: 'WARNING', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, () => {
      expect(levelOf({ level: 'verbose' })).toBe('verbose');
      expect(levelOf()).toBe('warn');
    });
    withEnv({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, () => expect(levelOf()).toBe('debug'));
    withEnv({ LOG_LEVEL: '', AWS_LAMBDA_LOG_LEVEL: 'TRACE' }, () => expect(levelOf()).toBe('silly'));
    withEnv({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, () => expect(levelOf()).toBe('error'));
    withEnv({ LOG_LEVEL: 'Critical', AWS_LAMBDA_LOG_LEVEL: undefined }, () => expect(levelOf()).toBe('error'));
    withEnv({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: undefined }, () => expect(levelOf()).toBe('info'));
  });

  it('rejects an invalid level naming where it came from, and keeps the previous configuration', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream, level: 'warn' });
    expect(() => setupRootLogger({ level: 'loud' })).toThrow(/option "level" must be a log level.*got "loud"/);
    withEnv({ LOG_LEVEL: 'chatty' }, () => expect(() => setupRootLogger()).toThrow(/environment variable LOG_LEVEL must be a log level/));
    withEnv({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: 'nope' }, () =>
      expect(() => setupRootLogger()).toThrow(/environment variable AWS_LAMBDA_LOG_LEVEL/),
    );
    getLogger('kept').warn('still here');
    expect(out.records().map((r) => r['message'])).toEqual(['still here']);
    expect(getLogger('kept').level).toBe('warn');
  });

  it('validates its options with a TypeError naming the option', () => {
    expect(() => setupRootLogger(null as never)).toThrow(/options must be an object/);
    expect(() => setupRootLogger({ stream: {} as never })).toThrow(/option "stream" must have a write/);
    expect(() => setupRootLogger({ redact: 'token' as never })).toThrow(/option "redact" must be an array/);
    expect(() => setupRootLogger({ redact: [42 as never] })).toThrow(/option "redact" must hold key names or RegExps/);
    expect(() => setupRootLogger({ transports: {} as never })).toThrow(/option "transports" must be an array/);
    expect(() => setupRootLogger({ transports: [{} as never] })).toThrow(/option "transports" must hold winston transports/);
  });

  it('writes to process.stdout by default', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      setupRootLogger({ level: 'info' });
      getLogger('stdout').info('to stdout');
      expect(write).toHaveBeenCalledTimes(1);
      const line = String(write.mock.calls[0]![0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ logger: 'stdout', message: 'to stdout' });
    } finally {
      write.mockRestore();
    }
  });

  it('hands each entry to the transports as a winston info: fields, level and the finished line', () => {
    const out = capture();
    const all = recordingTransport();
    const errorsOnly = recordingTransport('error');
    setupRootLogger({ stream: out.stream, transports: [all.transport, errorsOnly.transport] });
    const cart = { items: ['a'] };
    getLogger('fanout').info('hello', { password: 'p', n: 1n, cart });
    getLogger('fanout').error('bad');
    cart.items.push('added later');
    const lines = out.chunks.map((chunk) => chunk.trimEnd());
    // A snapshot of the line, not the caller's objects; and each transport has its own copy.
    expect(all.infos[0]!['cart']).toEqual({ items: ['a'] });
    expect(all.infos[0]).not.toBe(errorsOnly.infos[0]);
    expect(all.infos[0]).toEqual(errorsOnly.infos[0]);
    expect(all.infos.map((info) => info[MESSAGE])).toEqual(lines);
    expect(all.infos[0]).toMatchObject({ level: 'info', logger: 'fanout', message: 'hello', password: '[REDACTED]', n: '1' });
    expect(all.infos[0]![LEVEL]).toBe('info');
    // A plain Writable has no level filter of its own: this one shows the root gives every entry.
    expect(errorsOnly.infos).toHaveLength(2);
    expect(errorsOnly.transport.levels).toEqual(LEVELS);
  });

  it('stops feeding the transports a later setup removed', () => {
    const out = capture();
    const old = recordingTransport();
    setupRootLogger({ stream: out.stream, transports: [old.transport] });
    setupRootLogger({ stream: out.stream });
    getLogger('removed').info('not for the old transport');
    expect(old.infos).toHaveLength(0);
    expect(old.transport.listenerCount('error')).toBe(0);
  });

  it('turns a transport failure into an error line on the error stream, never into a throw', () => {
    const out = capture();
    const errors = capture();
    const throwing = { name: 'thrower', write: () => { throw new Error('sync failure'); } };
    const emitting = new Writable({ objectMode: true, write: (_info, _enc, callback) => callback(new Error('async failure')) });
    setupRootLogger({ stream: out.stream, errorStream: errors.stream, transports: [throwing, emitting] });
    expect(() => getLogger('fragile').info('entry')).not.toThrow();
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(out.records().map((r) => r['message'])).toEqual(['entry']);
      const failures = errors.records().map((r) => [r['level'], r['logger'], r['message']]);
      expect(failures).toEqual(
        expect.arrayContaining([
          ['error', 'fleece.log', expect.stringMatching(/^log transport thrower failed: Error: sync failure;/)],
          ['error', 'fleece.log', expect.stringMatching(/^log transport Writable failed: Error: async failure;/)],
        ]),
      );
      expect(transportFailures(throwing)).toBe(1);
      // The errored Writable is destroyed: the next entry is skipped and counted, not written.
      getLogger('fragile').info('again');
      expect(transportFailures(emitting)).toBe(2);
      expect(transportFailures()).toBe(4);
      expect(errors.records()).toHaveLength(2);
    });
  });

  it('flushLogs awaits every transport that can flush and never rejects', async () => {
    const out = capture();
    const order: string[] = [];
    const slow = { write: () => true, flush: () => new Promise<void>((resolve) => setTimeout(() => { order.push('slow flushed'); resolve(); }, 5)) };
    const failing = { write: () => true, flush: () => Promise.reject(new Error('flush failed')) };
    const throwing = { write: () => true, flush: (): Promise<void> => { throw new Error('sync flush failure'); } };
    setupRootLogger({ stream: out.stream, transports: [slow, failing, throwing, recordingTransport().transport] });
    await expect(flushLogs()).resolves.toBeUndefined();
    order.push('flushLogs resolved');
    expect(order).toEqual(['slow flushed', 'flushLogs resolved']);
  });

  it('without setupRootLogger, reads its configuration at the first line, not at import', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      withEnv({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: undefined }, () => {
        jest.isolateModules(() => {
          const fresh = jest.requireActual<typeof import('../src/index.js')>('../src/index.js');
          const logger = fresh.getLogger('lazy');
          // Set after the import: a configuration read at import time would miss it.
          process.env['LOG_LEVEL'] = 'debug';
          logger.debug('read at first use', { token: 't' });
        });
      });
      expect(write).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(write.mock.calls[0]![0]))).toMatchObject({ level: 'debug', logger: 'lazy', token: '[REDACTED]' });
      withEnv({ LOG_LEVEL: 'chatty' }, () => {
        jest.isolateModules(() => {
          const fresh = jest.requireActual<typeof import('../src/index.js')>('../src/index.js');
          expect(() => fresh.getLogger('lazy').info('x')).toThrow(/environment variable LOG_LEVEL/);
        });
      });
    } finally {
      write.mockRestore();
    }
  });

  it('masks the default keys unless told otherwise', () => {
    expect(DEFAULT_REDACT).toEqual([
      'password',
      'secret',
      'token',
      'credential',
      'apikey',
      'authorization',
      'cookie',
      'privatekey',
      'session',
      'signature',
    ]);
  });
});
