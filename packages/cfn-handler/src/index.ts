export type { CustomResourceClientConfig, CustomResourceClients, SendClient } from './clients.js';
export {
  CustomResource,
  type CustomResourceFunction,
  type CustomResourceReturn,
  type HandlerOutcome,
  type InvocationTools,
} from './custom-resource.js';
export { DeadlineExceededError } from './deadline-guard.js';
export type {
  CreateEvent,
  CustomResourceEvent,
  DeleteEvent,
  LambdaContext,
  RequestType,
  ResourceProperties,
  UpdateEvent,
} from './event.js';
export { CfnLambdaExecutionTimeout, inProgress, type InProgress, type InProgressOptions } from './in-progress.js';
export { lazyHandler, type ResourceLoader } from './lazy-handler.js';
export type { Logger } from './logger.js';
export { MAX_HOPS_LIMIT, type CustomResourceOptions } from './options.js';
export { defaultPhysicalId, failedCreateId, isFailedCreateId, MAX_PHYSICAL_ID_BYTES } from './physical-id.js';
export { buildResponse, MAX_BODY_BYTES, type CustomResourceResponse, type ResponseStatus } from './response-body.js';
export { ResponseError } from './response-put.js';
export type { CustomResourceResult, ProtocolResult } from './result.js';
export { parseSecretReference, SecretReferenceError, type SecretReference } from './secret-reference.js';
export { isRollingBack, UNKNOWN, type StackStatusInfo } from './stack-status.js';
