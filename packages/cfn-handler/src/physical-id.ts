import { createHash } from 'node:crypto';

/** CloudFormation's limit on a physical resource id, in bytes. */
export const MAX_PHYSICAL_ID_BYTES = 1024;

const FAILED_CREATE_PREFIX = 'fleece:create-failed:';

function digest(...parts: string[]): string {
  // A newline cannot occur in these ids, so joining on it keeps ("a", "bc") apart from ("ab", "c").
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** The stack name inside a stack ARN (`arn:…:stack/NAME/uuid`), or `undefined`. */
export function stackNameOf(stackId: string): string | undefined {
  const match = /:stack\/([^/]+)\//.exec(stackId);
  return match?.[1];
}

/**
 * The physical id a Create answers with when the create function names none: readable (stack name
 * and logical id) and deterministic, so a retried delivery of the same Create event yields the same
 * id. It depends on the RequestId, never on the log stream name, so an Update keeps its id unless
 * the update function returns a new one.
 */
export function defaultPhysicalId(stackId: string, logicalResourceId: string, requestId: string): string {
  const stackName = stackNameOf(stackId);
  const hash = digest(stackId, logicalResourceId, requestId);
  return `${stackName ? `${stackName}-` : ''}${logicalResourceId}-${hash}`;
}

/**
 * The id a failed Create answers with when nothing was created. CloudFormation then sends a Delete
 * for it, which {@link isFailedCreateId} recognises, so that Delete succeeds without user code.
 */
export function failedCreateId(stackId: string, logicalResourceId: string, requestId: string): string {
  return `${FAILED_CREATE_PREFIX}${logicalResourceId}:${digest(stackId, logicalResourceId, requestId)}`;
}

/** Whether `physicalResourceId` is the marker a failed Create of this logical resource answered with. */
export function isFailedCreateId(physicalResourceId: unknown, logicalResourceId: string): boolean {
  if (typeof physicalResourceId !== 'string') return false;
  const prefix = `${FAILED_CREATE_PREFIX}${logicalResourceId}:`;
  return physicalResourceId.startsWith(prefix) && /^[0-9a-f]{16}$/.test(physicalResourceId.slice(prefix.length));
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * The physical id to answer with. Create: the function's, else the one handed on, else a
 * deterministic default (SUCCESS) or the failed-create marker (FAILED). Update: the event's
 * unless a successful update returned a new one (a replacement). Delete: always the event's.
 */
export function physicalIdFor(event: Record<string, unknown>, decision: { status: 'SUCCESS' | 'FAILED'; physicalResourceId?: string }): string {
  const stackId = str(event['StackId']);
  const logicalId = str(event['LogicalResourceId']);
  const requestId = str(event['RequestId']);
  const current = str(event['PhysicalResourceId']);
  const type = event['RequestType'];
  if (type === 'Update' && current !== '') {
    return decision.status === 'SUCCESS' ? (decision.physicalResourceId ?? current) : current;
  }
  if (type === 'Delete' && current !== '') return current;
  if (type === 'Create') {
    if (decision.physicalResourceId !== undefined) return decision.physicalResourceId;
    return decision.status === 'SUCCESS'
      ? defaultPhysicalId(stackId, logicalId, requestId)
      : failedCreateId(stackId, logicalId, requestId);
  }
  // A malformed event: echo what it names, else a marker so a later Delete needs no user code.
  return current !== '' ? current : failedCreateId(stackId, logicalId, requestId);
}
