export { type CorsOptions } from './cors.js';
export { describeStatus, HttpError } from './http-error.js';
export { openapi, type ApiHandler, type ApiRequest, type Logger, type OpenApiOptions, type OperationHandler } from './openapi.js';
export { parseEvent, UnsupportedEventError, type ApiEvent, type EventFormat, type HttpRequest } from './request.js';
export { formatResponse, type ApiResponse, type LambdaHttpResult } from './response.js';
export { loadSpec, SpecError, type LoadedSpec, type OperationSpec, type ParameterSpec } from './spec.js';
export { type ValidationIssue } from './validation.js';
