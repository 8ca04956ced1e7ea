import { CfnLambdaExecutionTimeout, inProgress } from '../src/in-progress.js';
import { understandResult } from '../src/result.js';

describe('understandResult', () => {
  it('takes undefined and null for success with defaults', () => {
    expect(understandResult(undefined)).toEqual({ kind: 'success' });
    expect(understandResult(null)).toEqual({ kind: 'success' });
  });

  it('reads our form', () => {
    expect(understandResult({ physicalResourceId: 'id', data: { A: '1' }, noEcho: true, reason: 'ok' })).toEqual({
      kind: 'success',
      physicalResourceId: 'id',
      data: { A: '1' },
      noEcho: true,
      reason: 'ok',
    });
  });

  it("reads the origin's protocol form, FAILURE meaning FAILED", () => {
    expect(understandResult({ Status: 'SUCCESS', PhysicalResourceId: '1234', Data: { X: 1 } })).toEqual({
      kind: 'success',
      physicalResourceId: '1234',
      data: { X: 1 },
    });
    expect(understandResult({ Status: 'FAILURE', Reason: 'Some failure occurred' })).toEqual({
      kind: 'failed',
      reason: 'Some failure occurred',
    });
    expect(understandResult({ Status: 'FAILED' })).toEqual({ kind: 'failed', reason: '' });
  });

  it('reads inProgress with its state and handed-on id', () => {
    expect(understandResult(inProgress({ job: 7 }, { physicalResourceId: 'job-7' }))).toEqual({
      kind: 'in-progress',
      state: { job: 7 },
      physicalResourceId: 'job-7',
    });
    expect(understandResult(inProgress(undefined)).kind).toBe('in-progress');
  });

  it.each([
    ['a string', 'done', /returned a string/],
    ['an array', [1], /returned an array/],
    ['a class instance', new Map(), /returned a Map/],
    ['a typo', { PhysicalResourceID: 'x' }, /unknown key "PhysicalResourceID"/],
    ['mixed forms', { Status: 'SUCCESS', data: {} }, /unknown key "data"/],
    ['an empty id', { physicalResourceId: '' }, /non-empty string/],
    ['an id over 1 KB', { physicalResourceId: 'x'.repeat(1025) }, /1025 bytes/],
    ['array data', { data: [1] }, /data that is an array/],
    ['a string noEcho', { noEcho: 'yes' }, /noEcho that is a string/],
    ['a numeric reason', { reason: 5 }, /reason that is a number/],
    ['an unknown Status', { Status: 'OK' }, /Status "OK"/],
    ['a bad handed-on id', inProgress({}, { physicalResourceId: '' }), /inProgress\(\)/],
  ])('calls %s invalid, saying why', (_, value, why) => {
    const outcome = understandResult(value);
    expect(outcome.kind).toBe('invalid');
    expect(outcome.kind === 'invalid' && outcome.reason).toMatch(why);
  });

  it('ignores keys whose value is undefined', () => {
    expect(understandResult({ physicalResourceId: 'x', Typo: undefined })).toEqual({ kind: 'success', physicalResourceId: 'x' });
  });
});

describe('CfnLambdaExecutionTimeout', () => {
  it('carries the state and the handed-on id', () => {
    const error = new CfnLambdaExecutionTimeout({ step: 2 }, { physicalResourceId: 'p' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CfnLambdaExecutionTimeout');
    expect(error.state).toEqual({ step: 2 });
    expect(error.physicalResourceId).toBe('p');
  });
});
