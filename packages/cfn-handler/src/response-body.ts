/** CloudFormation's limit on a custom resource response body, in bytes. */
export const MAX_BODY_BYTES = 4096;

/** What a response tells CloudFormation. */
export type ResponseStatus = 'SUCCESS' | 'FAILED';

/** The body of the PUT to the ResponseURL, as CloudFormation reads it. */
export interface CustomResourceResponse {
  Status: ResponseStatus;
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

/** What the handler decided to answer, before the body rules are applied. */
export interface ResponseDraft {
  status: ResponseStatus;
  reason?: string;
  physicalResourceId: string;
  stackId: string;
  requestId: string;
  logicalResourceId: string;
  noEcho?: boolean;
  data?: unknown;
}

const ELLIPSIS = '…';
const FALLBACK_REASON = 'the custom resource failed without giving a reason';

/**
 * Reason text as CloudFormation shows it in one line of the console: line breaks and tabs become a
 * space, other control characters (C0, DEL, C1) are removed.
 */
export function sanitizeReason(reason: string): string {
  return (
    reason
      .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
      .trim()
  );
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Bytes `text` takes inside a JSON string literal, quotes excluded. */
function escapedBytes(text: string): number {
  return bytes(JSON.stringify(text)) - 2;
}

/** The longest head of `reason` that, with an ellipsis, takes at most `budget` escaped bytes. */
function truncateHead(reason: string, budget: number): string {
  if (escapedBytes(reason) <= budget) return reason;
  // Every code point takes at least one byte, so nothing past `budget` code points can fit.
  const points = Array.from(reason.slice(0, 2 * Math.max(budget, 0))).slice(0, Math.max(budget, 0));
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (escapedBytes(points.slice(0, mid).join('') + ELLIPSIS) <= budget) low = mid;
    else high = mid - 1;
  }
  const head = points.slice(0, low).join('').trimEnd();
  return escapedBytes(head + ELLIPSIS) <= budget ? head + ELLIPSIS : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function assemble(
  draft: ResponseDraft,
  status: ResponseStatus,
  reason: string,
  data: Record<string, unknown> | undefined,
): CustomResourceResponse {
  const response: CustomResourceResponse = {
    Status: status,
    PhysicalResourceId: draft.physicalResourceId,
    StackId: draft.stackId,
    RequestId: draft.requestId,
    LogicalResourceId: draft.logicalResourceId,
  };
  if (reason !== '' || status === 'FAILED') response.Reason = reason;
  if (draft.noEcho !== undefined) response.NoEcho = draft.noEcho;
  if (data !== undefined) response.Data = data;
  // Reason second, so the order reads as CloudFormation's documentation lists the fields.
  const { Status, Reason, ...rest } = response;
  return Reason === undefined ? { Status, ...rest } : { Status, Reason, ...rest };
}

/**
 * Applies CloudFormation's body rules to a draft and serialises it:
 * - Reason is stripped of control characters, and truncated keeping its head when the body would
 *   exceed {@link MAX_BODY_BYTES};
 * - data that cannot be serialised, that is not a JSON object, or that alone makes the body too
 *   long turns the response into FAILED with a reason saying so (never a silently cut body);
 * - a FAILED response always carries a non-empty Reason.
 *
 * @returns the response and its exact body; `Buffer.byteLength(body)` is what goes in Content-Length.
 */
export function buildResponse(draft: ResponseDraft): { response: CustomResourceResponse; body: string } {
  let status = draft.status;
  let reason = sanitizeReason(draft.reason ?? '');
  let data: Record<string, unknown> | undefined;

  if (draft.data !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(draft.data);
    } catch (error) {
      status = 'FAILED';
      reason = sanitizeReason(`the response data cannot be serialized to JSON: ${errorMessage(error)}`);
    }
    if (json !== undefined) {
      if (!json.startsWith('{')) {
        status = 'FAILED';
        reason = 'the response data must be a JSON object of attribute names to values';
      } else {
        // A snapshot, so a toJSON or getter runs once and the body holds exactly what was measured.
        data = JSON.parse(json) as Record<string, unknown>;
        const withData = JSON.stringify(assemble(draft, status, '', data));
        if (bytes(withData) > MAX_BODY_BYTES) {
          status = 'FAILED';
          reason =
            `the response data is ${bytes(json)} bytes and makes the response body ${bytes(withData)} bytes, ` +
            `over CloudFormation's limit of ${MAX_BODY_BYTES} bytes`;
          data = undefined;
        }
      }
    }
  }
  if (status === 'FAILED' && reason === '') reason = FALLBACK_REASON;

  const overhead = bytes(JSON.stringify(assemble(draft, status, '', data))) + (status === 'FAILED' ? 0 : bytes(',"Reason":""'));
  reason = truncateHead(reason, MAX_BODY_BYTES - overhead);
  if (status === 'FAILED' && reason === '') reason = ELLIPSIS;
  const response = assemble(draft, status, reason, data);
  return { response, body: JSON.stringify(response) };
}
