import { isInProgress } from './in-progress.js';
import { MAX_PHYSICAL_ID_BYTES } from './physical-id.js';

/** What a create, update, delete or poll function returns when it is done. */
export interface CustomResourceResult {
  /** The resource's physical id. Create: defaults to a deterministic id; Update: a new one means replacement. */
  physicalResourceId?: string;
  /** Attributes for `Fn::GetAtt`; the whole response body must stay within 4096 bytes. */
  data?: Record<string, unknown>;
  /** Mask `data` in the console and in `DescribeStackEvents`. */
  noEcho?: boolean;
  /** A message shown with the resource's event in the console. */
  reason?: string;
}

/** The origin's (and CloudFormation's) form of a result, also accepted. `'FAILURE'` means FAILED. */
export interface ProtocolResult {
  Status?: 'SUCCESS' | 'FAILED' | 'FAILURE';
  Reason?: string;
  PhysicalResourceId?: string;
  Data?: Record<string, unknown>;
  NoEcho?: boolean;
}

/** A returned value, understood. */
export type Outcome =
  | { kind: 'success'; physicalResourceId?: string; data?: Record<string, unknown>; noEcho?: boolean; reason?: string }
  | { kind: 'failed'; reason: string; physicalResourceId?: string; data?: Record<string, unknown>; noEcho?: boolean }
  | { kind: 'in-progress'; state: unknown; physicalResourceId?: string }
  | { kind: 'invalid'; reason: string };

const CAMEL = ['physicalResourceId', 'data', 'noEcho', 'reason'] as const;
const PASCAL = ['Status', 'PhysicalResourceId', 'Data', 'NoEcho', 'Reason'] as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Checks a physical id a user function handed back; returns the problem, if any. */
export function physicalIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return `physicalResourceId must be a non-empty string, got ${describe(id)}`;
  const size = Buffer.byteLength(id, 'utf8');
  if (size > MAX_PHYSICAL_ID_BYTES) return `physicalResourceId is ${size} bytes, over CloudFormation's limit of ${MAX_PHYSICAL_ID_BYTES}`;
  return undefined;
}

/**
 * Understands what a user function returned: `undefined` (success, defaults), our form
 * `{ physicalResourceId?, data?, noEcho?, reason? }`, the protocol form
 * `{ Status, Reason, PhysicalResourceId, Data, NoEcho }`, or {@link inProgress}. Anything else is
 * `invalid` with a reason naming what is wrong — unknown keys included, so a typo such as
 * `PhysicalResourceID` fails loudly rather than replacing the resource.
 */
export function understandResult(value: unknown): Outcome {
  if (value === undefined || value === null) return { kind: 'success' };
  if (isInProgress(value)) {
    if (value.physicalResourceId !== undefined) {
      const problem = physicalIdProblem(value.physicalResourceId);
      if (problem) return { kind: 'invalid', reason: `inProgress(): ${problem}` };
    }
    return { kind: 'in-progress', state: value.state, physicalResourceId: value.physicalResourceId };
  }
  if (!isPlainObject(value)) {
    return { kind: 'invalid', reason: `returned ${describe(value)}; expected undefined or an object such as { physicalResourceId, data }` };
  }
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  const protocol = keys.some((key) => (PASCAL as readonly string[]).includes(key));
  const allowed: readonly string[] = protocol ? PASCAL : CAMEL;
  const unknown = keys.filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return {
      kind: 'invalid',
      reason: `returned unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`,
    };
  }
  const id = protocol ? value['PhysicalResourceId'] : value['physicalResourceId'];
  const data = protocol ? value['Data'] : value['data'];
  const noEcho = protocol ? value['NoEcho'] : value['noEcho'];
  const reason = protocol ? value['Reason'] : value['reason'];
  if (id !== undefined) {
    const problem = physicalIdProblem(id);
    if (problem) return { kind: 'invalid', reason: `returned an invalid ${problem}` };
  }
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    return { kind: 'invalid', reason: `returned data that is ${describe(data)}; expected an object of attribute names to values` };
  }
  if (noEcho !== undefined && typeof noEcho !== 'boolean') {
    return { kind: 'invalid', reason: `returned noEcho that is ${describe(noEcho)}; expected a boolean` };
  }
  if (reason !== undefined && typeof reason !== 'string') {
    return { kind: 'invalid', reason: `returned reason that is ${describe(reason)}; expected a string` };
  }
  const fields = {
    ...(id !== undefined && { physicalResourceId: id as string }),
    ...(data !== undefined && { data: data as Record<string, unknown> }),
    ...(noEcho !== undefined && { noEcho: noEcho as boolean }),
  };
  const status = protocol ? value['Status'] : 'SUCCESS';
  if (status === 'FAILED' || status === 'FAILURE') {
    return { kind: 'failed', reason: (reason as string | undefined) ?? '', ...fields };
  }
  if (status !== 'SUCCESS' && status !== undefined) {
    return { kind: 'invalid', reason: `returned Status ${JSON.stringify(status)}; expected "SUCCESS" or "FAILED"` };
  }
  return { kind: 'success', ...fields, ...(reason !== undefined && { reason: reason as string }) };
}
