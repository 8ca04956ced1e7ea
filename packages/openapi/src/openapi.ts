import type { Context } from 'aws-lambda';
import { corsHeaders, preflightHeaders, type CorsOptions } from './cors.js';
import { describeStatus, HttpError } from './http-error.js';
import { MalformedRequestError, parseEvent, UnsupportedEventError, type ApiEvent, type HttpRequest } from './request.js';
import { formatResponse, jsonResponse, toApiResponse, type ApiResponse } from './response.js';
import { Router } from './router.js';
import { findCredentials } from './security.js';
import { loadSpec, type OperationSpec } from './spec.js';
import { checkOptions, type ApiHandler, type ApiRequest, type OpenApiOptions } from './types.js';
import { Validator } from './validation.js';

/**
 * Routes API Gateway and Function URL events to handlers by an OpenAPI 3.x or Swagger 2.0 document,
 * validating and coercing parameters and bodies on the way in. The document is read and checked
 * here, at cold start; each operation's schemas are compiled on its first request (or here, with
 * `compile: 'eager'`).
 *
 * @param spec - a path to a YAML or JSON file, or the document itself.
 * @throws SpecError when the document is unusable; TypeError when an operation has no handler.
 */
export function openapi(spec: string | object, options: OpenApiOptions): ApiHandler {
  if (!options || typeof options.handlers !== 'object' || options.handlers === null) {
    throw new TypeError('@fleece/openapi: option "handlers" must map operationIds to functions');
  }
  const loaded = loadSpec(spec);
  const { operations } = loaded;
  checkOptions(options);
  for (const operation of operations) {
    if (typeof options.handlers[operation.operationId] !== 'function') {
      throw new TypeError(`@fleece/openapi: option "handlers" has no function for operationId "${operation.operationId}" (${operation.method} ${operation.path})`);
    }
  }
  const unknown = Object.keys(options.handlers).filter((id) => !operations.some((o) => o.operationId === id));
  if (unknown.length) throw new TypeError(`@fleece/openapi: option "handlers" names operationIds the document lacks: ${unknown.join(', ')}`);

  const logger = options.logger ?? console;
  const basePaths = options.basePath === undefined ? loaded.basePaths : [options.basePath].flat().map((b) => b.replace(/\/+$/, ''));
  const router = new Router(operations, basePaths);
  const validator = new Validator(loaded, logger);
  if (options.compile === 'eager') validator.compileAll();
  const cors: CorsOptions | undefined = options.cors === true ? {} : options.cors || undefined;

  return async (event, context) => {
    let request: HttpRequest;
    try {
      request = parseEvent(event);
    } catch (error) {
      const format = (event as { version?: unknown } | null)?.version === '2.0' ? 'v2' : 'v1';
      if (error instanceof MalformedRequestError) return formatResponse(errorResponse(400, error.message), format);
      if (!(error instanceof UnsupportedEventError)) throw error;
      logger.error(error.message, { lambdaRequestId: context?.awsRequestId });
      return formatResponse(errorResponse(400, 'unsupported event'), 'v1');
    }
    let response: ApiResponse;
    try {
      response = await answer(request, event, context);
    } catch (error) {
      // A broken path escape surfaces while routing; anything else here is our own bug, never the client's.
      response = error instanceof MalformedRequestError ? errorResponse(400, error.message) : internalError(error, request, context);
    }
    if (cors) response.headers = { ...corsHeaders(cors, request), ...response.headers };
    return formatResponse(response, request.format, request.method === 'HEAD');
  };

  async function answer(request: HttpRequest, event: ApiEvent, context: Context): Promise<ApiResponse> {
    if (cors && request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      const allow = router.methodsFor(request.path);
      if (allow) return { statusCode: 204, headers: preflightHeaders(cors, request, [...allow, 'OPTIONS']) };
    }
    const route = router.match(request.method, request.path);
    if (route.kind === 'not-found') return errorResponse(404, `no route for ${request.method} ${request.path}`);
    if (route.kind === 'method-not-allowed') {
      return errorResponse(405, `${request.method} is not allowed here`, { allow: route.allow.join(', ') });
    }
    const { operation } = route;
    const credentials = findCredentials(operation.security, loaded.securitySchemes, request);
    if (!credentials) return unauthorized(operation);
    let auth: unknown;
    if (options.authorize && operation.security.length > 0) {
      try {
        auth = await options.authorize({ operationId: operation.operationId, credentials, headers: request.headers, event }, context);
      } catch (error) {
        if (error instanceof HttpError) return errorResponse(error.status, error.message, error.headers);
        return internalError(error, request, context);
      }
      if (auth === false) return errorResponse(403, 'not allowed');
    }
    const validated = validator.validate(operation, request, route.pathParams);
    if (!validated.ok) {
      const detail = validated.status === 415 ? validated.issues[0]!.message : 'request validation failed';
      return jsonResponse(validated.status, { message: describeStatus(validated.status, detail), errors: validated.issues });
    }
    try {
      const { body, ...params } = validated.value;
      const result = await options.handlers[operation.operationId]!(
        { operationId: operation.operationId, method: request.method, path: request.path, params, body, headers: request.headers, event, auth } as ApiRequest,
        context,
      );
      const response = toApiResponse(result);
      return options.validateResponses ? checkResponse(operation, response, request, context) : response;
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error.status, error.message, error.headers);
      return internalError(error, request, context);
    }
  }

  function checkResponse(operation: OperationSpec, response: ApiResponse, request: HttpRequest, context: Context): ApiResponse {
    const body = response.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) return response;
    const contentType = String(Object.entries(response.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'application/json');
    const issues = validator.validateResponse(operation, response.statusCode, contentType, body);
    if (issues.length === 0) return response;
    return internalError(new Error(`response of ${operation.operationId} does not match the document: ${JSON.stringify(issues)}`), request, context);
  }

  function unauthorized(operation: OperationSpec): ApiResponse {
    // Tell an HTTP client which scheme to use, as RFC 9110 §11.6.1 asks of a 401.
    const schemes = operation.security.flatMap((alternative) => Object.keys(alternative)).map((name) => loaded.securitySchemes[name]);
    const http = schemes.find((s) => s?.type === 'http' && s.scheme);
    const challenge = http ? http.scheme![0]!.toUpperCase() + http.scheme!.slice(1).toLowerCase() : schemes.some((s) => s?.type === 'oauth2' || s?.type === 'openIdConnect') ? 'Bearer' : undefined;
    return errorResponse(401, 'credentials are missing', challenge ? { 'www-authenticate': challenge } : {});
  }

  function internalError(error: unknown, request: HttpRequest, context: Context): ApiResponse {
    // The client learns nothing of the error; the log has everything, keyed by the request ids.
    logger.error('unhandled error in API handler', { error, lambdaRequestId: context?.awsRequestId, apiRequestId: request.requestId });
    return errorResponse(500, '', request.requestId ? { 'x-request-id': request.requestId } : {});
  }
}

function errorResponse(status: number, detail: string, headers: Record<string, string> = {}): ApiResponse {
  return jsonResponse(status, { message: describeStatus(status, detail) }, headers);
}
