import { remainingMs } from '@fleece/retry';
import { appendKeys, getLogger, injectRequestIds, RetryTransport, setupRootLogger, type LogInfo } from '../src/index.js';
import { capture, fakeTime } from './capture.js';

const context = (awsRequestId: string, remaining = 30_000) => ({ awsRequestId, getRemainingTimeInMillis: () => remaining });
const apiV1 = (requestId: string) => ({ resource: '/items', httpMethod: 'GET', requestContext: { requestId, stage: 'prod' } });
const apiV2 = (requestId: string) => ({ version: '2.0', routeKey: 'GET /items', requestContext: { requestId, http: { method: 'GET' } } });
const functionUrl = (requestId: string) => ({ version: '2.0', rawPath: '/', requestContext: { requestId, domainName: 'abc.lambda-url.eu-west-1.on.aws' } });
const sqs = { Records: [{ messageId: 'm-1', eventSource: 'aws:sqs' }] };
const alb = { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:...' } }, httpMethod: 'GET' };

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function setup() {
  const out = capture();
  setupRootLogger({ stream: out.stream });
  return out;
}

describe('injectRequestIds', () => {
  it('adds lambda_request_id and api_request_id right after the message, for every logger in any module', async () => {
    const out = setup();
    const handlerLogger = getLogger('handler');
    const dbLogger = getLogger('db').child({ table: 'orders' });
    const handler = injectRequestIds(async (event: { requestContext: { requestId: string } }) => {
      handlerLogger.info('start');
      await pause(1);
      dbLogger.info('query');
      return event.requestContext.requestId;
    });
    await expect(handler(apiV1('api-1'), context('lambda-1'))).resolves.toBe('api-1');
    const records = out.records();
    expect(records.map((r) => Object.keys(r).slice(0, 6))).toEqual([
      ['timestamp', 'level', 'logger', 'message', 'lambda_request_id', 'api_request_id'],
      ['timestamp', 'level', 'logger', 'message', 'lambda_request_id', 'api_request_id'],
    ]);
    expect(records[1]).toMatchObject({ logger: 'db', lambda_request_id: 'lambda-1', api_request_id: 'api-1', table: 'orders' });
  });

  it('finds the API request id of HTTP APIs and Function URLs, and none for SQS, ALB or an empty event', async () => {
    const out = setup();
    const handler = injectRequestIds(async () => getLogger('sources').info('event'));
    await handler(apiV2('http-api'), context('l-1'));
    await handler(functionUrl('url'), context('l-2'));
    await handler(sqs, context('l-3'));
    await handler(alb, context('l-4'));
    await handler(null, context('l-5'));
    await handler({}, {} as never);
    expect(out.records().map((r) => [r['lambda_request_id'], r['api_request_id']])).toEqual([
      ['l-1', 'http-api'],
      ['l-2', 'url'],
      ['l-3', undefined],
      ['l-4', undefined],
      ['l-5', undefined],
      [undefined, undefined],
    ]);
  });

  it('leaves nothing behind: no ids outside an invocation, no stale api id or keys in the next one', async () => {
    const out = setup();
    const logger = getLogger('warm');
    await injectRequestIds(async () => {
      appendKeys({ customer: 'c-1' });
      logger.info('first');
    })(apiV1('api-1'), context('lambda-1'));
    logger.info('between');
    await injectRequestIds(async () => logger.info('second'))(sqs, context('lambda-2'));
    const [first, between, second] = out.records();
    expect(first).toMatchObject({ lambda_request_id: 'lambda-1', api_request_id: 'api-1', customer: 'c-1' });
    expect(Object.keys(between!)).toEqual(['timestamp', 'level', 'logger', 'message']);
    expect(second).toMatchObject({ lambda_request_id: 'lambda-2' });
    expect(second).not.toHaveProperty('api_request_id');
    expect(second).not.toHaveProperty('customer');
  });

  it('keeps each of 100 overlapping invocations, interleaved with timers, to its own ids and keys', async () => {
    const out = setup();
    const handlerLogger = getLogger('overlap');
    const helperLogger = getLogger('overlap-helper');
    // Deterministic "random" delays, so the interleaving is rich and the test reproducible.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 4;
    const helper = async (step: number) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      helperLogger.info(`helper ${step}`);
    };
    const handler = injectRequestIds(async (event: { requestContext: { requestId: string }; n: number }) => {
      handlerLogger.info(`start ${event.n}`);
      await pause(next());
      appendKeys({ n: event.n });
      for (let step = 0; step < 3; step++) {
        await (step % 2 === 0 ? pause(next()) : Promise.resolve());
        handlerLogger.info(`step ${step}`);
        await helper(step);
      }
      return event.n;
    });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, n) => handler({ requestContext: { requestId: `api-${n}` }, n }, context(`lambda-${n}`))),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, n) => n));
    const records = out.records();
    expect(records).toHaveLength(100 * 7);
    // The lines really interleave: the first invocation does not finish before the last starts.
    const firstEndOf0 = records.findIndex((r) => r['lambda_request_id'] === 'lambda-0' && r['message'] === 'helper 2');
    const startOf99 = records.findIndex((r) => r['message'] === 'start 99');
    expect(startOf99).toBeLessThan(firstEndOf0);
    for (const record of records) {
      const n = Number((record['lambda_request_id'] as string).slice('lambda-'.length));
      expect(record['api_request_id']).toBe(`api-${n}`);
      if ((record['message'] as string).startsWith('start')) {
        expect(record['message']).toBe(`start ${n}`);
        expect(record).not.toHaveProperty('n');
      } else {
        expect(record['n']).toBe(n);
      }
    }
  });

  it('appendKeys adds keys for the rest of the invocation, later calls win, and is a no-op outside one', async () => {
    const out = setup();
    const logger = getLogger('append');
    expect(appendKeys({ orphan: true })).toBe(false);
    await injectRequestIds(async () => {
      logger.info('before');
      expect(appendKeys({ step: 1, user: 'u-1' })).toBe(true);
      logger.info('after one');
      await pause(1);
      appendKeys({ step: 2 });
      logger.info('after two');
    })({}, context('l'));
    logger.info('outside');
    const [before, one, two, outside] = out.records();
    expect(before).not.toHaveProperty('step');
    expect(one).toMatchObject({ step: 1, user: 'u-1' });
    expect(two).toMatchObject({ step: 2, user: 'u-1' });
    expect(Object.keys(two!)).toEqual(['timestamp', 'level', 'logger', 'message', 'lambda_request_id', 'step', 'user']);
    expect(outside).not.toHaveProperty('orphan');
    expect(outside).not.toHaveProperty('step');
    expect(() => appendKeys(null as never)).toThrow(/keys must be an object/);
    expect(() => appendKeys(['a'] as never)).toThrow(TypeError);
  });

  it('flushes the root transports before the handler promise resolves', async () => {
    const out = capture();
    const delivered: unknown[] = [];
    let failures = 2;
    const time = fakeTime();
    const slow = {
      log(info: LogInfo, next: (error?: unknown) => void) {
        setTimeout(() => {
          if (failures-- > 0) next(new Error('throttled'));
          else {
            delivered.push(info['message']);
            next();
          }
        }, 2);
      },
    };
    const transport = new RetryTransport(slow, { sleep: time.sleep, clock: time.clock });
    setupRootLogger({ stream: out.stream, transports: [transport] });
    const handler = injectRequestIds(async () => {
      getLogger('flushed').info('must arrive');
      return 'done';
    });
    await expect(handler({}, context('l'))).resolves.toBe('done');
    expect(delivered).toEqual(['must arrive']);
    expect(time.sleeps).toHaveLength(2);
    expect(transport.pending).toBe(0);
  });

  it('flushes also when the handler throws, then rethrows its error', async () => {
    const out = capture();
    const delivered: unknown[] = [];
    const transport = new RetryTransport({ log: (info: LogInfo, next: () => void) => setTimeout(() => { delivered.push(info['message']); next(); }, 2) });
    setupRootLogger({ stream: out.stream, transports: [transport] });
    const handler = injectRequestIds(async () => {
      getLogger('failing').error('about to fail');
      throw new Error('handler failed');
    });
    await expect(handler({}, context('l'))).rejects.toThrow('handler failed');
    expect(delivered).toEqual(['about to fail']);
  });

  it('does not wait for the transports with flush: false', async () => {
    const out = capture();
    let release: () => void = () => undefined;
    const transport = new RetryTransport({ log: (_info: LogInfo, next: () => void) => { release = next; } });
    setupRootLogger({ stream: out.stream, transports: [transport] });
    await injectRequestIds(async () => getLogger('nowait').info('queued'), { flush: false })({}, context('l'));
    expect(transport.pending).toBe(1);
    release();
    await transport.flush();
    expect(transport.delivered).toBe(1);
  });

  it('runs the handler under the invocation deadline, minus the margin', async () => {
    setup();
    const seen: number[] = [];
    const handler = injectRequestIds(async () => {
      seen.push(remainingMs());
    }, { deadlineMarginMs: 1000 });
    await handler({}, context('l', 5000));
    await injectRequestIds(async () => seen.push(remainingMs()))({}, context('l', 5000));
    await injectRequestIds(async () => seen.push(remainingMs()))({}, { awsRequestId: 'no clock' });
    expect(seen).toEqual([4000, 4500, Infinity]);
  });

  it('validates its arguments', () => {
    expect(() => injectRequestIds('handler' as never)).toThrow(/handler must be a function/);
    expect(() => injectRequestIds(async () => 1, null as never)).toThrow(/options must be an object/);
    expect(() => injectRequestIds(async () => 1, { flush: 'yes' as never })).toThrow(/option "flush" must be a boolean/);
    expect(() => injectRequestIds(async () => 1, { deadlineMarginMs: -1 })).toThrow(/option "deadlineMarginMs"/);
  });
});
