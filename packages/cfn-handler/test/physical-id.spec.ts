import fc from 'fast-check';
import { defaultPhysicalId, failedCreateId, isFailedCreateId, physicalIdFor, stackNameOf } from '../src/physical-id.js';

const STACK = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-prod/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

describe('physical ids', () => {
  it('derives a readable, deterministic default from stack, logical id and request id', () => {
    const id = defaultPhysicalId(STACK, 'Queue', 'req-1');
    expect(id).toMatch(/^orders-prod-Queue-[0-9a-f]{16}$/);
    expect(defaultPhysicalId(STACK, 'Queue', 'req-1')).toBe(id);
    expect(defaultPhysicalId(STACK, 'Queue', 'req-2')).not.toBe(id);
    expect(defaultPhysicalId(STACK, 'Topic', 'req-1')).not.toBe(id);
    expect(defaultPhysicalId(STACK.replace('orders-prod', 'orders-dev'), 'Queue', 'req-1')).not.toBe(id);
  });

  it('does without a stack name when the StackId is no ARN', () => {
    expect(stackNameOf('not-an-arn')).toBeUndefined();
    expect(defaultPhysicalId('not-an-arn', 'Queue', 'r')).toMatch(/^Queue-[0-9a-f]{16}$/);
  });

  it('recognises the failed-create marker of the same logical resource only', () => {
    const marker = failedCreateId(STACK, 'Queue', 'req-1');
    expect(isFailedCreateId(marker, 'Queue')).toBe(true);
    expect(isFailedCreateId(marker, 'Topic')).toBe(false);
    expect(isFailedCreateId(defaultPhysicalId(STACK, 'Queue', 'req-1'), 'Queue')).toBe(false);
    expect(isFailedCreateId(`${marker}x`, 'Queue')).toBe(false);
    expect(isFailedCreateId(undefined, 'Queue')).toBe(false);
  });

  it('never takes a default id for a marker (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (stack, logical, request) => {
        expect(isFailedCreateId(defaultPhysicalId(stack, logical, request), logical)).toBe(false);
        expect(isFailedCreateId(failedCreateId(stack, logical, request), logical)).toBe(true);
      }),
    );
  });
});

describe('physicalIdFor', () => {
  const base = { StackId: STACK, LogicalResourceId: 'Queue', RequestId: 'req-1' };
  const create = { ...base, RequestType: 'Create' };
  const update = { ...base, RequestType: 'Update', PhysicalResourceId: 'old-id' };
  const del = { ...base, RequestType: 'Delete', PhysicalResourceId: 'old-id' };

  it('Create: the returned id, else the default on success, else the marker on failure', () => {
    expect(physicalIdFor(create, { status: 'SUCCESS', physicalResourceId: 'mine' })).toBe('mine');
    expect(physicalIdFor(create, { status: 'SUCCESS' })).toBe(defaultPhysicalId(STACK, 'Queue', 'req-1'));
    expect(physicalIdFor(create, { status: 'FAILED' })).toBe(failedCreateId(STACK, 'Queue', 'req-1'));
    expect(physicalIdFor(create, { status: 'FAILED', physicalResourceId: 'partial' })).toBe('partial');
  });

  it('Update: echoes the id unless a successful update returns a new one', () => {
    expect(physicalIdFor(update, { status: 'SUCCESS' })).toBe('old-id');
    expect(physicalIdFor(update, { status: 'SUCCESS', physicalResourceId: 'new-id' })).toBe('new-id');
    expect(physicalIdFor(update, { status: 'FAILED', physicalResourceId: 'new-id' })).toBe('old-id');
  });

  it('Delete: always echoes', () => {
    expect(physicalIdFor(del, { status: 'SUCCESS', physicalResourceId: 'other' })).toBe('old-id');
    expect(physicalIdFor(del, { status: 'FAILED' })).toBe('old-id');
  });

  it('a malformed event: echoes what it names, else a marker', () => {
    expect(physicalIdFor({ ...base, RequestType: 'Bogus', PhysicalResourceId: 'x' }, { status: 'FAILED' })).toBe('x');
    expect(isFailedCreateId(physicalIdFor({ ...base, RequestType: 'Bogus' }, { status: 'FAILED' }), 'Queue')).toBe(true);
  });
});
