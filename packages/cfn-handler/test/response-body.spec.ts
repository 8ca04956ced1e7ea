import fc from 'fast-check';
import { buildResponse, MAX_BODY_BYTES, sanitizeReason, type ResponseDraft } from '../src/response-body.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/my-stack/1a2b3c4d-0000-1111-2222-333344445555';

function draft(overrides: Partial<ResponseDraft> = {}): ResponseDraft {
  return {
    status: 'SUCCESS',
    physicalResourceId: 'my-stack-Thing-0123456789abcdef',
    stackId: STACK_ID,
    requestId: '5d1f4d5e-0000-4c2b-9a7e-1234567890ab',
    logicalResourceId: 'Thing',
    ...overrides,
  };
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('sanitizeReason', () => {
  it('turns line breaks and tabs into one space and drops other control characters', () => {
    expect(sanitizeReason('first line\r\nsecond\tthird\u0000\u0007\u007f\u0085end')).toBe('first line second third end');
  });

  it('keeps printable unicode as it is', () => {
    expect(sanitizeReason('ünïcödé – ✓ 😀')).toBe('ünïcödé – ✓ 😀');
  });
});

describe('buildResponse', () => {
  it('echoes the ids, keeps Reason out of a SUCCESS without one, and serialises exactly the response', () => {
    const { response, body } = buildResponse(draft({ data: { Arn: 'arn:x' }, noEcho: true }));
    expect(response).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'my-stack-Thing-0123456789abcdef',
      StackId: STACK_ID,
      RequestId: '5d1f4d5e-0000-4c2b-9a7e-1234567890ab',
      LogicalResourceId: 'Thing',
      NoEcho: true,
      Data: { Arn: 'arn:x' },
    });
    expect(JSON.parse(body)).toEqual(response);
    expect(Object.keys(JSON.parse(body))[0]).toBe('Status');
  });

  it('always gives a FAILED response a non-empty Reason', () => {
    expect(buildResponse(draft({ status: 'FAILED', reason: '\n\t' })).response.Reason).toMatch(/failed without giving a reason/);
  });

  it('truncates a long Reason keeping its head, within 4096 bytes', () => {
    const reason = `HEAD-${'x'.repeat(10_000)}`;
    const { response, body } = buildResponse(draft({ status: 'FAILED', reason }));
    expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(bytes(body)).toBeGreaterThan(MAX_BODY_BYTES - 8);
    expect(response.Reason!.startsWith('HEAD-xxx')).toBe(true);
    expect(response.Reason!.endsWith('…')).toBe(true);
  });

  it('counts multi-byte characters and JSON escapes when truncating', () => {
    const { body } = buildResponse(draft({ status: 'FAILED', reason: '"\\😀ü'.repeat(2000) }));
    expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(() => JSON.parse(body)).not.toThrow();
  });

  it('answers FAILED, saying so, when data alone makes the body too long', () => {
    const data = { Big: 'y'.repeat(5000) };
    const { response, body } = buildResponse(draft({ data, reason: 'fine' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Data).toBeUndefined();
    expect(response.Reason).toMatch(/response data is 5\d{3} bytes .* over CloudFormation's limit of 4096 bytes/);
    expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('keeps data that fits and truncates only the reason that does not', () => {
    const data = { Value: 'z'.repeat(3000) };
    const { response, body } = buildResponse(draft({ data, reason: 'r'.repeat(3000) }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Data).toEqual(data);
    expect(response.Reason!.length).toBeLessThan(3000);
    expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('answers FAILED when data cannot be serialised (a cycle, a BigInt)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(buildResponse(draft({ data: cyclic })).response).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/cannot be serialized to JSON/),
    });
    expect(buildResponse(draft({ data: { n: 10n } })).response.Status).toBe('FAILED');
  });

  it('answers FAILED when data is not a JSON object', () => {
    const { response } = buildResponse(draft({ data: { toJSON: () => [1, 2] } }));
    expect(response).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/must be a JSON object/) });
  });

  it('holds the body rules for any reason and data (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'SUCCESS' | 'FAILED'>('SUCCESS', 'FAILED'),
        fc.option(fc.string({ unit: 'binary', maxLength: 6000 }), { nil: undefined }),
        fc.option(fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 1500 }), { maxKeys: 5 }), {
          nil: undefined,
        }),
        (status, reason, data) => {
          const { response, body } = buildResponse(draft({ status, reason, data }));
          expect(bytes(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
          expect(JSON.parse(body)).toEqual(response);
          if (response.Status === 'FAILED') expect(response.Reason).toBeTruthy();
          if (response.Reason !== undefined) {
            // eslint-disable-next-line no-control-regex
            expect(response.Reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          }
          if (status === 'SUCCESS' && response.Status === 'SUCCESS') {
            expect(response.Data).toEqual(data === undefined ? undefined : JSON.parse(JSON.stringify(data)));
          }
          if (status === 'SUCCESS' && response.Status === 'FAILED') expect(response.Reason).toMatch(/response data/);
          const clean = sanitizeReason(reason ?? '');
          if (clean !== '' && response.Reason !== undefined && !/response data/.test(response.Reason)) {
            const head = response.Reason.endsWith('…') && response.Reason !== clean ? response.Reason.slice(0, -1) : response.Reason;
            expect(clean.startsWith(head)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
