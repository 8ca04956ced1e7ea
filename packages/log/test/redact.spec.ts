import { appendKeys, DEFAULT_REDACT, getLogger, injectRequestIds, REDACTED, setupRootLogger } from '../src/index.js';
import { capture } from './capture.js';

describe('redaction', () => {
  it('masks the default keys at any depth, in any case, inside arrays, Maps and errors', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream });
    const error = Object.assign(new Error('upstream refused'), {
      config: { headers: { Authorization: 'Bearer abc', Accept: 'json' } },
    });
    getLogger('redact').info('request', {
      event: {
        headers: { authorization: 'Bearer abc', COOKIE: 'session=1', 'content-type': 'json' },
        body: { user: { Password: 'hunter2', name: 'ann' }, items: [{ token: 't1' }, { token: 't2', id: 2 }] },
        multiValueHeaders: new Map([['Cookie', ['a=1']]]),
      },
      level1: { level2: { level3: { level4: { level5: { secret: { nested: 'object value' } } } } } },
      error,
    });
    const line = out.records()[0]!;
    expect(line).toMatchObject({
      event: {
        headers: { authorization: REDACTED, COOKIE: REDACTED, 'content-type': 'json' },
        body: { user: { Password: REDACTED, name: 'ann' }, items: [{ token: REDACTED }, { token: REDACTED, id: 2 }] },
        multiValueHeaders: { Cookie: REDACTED },
      },
      level1: { level2: { level3: { level4: { level5: { secret: REDACTED } } } } },
      error: { message: 'upstream refused', config: { headers: { Authorization: REDACTED, Accept: 'json' } } },
    });
    const raw = out.chunks.join('');
    for (const secret of ['Bearer abc', 'session=1', 'a=1', 'hunter2', 't1', 't2', 'object value']) expect(raw).not.toContain(secret);
  });

  it('masks bound keys, appended keys and a top-level key the same way', async () => {
    const out = capture();
    setupRootLogger({ stream: out.stream });
    const logger = getLogger('redact').child({ token: 'bound-secret' });
    await injectRequestIds(async () => {
      appendKeys({ Secret: 'appended-secret', ok: 1 });
      logger.info('all masked', { password: 'meta-secret' });
    })({}, { awsRequestId: 'r' });
    const line = out.records()[0]!;
    expect(line).toMatchObject({ Secret: REDACTED, ok: 1, token: REDACTED, password: REDACTED });
    expect(out.chunks.join('')).not.toMatch(/bound-secret|appended-secret|meta-secret/);
  });

  it('takes its own list (names case-insensitive, RegExps) in place of the default', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream, redact: ['ApiKey', /^x-amz-security-/i, /card/g] });
    const logger = getLogger('custom');
    logger.info('custom', { apikey: 'k', headers: { 'X-Amz-Security-Token': 's' }, cardNumber: '4111', creditCard: '4222', password: 'visible' });
    // A global RegExp keeps lastIndex between tests: without a reset, cardB would be missed after cardA.
    logger.info('again', { cardA: '1', cardB: '2' });
    const [first, second] = out.records();
    // A RegExp is matched as written: /card/ is case-sensitive, so creditCard stays.
    expect(first).toMatchObject({ apikey: REDACTED, headers: { 'X-Amz-Security-Token': REDACTED }, cardNumber: REDACTED, creditCard: '4222', password: 'visible' });
    expect(second).toMatchObject({ cardA: REDACTED, cardB: REDACTED });
  });

  it('extends the default by spreading it, and masks nothing with an empty list', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream, redact: [...DEFAULT_REDACT, 'ssn'] });
    getLogger('extended').info('x', { ssn: '1', token: '2' });
    setupRootLogger({ stream: out.stream, redact: [] });
    getLogger('extended').info('y', { ssn: '1', token: '2' });
    const [extended, none] = out.records();
    expect(extended).toMatchObject({ ssn: REDACTED, token: REDACTED });
    expect(none).toMatchObject({ ssn: '1', token: '2' });
  });

  it('applies a new list to a logger whose bound keys were already serialized under the old one', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream, redact: [] });
    const logger = getLogger('rebound').child({ token: 'was-visible' });
    logger.info('before');
    setupRootLogger({ stream: out.stream });
    logger.info('after');
    const [before, after] = out.records();
    expect(before!['token']).toBe('was-visible');
    expect(after!['token']).toBe(REDACTED);
  });

  it('keeps its cache bounded when keys are generated', () => {
    const out = capture();
    setupRootLogger({ stream: out.stream });
    const logger = getLogger('many-keys');
    for (let i = 0; i < 2100; i++) logger.info('k', { [`key-${i}`]: i, token: 'x' });
    expect(out.records().every((record) => record['token'] === REDACTED)).toBe(true);
  });
});
