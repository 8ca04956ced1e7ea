import {
  IdempotencyAlreadyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPersistenceError,
  IdempotencyValidationError,
  idempotencyErrorResponse,
} from '../src/index.js';

describe('idempotencyErrorResponse', () => {
  it('answers an in-progress duplicate with 409 and Retry-After in whole seconds, at least 1', () => {
    const answer = idempotencyErrorResponse(new IdempotencyAlreadyInProgressError('fn#h', 2100));
    expect(answer).toMatchObject({ statusCode: 409, isBase64Encoded: false });
    expect(answer?.headers['Retry-After']).toBe('3');
    expect(answer?.headers['Content-Type']).toBe('application/json');
    expect(idempotencyErrorResponse(new IdempotencyAlreadyInProgressError('fn#h', 0))?.headers['Retry-After']).toBe('1');
    expect(idempotencyErrorResponse(new IdempotencyAlreadyInProgressError('fn#h', undefined))?.headers['Retry-After']).toBe('1');
  });

  it('answers a missing key with 400 naming the header', () => {
    const answer = idempotencyErrorResponse(new IdempotencyKeyMissingError('headers."idempotency-key"'));
    expect(answer?.statusCode).toBe(400);
    expect(JSON.parse(answer!.body)).toEqual({ message: 'the Idempotency-Key header is required' });
    const custom = idempotencyErrorResponse(new IdempotencyKeyMissingError('x'), { keyHeader: 'X-Request-Key' });
    expect(JSON.parse(custom!.body).message).toContain('X-Request-Key');
  });

  it('answers a payload mismatch with 422 and no key in the body', () => {
    const answer = idempotencyErrorResponse(new IdempotencyValidationError('fn#secret-hash'));
    expect(answer?.statusCode).toBe(422);
    expect(answer!.body).not.toContain('secret-hash');
  });

  it('adds the given headers without letting them replace Content-Type or Retry-After', () => {
    const answer = idempotencyErrorResponse(new IdempotencyAlreadyInProgressError('k', 5000), {
      headers: { 'Access-Control-Allow-Origin': '*', 'Retry-After': '999' },
    });
    expect(answer?.headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Content-Type': 'application/json',
      'Retry-After': '5',
    });
  });

  it('gives undefined for anything else, so the caller rethrows it', () => {
    expect(idempotencyErrorResponse(new IdempotencyPersistenceError('down'))).toBeUndefined();
    expect(idempotencyErrorResponse(new Error('x'))).toBeUndefined();
    expect(idempotencyErrorResponse('string')).toBeUndefined();
  });
});
