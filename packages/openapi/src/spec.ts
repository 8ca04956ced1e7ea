import { readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import { escapePointer, type Dialect, type Schema } from './schema.js';
import { formDataBody, mergeParameters, type ParameterLocation, type ParameterSpec } from './spec-parameters.js';
import { SpecError } from './spec-error.js';
import { securityOf, type SecurityRequirement, type SecurityScheme } from './security.js';

export { SpecError };
export type { ParameterLocation, ParameterSpec };

/** One media type of a request body: its schema and, for forms, how each property is serialised. */
export interface MediaSpec {
  schema?: Schema;
  /** The JSON pointer of the schema in the document. */
  pointer: string;
  /** OpenAPI 3 `encoding` of form bodies: a style and explode per property. */
  encoding?: Record<string, { style?: string; explode?: boolean; contentType?: string; delimiter?: string }>;
}

/** The request body an operation accepts, by media type. */
export interface RequestBodySpec {
  required: boolean;
  content: Record<string, MediaSpec>;
}

/** One routable operation of the document. */
export interface OperationSpec {
  operationId: string;
  method: string;
  /** The path template as the document writes it (without a base path). */
  path: string;
  /** The JSON pointer of the operation, for errors. */
  pointer: string;
  parameters: ParameterSpec[];
  requestBody: RequestBodySpec | undefined;
  /** Response schemas (with their pointers) by status code (or `default`) and media type. */
  responses: Record<string, Record<string, MediaSpec>>;
  /** Alternatives, any one of which must be met (OpenAPI 3.0.3 §4.7.30); empty when open. */
  security: SecurityRequirement[];
}

/** The parts of the document the router and validators need. */
export interface LoadedSpec {
  /** The whole document, for resolving schema `$ref`s. */
  document: Record<string, unknown>;
  dialect: Dialect;
  operations: OperationSpec[];
  /** The base paths the document declares (Swagger 2.0 `basePath`, the paths of OpenAPI 3 `servers`). */
  basePaths: string[];
  securitySchemes: Record<string, SecurityScheme>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Reads a document from a YAML or JSON file path, or takes an object as it is. A `.json` file (or
 * text that starts with `{`) is parsed as JSON; only YAML text goes through the YAML parser.
 */
export function readSpec(spec: string | object): Record<string, unknown> {
  if (typeof spec === 'string') {
    let text: string;
    try {
      text = readFileSync(spec, 'utf8');
    } catch (error) {
      throw new SpecError(`@fleece/openapi: cannot read the spec file ${spec}: ${(error as Error).message}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = spec.endsWith('.json') || text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new SpecError(`@fleece/openapi: ${spec} is not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!parsed || typeof parsed !== 'object') throw new SpecError(`@fleece/openapi: ${spec} does not hold an OpenAPI document`);
    return parsed as Record<string, unknown>;
  }
  if (spec === null || typeof spec !== 'object') throw new TypeError('@fleece/openapi: spec must be a file path or an OpenAPI document object');
  return spec as Record<string, unknown>;
}

/** Lists the operations of an OpenAPI 3.x or Swagger 2.0 document. No schema is compiled here. */
export function loadSpec(spec: string | object): LoadedSpec {
  const document = readSpec(spec);
  const swagger2 = typeof document.swagger === 'string' && document.swagger.startsWith('2.');
  if (!swagger2 && !(typeof document.openapi === 'string' && document.openapi.startsWith('3.'))) {
    throw new SpecError('@fleece/openapi: the document is neither OpenAPI 3.x (`openapi: 3.x`) nor Swagger 2.0 (`swagger: "2.0"`)');
  }
  const dialect: Dialect = swagger2 ? '2.0' : (document.openapi as string).startsWith('3.0') ? '3.0' : '3.1';
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  const operations: OperationSpec[] = [];
  const { schemes, global } = securityOf(document, swagger2);
  for (const [template, rawItem] of Object.entries(paths)) {
    const itemPointer = `#/paths/${escapePointer(template)}`;
    const item = resolve(document, rawItem, itemPointer) as Record<string, unknown>;
    const shared = (item.parameters ?? []) as unknown[];
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${template}`;
      const pointer = `${itemPointer}/${method}`;
      if (typeof operation.operationId !== 'string' || !operation.operationId) {
        throw new SpecError(`@fleece/openapi: ${where} has no operationId; every operation needs one to be routed to a handler (${pointer})`);
      }
      const parameters = mergeParameters(document, dialect, shared, (operation.parameters ?? []) as unknown[], `${itemPointer}/parameters`, `${pointer}/parameters`);
      const consumes = (operation.consumes ?? document.consumes ?? ['application/json']) as string[];
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: template,
        pointer,
        parameters: parameters.filter((p) => p.in !== 'body' && p.in !== 'formData'),
        requestBody: swagger2 ? (swagger2Body(parameters, consumes) ?? formDataBody(parameters, consumes)) : openapi3Body(document, operation.requestBody, `${pointer}/requestBody`),
        responses: responses(document, operation.responses, swagger2, operation, `${pointer}/responses`),
        security: (operation.security as SecurityRequirement[] | undefined) ?? global,
      });
    }
  }
  return { document, dialect, operations, basePaths: basePaths(document, swagger2), securitySchemes: schemes };
}

/** Swagger 2.0's `basePath`, or the path part of each OpenAPI 3 server URL (variables at their defaults). */
function basePaths(document: Record<string, unknown>, swagger2: boolean): string[] {
  if (swagger2) return typeof document.basePath === 'string' ? [document.basePath.replace(/\/+$/, '')] : [''];
  const servers = Array.isArray(document.servers) ? (document.servers as Array<{ url?: unknown; variables?: Record<string, { default?: unknown }> }>) : [];
  const found = servers.map((server) => {
    let url = typeof server.url === 'string' ? server.url : '/';
    url = url.replace(/\{([^}]+)\}/g, (_, name: string) => String(server.variables?.[name]?.default ?? ''));
    const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(url)?.[1] ?? (url.startsWith('/') ? url : '/');
    return path.replace(/\/+$/, '');
  });
  return found.length ? [...new Set(found)] : [''];
}

/** Follows a local `$ref` (`#/components/...`), repeatedly; anything else is returned as it is. */
export function resolve(document: Record<string, unknown>, value: unknown, pointer = '#', seen = new Set<string>()): unknown {
  if (!value || typeof value !== 'object' || typeof (value as { $ref?: unknown }).$ref !== 'string') return value;
  const ref = (value as { $ref: string }).$ref;
  if (!ref.startsWith('#/')) throw new SpecError(`@fleece/openapi: ${pointer}: only local $refs are supported, got ${ref}`);
  if (seen.has(ref)) throw new SpecError(`@fleece/openapi: ${pointer}: $ref cycle at ${ref}`);
  seen.add(ref);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' && Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
  }
  if (target === undefined) throw new SpecError(`@fleece/openapi: ${pointer}: $ref ${ref} points nowhere`);
  return resolve(document, target, ref, seen);
}

function swagger2Body(parameters: ParameterSpec[], consumes: string[]): RequestBodySpec | undefined {
  const body = parameters.find((p) => p.in === 'body');
  if (!body) return undefined;
  return { required: body.required, content: Object.fromEntries(consumes.map((type) => [type, { schema: body.schema, pointer: `${body.pointer}/schema` }])) };
}

function openapi3Body(document: Record<string, unknown>, rawBody: unknown, pointer: string): RequestBodySpec | undefined {
  if (!rawBody) return undefined;
  const body = resolve(document, rawBody, pointer) as { required?: boolean; content?: Record<string, { schema?: Schema; encoding?: MediaSpec['encoding'] }> };
  const content: Record<string, MediaSpec> = {};
  for (const [type, media] of Object.entries(body.content ?? {})) {
    content[type] = { schema: media?.schema, pointer: `${pointer}/content/${escapePointer(type)}/schema`, encoding: media?.encoding };
  }
  return { required: body.required === true, content };
}

function responses(document: Record<string, unknown>, raw: unknown, swagger2: boolean, operation: Record<string, unknown>, pointer: string): OperationSpec['responses'] {
  const result: OperationSpec['responses'] = {};
  for (const [status, entry] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const at = `${pointer}/${escapePointer(status)}`;
    const response = resolve(document, entry, at) as Record<string, unknown>;
    if (swagger2) {
      const produces = (operation.produces ?? document.produces ?? ['application/json']) as string[];
      result[status] = Object.fromEntries(produces.map((type) => [type, { schema: response.schema as Schema | undefined, pointer: `${at}/schema` }]));
    } else {
      const content = (response.content ?? {}) as Record<string, { schema?: Schema }>;
      result[status] = Object.fromEntries(Object.entries(content).map(([type, media]) => [type, { schema: media?.schema, pointer: `${at}/content/${escapePointer(type)}/schema` }]));
    }
  }
  return result;
}
