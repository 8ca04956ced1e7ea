export {
  IdempotencyAlreadyInProgressError,
  IdempotencyError,
  IdempotencyKeyMissingError,
  IdempotencyPersistenceError,
  IdempotencyResultTooLargeError,
  IdempotencyValidationError,
} from './errors.js';
export { idempotent, idempotentFunction, type AsyncHandler, type IdempotencyContext } from './idempotent.js';
export type { IdempotencyLogger, IdempotencyOptions } from './options.js';
export type { Selector } from './selector.js';
export type {
  ClaimOutcome,
  ClaimRequest,
  CompleteRequest,
  IdempotencyPersistence,
  IdempotencyRecord,
  IdempotencyStatus,
} from './persistence.js';
export {
  DEFAULT_ATTRIBUTE_NAMES,
  DynamoDBPersistence,
  type DynamoDBAttributeNames,
  type DynamoDBPersistenceOptions,
} from './dynamodb-persistence.js';
export type { DynamoDBClientOptions } from './dynamodb-client.js';
export {
  createIdempotencyTable,
  type CreateIdempotencyTableOptions,
  type CreateIdempotencyTableResult,
} from './dynamodb-table.js';
export { DYNAMODB_ITEM_LIMIT_BYTES } from './item-size.js';
export {
  idempotencyErrorResponse,
  type IdempotencyErrorResponseOptions,
  type IdempotencyHttpResponse,
} from './http-response.js';
