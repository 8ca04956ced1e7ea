import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import TransportStream from 'winston-transport';
import { getLogger, RetryTransport, setupRootLogger, transportFailures, type LogInfo } from '../src/index.js';
import { capture } from './capture.js';

// Issue 16, item 2: whatever a transport does wrong, the caller and the other transports go on;
// the failure is counted and reported once on the error stream.

type Log = (this: TransportStream, info: LogInfo, next: (error?: unknown) => void) => unknown;

/** A real winston-transport TransportStream whose log() is `log`. */
function transport(name: string, log: Log) {
  const made = new (class extends TransportStream {
    override log(info: LogInfo, next: () => void): unknown {
      return log.call(this, info, next);
    }
  })();
  (made as unknown as { name: string }).name = name;
  return made;
}

function healthy() {
  const messages: unknown[] = [];
  return { messages, transport: transport('healthy', (info, next) => void (messages.push(info.message), next())) };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a failing transport', () => {
  const modes: [string, Log][] = [
    [
      'throws',
      () => {
        throw new Error('boom');
      },
    ],
    ['calls back with an error', (_info, next) => next(new Error('boom'))],
    ['returns a rejected promise', async () => Promise.reject(new Error('boom'))],
  ];

  it.each(modes)('that %s leaves the caller and the other transports unharmed, reported once', async (_mode, log) => {
    const out = capture();
    const errors = capture();
    const good = healthy();
    const bad = transport('flaky', log);
    setupRootLogger({ stream: out.stream, errorStream: errors.stream, transports: [bad, good.transport] });
    const logger = getLogger('caller');
    for (let i = 1; i <= 3; i++) expect(() => logger.info(`entry ${i}`)).not.toThrow();
    await tick();
    logger.info('entry 4');
    await tick();
    expect(out.records().map((r) => r['message'])).toEqual(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    expect(good.messages).toEqual(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    // Every entry reached the bad transport (it was not destroyed by its first failure) and failed.
    expect(transportFailures(bad)).toBe(4);
    expect(transportFailures(good.transport)).toBe(0);
    const reported = errors.records();
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ level: 'error', logger: 'fleece.log', message: expect.stringMatching(/^log transport flaky failed: Error: boom;/) });
  });

  it('that never calls back is skipped after transportTimeoutMs, counted, and resumed when it does', async () => {
    const out = capture();
    const errors = capture();
    const good = healthy();
    const held: (() => void)[] = [];
    const taken: unknown[] = [];
    const bad = transport('stuck', (info, next) => {
      taken.push(info.message);
      held.push(next);
    });
    setupRootLogger({ stream: out.stream, errorStream: errors.stream, transportTimeoutMs: 500, transports: [bad, good.transport] });
    const logger = getLogger('caller');
    logger.info('entry 1');
    // Within the window the stream buffers as usual.
    logger.info('entry 2');
    await new Promise((resolve) => setTimeout(resolve, 600));
    logger.info('entry 3');
    logger.info('entry 4');
    expect(good.messages).toEqual(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    expect(taken).toEqual(['entry 1']);
    expect(transportFailures(bad)).toBe(2);
    expect(errors.records()).toEqual([expect.objectContaining({ message: expect.stringMatching(/stuck failed: Error: log\(\) did not call back within 500 ms/) })]);
    // The late callback frees it: the buffered entry goes on, and so do new ones.
    held.shift()!();
    await tick();
    expect(taken).toEqual(['entry 1', 'entry 2']);
    logger.info('entry 5');
    held.shift()!();
    await tick();
    expect(taken).toEqual(['entry 1', 'entry 2', 'entry 5']);
    expect(errors.records()).toHaveLength(1);
  });

  it('is put back as it was by the next setup', () => {
    const bad = transport('restored', () => {
      throw new Error('boom');
    });
    const own = healthy().transport;
    const ownLog = own.log;
    Object.defineProperty(own, 'log', { value: ownLog, writable: true, configurable: true });
    setupRootLogger({ errorStream: capture().stream, stream: capture().stream, transports: [bad, own] });
    expect(Object.prototype.hasOwnProperty.call(bad, 'log')).toBe(true);
    setupRootLogger({ stream: capture().stream });
    expect(Object.prototype.hasOwnProperty.call(bad, 'log')).toBe(false);
    expect(own.log).toBe(ownLog);
    expect(() => bad.log!({ level: 'info', message: 'x' }, () => undefined)).toThrow('boom');
  });

  it('around a RetryTransport still gets its entries delivered', async () => {
    const good = healthy();
    const retrying = new RetryTransport(good.transport, { retries: 0 });
    setupRootLogger({ stream: capture().stream, errorStream: capture().stream, transports: [retrying] });
    getLogger('caller').info('through');
    await retrying.flush();
    expect(good.messages).toEqual(['through']);
    expect(transportFailures()).toBe(0);
  });

  it('rejects a bad errorStream or transportTimeoutMs', () => {
    expect(() => setupRootLogger({ errorStream: {} as never })).toThrow(/option "errorStream" must have a write/);
    expect(() => setupRootLogger({ transportTimeoutMs: 0 })).toThrow(/option "transportTimeoutMs" must be a finite number of ms > 0, got 0/);
  });

  it('whose log() rejects does not end the process (an unhandled rejection would)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleece-log-reject-'));
    try {
      const outfile = join(dir, 'child.cjs');
      buildSync({
        entryPoints: [join(__dirname, 'fixtures', 'rejecting-transport.ts')],
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        conditions: ['@fleece/source'],
        outfile,
        logLevel: 'silent',
      });
      const { stdout } = await promisify(execFile)(process.execPath, [outfile], { env: { PATH: process.env['PATH'] ?? '' } });
      expect(JSON.parse(stdout)).toEqual({ received: ['entry 1', 'entry 2', 'entry 3'], failures: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
