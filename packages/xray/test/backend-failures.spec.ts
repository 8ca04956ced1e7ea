import type { TracingBackend } from '../src/backend.js';
import { configureXray, traceHandler, traceSubsegment, tracingStatus } from '../src/index.js';
import { resetTracer } from '../src/tracer.js';
import { enterInvocation } from './support/trace.js';

function recordingLogger() {
  const lines: string[] = [];
  const log = (message: string) => lines.push(message);
  return { lines, logger: { debug: log, info: log, warn: log, error: log } };
}

afterEach(() => {
  delete process.env['_X_AMZN_TRACE_ID'];
  resetTracer();
});

describe('when the backend cannot be loaded', () => {
  it('turns tracing off (a malformed AWS_XRAY_DAEMON_ADDRESS makes aws-xray-sdk-core throw on load), says so once, and keeps every function working', async () => {
    process.env['LAMBDA_TASK_ROOT'] = '/var/task';
    process.env['AWS_XRAY_DAEMON_ADDRESS'] = 'not-an-address';
    const { lines, logger } = recordingLogger();
    configureXray({ logger });
    enterInvocation();
    const failure = new Error('mine');
    const handler = traceHandler(async (event: { fail: boolean }) => {
      if (event.fail) throw failure;
      return traceSubsegment(async () => 'done')();
    });
    await expect(handler({ fail: false }, {})).resolves.toBe('done');
    await expect(handler({ fail: true }, {})).rejects.toBe(failure);
    expect(traceSubsegment((n: number) => n * 2)(21)).toBe(42);
    const status = tracingStatus();
    expect(status.state).toBe('failed');
    expect(status.lastError).toMatch(/Invalid Daemon Address/);
    expect(status.sent).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/tracing is off/);
  });

  it('drops the spans that waited for a backend that failed, and counts them', async () => {
    let fail: (error: Error) => void = () => undefined;
    resetTracer(() => new Promise<TracingBackend>((_resolve, reject) => (fail = reject)));
    const { logger } = recordingLogger();
    configureXray({ logger });
    enterInvocation();
    traceSubsegment(() => 1)();
    traceSubsegment(() => 2)();
    expect(tracingStatus()).toEqual({ state: 'loading', sent: 0, dropped: 0 });
    fail(new Error('cannot load'));
    await new Promise(setImmediate);
    expect(tracingStatus()).toEqual({ state: 'failed', sent: 0, dropped: 2, lastError: 'Error: cannot load' });
  });

  it('bounds the spans waiting for a backend that never loads', () => {
    resetTracer(() => new Promise<TracingBackend>(() => undefined));
    enterInvocation();
    const traced = traceSubsegment(() => 1);
    for (let i = 0; i < 1005; i++) traced();
    expect(tracingStatus()).toMatchObject({ state: 'loading', dropped: 5 });
  });
});

describe('when the backend fails to send', () => {
  it('counts the loss, warns once, and the traced function is unaffected', async () => {
    const exported: string[] = [];
    resetTracer(async () => ({
      name: 'flaky',
      export(span) {
        exported.push(span.name);
        if (span.name === 'bad') throw new Error('socket gone');
      },
    }));
    const { lines, logger } = recordingLogger();
    configureXray({ logger });
    enterInvocation();
    await traceSubsegment(async () => 'ok', { name: 'good' })();
    await new Promise(setImmediate);
    expect(traceSubsegment(() => 'still ok', { name: 'bad' })()).toBe('still ok');
    expect(traceSubsegment(() => 'again', { name: 'bad' })()).toBe('again');
    expect(exported).toEqual(['good', 'bad', 'bad']);
    expect(tracingStatus()).toMatchObject({ state: 'ready', sent: 1, dropped: 2 });
    expect(lines).toEqual(['@fleece/xray: the flaky backend failed to send a span: Error: socket gone']);
  });
});

describe('configureXray', () => {
  it('validates the logger', () => {
    expect(() => configureXray(null as never)).toThrow(/configuration must be an object/);
    expect(() => configureXray({ logger: { debug() {}, info() {}, warn() {} } as never })).toThrow(/logger.error must be a function/);
    expect(() => configureXray({})).not.toThrow();
  });
});
