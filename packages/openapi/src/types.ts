import type { Context } from 'aws-lambda';
import type { CorsOptions } from './cors.js';
import type { Logger } from './logger.js';
import type { ApiEvent } from './request.js';
import type { LambdaHttpResult } from './response.js';
import type { Credential } from './security.js';
import type { ValidatedRequest } from './validation.js';

export type { Logger };

/** What a handler receives: validated, coerced parameters and body, plus the raw event. */
export interface ApiRequest<
  Params extends Partial<Record<keyof Omit<ValidatedRequest, 'body'>, Record<string, unknown>>> = ValidatedRequest,
  Body = unknown,
> {
  operationId: string;
  method: string;
  path: string;
  params: {
    path: Params['path'] & Record<string, unknown>;
    query: Params['query'] & Record<string, unknown>;
    header: Params['header'] & Record<string, unknown>;
    cookie: Params['cookie'] & Record<string, unknown>;
  };
  body: Body;
  /** Every request header, lower-cased, every value (a map without a prototype). */
  headers: Record<string, string[]>;
  event: ApiEvent;
  /** What the `authorize` hook returned, when the operation has security requirements. */
  auth?: unknown;
}

/** A function that answers one operation. Return a value (sent as JSON), an ApiResponse, or throw HttpError. */
export type OperationHandler = (request: ApiRequest<any, any>, context: Context) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the `authorize` hook is given: the credentials the request carries for the operation's security. */
export interface AuthorizeRequest {
  operationId: string;
  /** One per scheme of the alternative the request meets, with the scopes the operation asks for. */
  credentials: Credential[];
  headers: Record<string, string[]>;
  event: ApiEvent;
}

/**
 * Decides whether a request with credentials may proceed: return `false` for a 403, throw
 * `HttpError` for any other answer, or return anything else (handed to the handler as `auth`).
 */
export type AuthorizeHook = (request: AuthorizeRequest, context: Context) => unknown;

/** Options of `openapi()`. */
export interface OpenApiOptions {
  /** A function per `operationId` of the document; every operation needs one. */
  handlers: Record<string, OperationHandler>;
  /** Where unexpected errors and unknown formats go, with the request ids. Default `console`. */
  logger?: Logger;
  /** Cross-origin settings; off by default. */
  cors?: boolean | CorsOptions;
  /** Check JSON responses against the documented schemas (a mismatch becomes a 500). Default false. */
  validateResponses?: boolean;
  /**
   * The path prefix(es) requests carry before the document's paths. Default: the document's
   * (Swagger 2.0 `basePath`, the path of each OpenAPI 3 `servers[].url`); `''` for none.
   */
  basePath?: string | string[];
  /** `'lazy'` (default) compiles an operation's schemas on its first request; `'eager'` at construction. */
  compile?: 'lazy' | 'eager';
  /** Called with the credentials of operations that declare `security`, before validation and the handler. */
  authorize?: AuthorizeHook;
}

/** A Lambda handler for API Gateway REST (v1), HTTP API (v2) and Function URL events. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<LambdaHttpResult>;

/** Validates the options other than `handlers` (checked against the document apart). */
export function checkOptions(options: OpenApiOptions): void {
  const basePaths = options.basePath === undefined ? [] : [options.basePath].flat();
  for (const base of basePaths) {
    if (typeof base !== 'string' || (base !== '' && !base.startsWith('/'))) {
      throw new TypeError(`@fleece/openapi: option "basePath" must be '' or a path starting with /, got ${JSON.stringify(base)}`);
    }
  }
  if (options.compile !== undefined && options.compile !== 'lazy' && options.compile !== 'eager') {
    throw new TypeError(`@fleece/openapi: option "compile" must be 'lazy' or 'eager', got ${JSON.stringify(options.compile)}`);
  }
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new TypeError(`@fleece/openapi: option "authorize" must be a function, got ${typeof options.authorize}`);
  }
}
