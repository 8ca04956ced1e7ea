import {
  IdempotencyAlreadyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyValidationError,
} from './errors.js';

/** An API Gateway (REST or HTTP API) or ALB proxy result. */
export interface IdempotencyHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Options of {@link idempotencyErrorResponse}. */
export interface IdempotencyErrorResponseOptions {
  /** Headers added to every answer (CORS, for one: a response built outside your router needs its own). */
  headers?: Record<string, string>;
  /** The header name the key comes in, for the 400 message. Default `'Idempotency-Key'`. */
  keyHeader?: string;
}

/**
 * The HTTP answer to an idempotency error, for API handlers:
 * - {@link IdempotencyAlreadyInProgressError} → 409 with `Retry-After` (seconds, as HTTP has it;
 *   the time until the first call's claim lapses, at least 1);
 * - {@link IdempotencyKeyMissingError} → 400;
 * - {@link IdempotencyValidationError} → 422.
 *
 * Anything else gives `undefined`: rethrow it. Bodies are JSON `{ "message": … }` and name no key
 * or payload data.
 *
 * @example
 * try {
 *   return await idempotentHandler(event, context);
 * } catch (error) {
 *   const answer = idempotencyErrorResponse(error);
 *   if (answer) return answer;
 *   throw error;
 * }
 */
export function idempotencyErrorResponse(
  error: unknown,
  options: IdempotencyErrorResponseOptions = {},
): IdempotencyHttpResponse | undefined {
  const keyHeader = options.keyHeader ?? 'Idempotency-Key';
  if (error instanceof IdempotencyAlreadyInProgressError) {
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
    return answer(409, 'a request with this idempotency key is in progress; retry later', options, {
      'Retry-After': String(seconds),
    });
  }
  if (error instanceof IdempotencyKeyMissingError) {
    return answer(400, `the ${keyHeader} header is required`, options);
  }
  if (error instanceof IdempotencyValidationError) {
    return answer(422, `the ${keyHeader} was already used with a different request`, options);
  }
  return undefined;
}

function answer(
  statusCode: number,
  message: string,
  options: IdempotencyErrorResponseOptions,
  extra: Record<string, string> = {},
): IdempotencyHttpResponse {
  return {
    statusCode,
    headers: { ...options.headers, 'Content-Type': 'application/json', ...extra },
    body: JSON.stringify({ message }),
    isBase64Encoded: false,
  };
}
