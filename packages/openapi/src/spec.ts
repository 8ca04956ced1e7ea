import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** Where a parameter is read from. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** A JSON schema, as it appears in the document. */
export type Schema = Record<string, unknown>;

/** One parameter of an operation, with refs resolved and Swagger 2.0 fields turned into a schema. */
export interface ParameterSpec {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: Schema;
  /** `false` for `style: form, explode: false` arrays (`?ids=1,2,3`). */
  explode: boolean;
}

/** The request body an operation accepts, by media type. */
export interface RequestBodySpec {
  required: boolean;
  content: Record<string, { schema?: Schema }>;
}

/** One routable operation of the document. */
export interface OperationSpec {
  operationId: string;
  method: string;
  /** The path template with the base path of a Swagger 2.0 document prepended. */
  path: string;
  parameters: ParameterSpec[];
  requestBody: RequestBodySpec | undefined;
  /** Response schemas by status code (or `default`) and media type. */
  responses: Record<string, Record<string, Schema | undefined>>;
}

/** The parts of the document the router and validators need. */
export interface LoadedSpec {
  /** The whole document, for resolving schema `$ref`s. */
  document: Record<string, unknown>;
  operations: OperationSpec[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Thrown when the document cannot be read or is not a usable OpenAPI 3.x / Swagger 2.0 document. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

/** Reads a document from a YAML or JSON file path, or takes an object as it is. */
export function readSpec(spec: string | object): Record<string, unknown> {
  if (typeof spec === 'string') {
    let text: string;
    try {
      text = readFileSync(spec, 'utf8');
    } catch (error) {
      throw new SpecError(`@fleece/openapi: cannot read the spec file ${spec}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return parseYaml(text) as Record<string, unknown>;
    } catch (error) {
      throw new SpecError(`@fleece/openapi: ${spec} is not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (spec === null || typeof spec !== 'object') throw new TypeError('@fleece/openapi: spec must be a file path or an OpenAPI document object');
  return spec as Record<string, unknown>;
}

/** Lists the operations of an OpenAPI 3.x or Swagger 2.0 document. */
export function loadSpec(spec: string | object): LoadedSpec {
  const document = readSpec(spec);
  const swagger2 = typeof document.swagger === 'string' && document.swagger.startsWith('2.');
  if (!swagger2 && !(typeof document.openapi === 'string' && document.openapi.startsWith('3.'))) {
    throw new SpecError('@fleece/openapi: the document is neither OpenAPI 3.x (`openapi: 3.x`) nor Swagger 2.0 (`swagger: "2.0"`)');
  }
  const basePath = swagger2 && typeof document.basePath === 'string' ? document.basePath.replace(/\/$/, '') : '';
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown>>;
  const operations: OperationSpec[] = [];
  for (const [template, rawItem] of Object.entries(paths)) {
    const item = resolve(document, rawItem) as Record<string, unknown>;
    const shared = (item.parameters ?? []) as unknown[];
    for (const method of METHODS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${template}`;
      if (typeof operation.operationId !== 'string' || !operation.operationId) {
        throw new SpecError(`@fleece/openapi: ${where} has no operationId; every operation needs one to be routed to a handler`);
      }
      const parameters = mergeParameters(document, shared, (operation.parameters ?? []) as unknown[], swagger2);
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: basePath + template,
        parameters: parameters.filter((p) => ['path', 'query', 'header', 'cookie'].includes(p.rawIn)).map(({ rawIn: _, ...p }) => p),
        requestBody: swagger2 ? swagger2Body(document, parameters, operation) : openapi3Body(document, operation.requestBody),
        responses: responses(document, operation.responses, swagger2, operation),
      });
    }
  }
  return { document, operations };
}

/** Follows a local `$ref` (`#/components/...`), repeatedly; anything else is returned as it is. */
export function resolve(document: Record<string, unknown>, value: unknown, seen = new Set<string>()): unknown {
  if (!value || typeof value !== 'object' || typeof (value as { $ref?: unknown }).$ref !== 'string') return value;
  const ref = (value as { $ref: string }).$ref;
  if (!ref.startsWith('#/')) throw new SpecError(`@fleece/openapi: only local $refs are supported, got ${ref}`);
  if (seen.has(ref)) throw new SpecError(`@fleece/openapi: $ref cycle at ${ref}`);
  seen.add(ref);
  let target: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' ? (target as Record<string, unknown>)[key] : undefined;
  }
  if (target === undefined) throw new SpecError(`@fleece/openapi: $ref ${ref} points nowhere`);
  return resolve(document, target, seen);
}

/** A parameter as merged, before Swagger 2.0's `body` and `formData` ones are set apart. */
type RawParameter = ParameterSpec & { rawIn: string };

function mergeParameters(document: Record<string, unknown>, shared: unknown[], own: unknown[], swagger2: boolean): RawParameter[] {
  const byKey = new Map<string, RawParameter>();
  for (const entry of [...shared, ...own]) {
    const raw = resolve(document, entry) as Record<string, unknown>;
    const location = String(raw.in);
    const name = String(raw.name);
    const schema = (swagger2 ? swagger2Schema(raw) : (raw.schema as Schema | undefined)) ?? {};
    byKey.set(`${location}:${location === 'header' ? name.toLowerCase() : name}`, {
      name,
      in: location as ParameterLocation,
      required: raw.required === true || location === 'path',
      schema,
      explode: swagger2 ? raw.collectionFormat === 'multi' : raw.explode !== false,
      rawIn: location,
    });
  }
  return [...byKey.values()];
}

/** Swagger 2.0 puts the schema keywords on the parameter itself. */
function swagger2Schema(raw: Record<string, unknown>): Schema | undefined {
  if (raw.in === 'body') return raw.schema as Schema | undefined;
  const keywords = ['type', 'format', 'items', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'default'];
  return Object.fromEntries(keywords.filter((k) => k in raw).map((k) => [k, raw[k]]));
}

function swagger2Body(document: Record<string, unknown>, parameters: RawParameter[], operation: Record<string, unknown>): RequestBodySpec | undefined {
  const body = parameters.find((p) => p.rawIn === 'body');
  if (!body) return undefined;
  const consumes = (operation.consumes ?? document.consumes ?? ['application/json']) as string[];
  return { required: body.required, content: Object.fromEntries(consumes.map((type) => [type, { schema: body.schema }])) };
}

function openapi3Body(document: Record<string, unknown>, rawBody: unknown): RequestBodySpec | undefined {
  if (!rawBody) return undefined;
  const body = resolve(document, rawBody) as { required?: boolean; content?: Record<string, { schema?: Schema }> };
  return { required: body.required === true, content: body.content ?? {} };
}

function responses(document: Record<string, unknown>, raw: unknown, swagger2: boolean, operation: Record<string, unknown>): OperationSpec['responses'] {
  const result: OperationSpec['responses'] = {};
  for (const [status, entry] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const response = resolve(document, entry) as Record<string, unknown>;
    if (swagger2) {
      const produces = (operation.produces ?? document.produces ?? ['application/json']) as string[];
      result[status] = Object.fromEntries(produces.map((type) => [type, response.schema as Schema | undefined]));
    } else {
      const content = (response.content ?? {}) as Record<string, { schema?: Schema }>;
      result[status] = Object.fromEntries(Object.entries(content).map(([type, media]) => [type, media.schema]));
    }
  }
  return result;
}
