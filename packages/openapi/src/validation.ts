import { bag } from './bag.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { formObject, parseMultipart, parseUrlEncoded } from './form.js';
import type { Logger } from './logger.js';
import { readParameter, StyleError } from './parameters.js';
import type { HttpRequest } from './request.js';
import { SchemaCompiler } from './schema-compiler.js';
import { resolve, type LoadedSpec, type MediaSpec, type OperationSpec } from './spec.js';
import { shapeOf, type ParameterLocation, type ParameterSpec, type ValueShape } from './spec-parameters.js';

/** One problem with a request, in the stable shape of a 400 answer. */
export interface ValidationIssue {
  /** Where: `path`, `query`, `header`, `cookie` or `body`. */
  in: ParameterLocation | 'body';
  /** The parameter name, or the JSON pointer into the body (`''` for the body itself). */
  name: string;
  message: string;
}

/** The validated, coerced parts of a request. */
export interface ValidatedRequest {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  cookie: Record<string, unknown>;
  body: unknown;
}

/** What validating a request gives: the coerced values, or every issue found. */
export type ValidationResult = { ok: true; value: ValidatedRequest } | { ok: false; status: 400 | 415; issues: ValidationIssue[] };

const LOCATIONS: ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

/**
 * Validates requests (and, when asked, responses) against an operation's schemas. Each operation
 * is compiled on its first request, not at cold start, so a Lambda pays only for what it serves.
 */
export class Validator {
  readonly #spec: LoadedSpec;
  readonly #schemas: SchemaCompiler;
  readonly #compiled = new Map<OperationSpec, CompiledOperation>();

  constructor(spec: LoadedSpec, logger: Logger) {
    this.#spec = spec;
    this.#schemas = new SchemaCompiler(spec, logger);
  }

  /** Validates and coerces a routed request. */
  validate(operation: OperationSpec, request: HttpRequest, pathParams: Record<string, string>): ValidationResult {
    const compiled = this.#operation(operation);
    const issues: ValidationIssue[] = [];
    const value: ValidatedRequest = { path: Object.assign(bag(), pathParams), query: bag(), header: bag(), cookie: bag(), body: undefined };
    for (const location of compiled.used) {
      const list = compiled.parameters[location];
      // ajv skips a property named `__proto__`, so parameters are validated under neutral keys (p0, p1, …).
      const data: Record<string, unknown> = bag<unknown>();
      list.forEach((parameter, i) => {
        try {
          const raw = readParameter(parameter, request, pathParams, compiled.queryNames);
          if (raw !== undefined) data[`p${i}`] = raw;
        } catch (error) {
          if (!(error instanceof StyleError)) throw error;
          issues.push({ in: location, name: parameter.name, message: error.message });
        }
      });
      const validate = compiled.locations[location]!();
      if (!validate(data)) issues.push(...toIssues(location, validate.errors, list));
      list.forEach((parameter, i) => {
        // A plain assignment is safe: a bag has no `__proto__` setter in its prototype chain.
        if (`p${i}` in data) value[location][parameter.name] = data[`p${i}`];
      });
    }
    const body = this.#body(operation, request, issues);
    if (body.unsupported) return { ok: false, status: 415, issues: [{ in: 'body', name: '', message: body.unsupported }] };
    if (issues.length > 0) return { ok: false, status: 400, issues };
    value.body = body.value;
    return { ok: true, value };
  }

  /** Checks a JSON response body against the schema documented for its status, if any; never changes it. */
  validateResponse(operation: OperationSpec, status: number, contentType: string, body: unknown): ValidationIssue[] {
    const byType = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses[`${String(status)[0]}xx`] ?? operation.responses.default;
    if (!byType) return [];
    const type = matchMedia(Object.keys(byType), contentType.split(';')[0]!.trim().toLowerCase());
    const media = type === undefined ? undefined : byType[type];
    if (!media?.schema || !isJson(type!)) return [];
    const validate = this.#schemas.compile(media.schema, 'response', media.pointer);
    return validate(body) ? [] : toIssues('body', validate.errors);
  }

  /** Compiles every operation now (the `compile: 'eager'` option): a bad schema fails at construction. */
  compileAll(): void {
    for (const operation of this.#spec.operations) {
      const compiled = this.#operation(operation);
      for (const location of LOCATIONS) compiled.locations[location]();
      for (const media of Object.values(operation.requestBody?.content ?? {})) if (media.schema) this.#schemas.compile(media.schema, 'body', media.pointer);
    }
  }

  #operation(operation: OperationSpec): CompiledOperation {
    let compiled = this.#compiled.get(operation);
    if (compiled) return compiled;
    const parameters = { path: [], query: [], header: [], cookie: [] } as Record<ParameterLocation, ParameterSpec[]>;
    for (const parameter of operation.parameters) parameters[parameter.in as ParameterLocation].push(parameter);
    const locations = {} as Record<ParameterLocation, () => ValidateFunction>;
    for (const location of LOCATIONS) {
      const list = parameters[location];
      const schema = { type: 'object', properties: Object.fromEntries(list.map((p, i) => [`p${i}`, p.schema])), required: list.flatMap((p, i) => (p.required ? [`p${i}`] : [])) };
      let validate: ValidateFunction | undefined;
      locations[location] = () => (validate ??= this.#schemas.compile(schema, 'parameter', `${operation.pointer}/parameters`));
    }
    compiled = { parameters, used: LOCATIONS.filter((l) => parameters[l].length > 0), locations, queryNames: new Set(parameters.query.map((p) => p.name)), forms: new Map() };
    this.#compiled.set(operation, compiled);
    return compiled;
  }

  #body(operation: OperationSpec, request: HttpRequest, issues: ValidationIssue[]): { value?: unknown; unsupported?: string } {
    const spec = operation.requestBody;
    const empty = !request.body || request.body.length === 0;
    if (!spec) return { value: empty ? undefined : request.body };
    if (empty) {
      if (spec.required) issues.push({ in: 'body', name: '', message: 'is required' });
      return {};
    }
    const header = request.headers['content-type']?.[0] ?? 'application/json';
    const contentType = header.split(';')[0]!.trim().toLowerCase();
    const documented = Object.keys(spec.content);
    const type = matchMedia(documented, contentType);
    if (type === undefined) return { unsupported: `content type ${contentType} is not one of ${documented.join(', ')}` };
    const media = spec.content[type]!;
    const bytes = request.body!;
    let value: unknown;
    let mode: 'body' | 'parameter' = 'parameter';
    if (isJson(contentType)) {
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch {
        issues.push({ in: 'body', name: '', message: 'is not valid JSON' });
        return {};
      }
      mode = 'body';
    } else if (contentType === 'application/x-www-form-urlencoded' || contentType === 'multipart/form-data') {
      const fields = contentType === 'multipart/form-data' ? parseMultipart(bytes, header) : parseUrlEncoded(bytes.toString('utf8'));
      if (!fields) {
        issues.push({ in: 'body', name: '', message: 'is not a well-formed multipart/form-data body' });
        return {};
      }
      value = formObject(fields, this.#formShapes(operation, type, media), media.encoding);
    } else if (contentType.startsWith('text/')) {
      value = bytes.toString('utf8');
    } else {
      // Bytes (octet-stream, images, …) are passed through as a Buffer, never validated as an object.
      return { value: bytes };
    }
    if (media.schema) {
      const validate = this.#schemas.compile(media.schema, mode, media.pointer);
      if (!validate(value)) issues.push(...toIssues('body', validate.errors));
    }
    return { value };
  }

  /** The shape of each property of a form body's schema (through `$ref` and `allOf`). */
  #formShapes(operation: OperationSpec, type: string, media: MediaSpec): Map<string, ValueShape> {
    const compiled = this.#operation(operation);
    let shapes = compiled.forms.get(type);
    if (shapes) return shapes;
    shapes = new Map();
    const document = this.#spec.document;
    const visit = (schema: unknown, depth: number): void => {
      const resolved = resolve(document, schema, media.pointer) as Record<string, unknown> | undefined;
      if (!resolved || typeof resolved !== 'object' || depth > 8) return;
      for (const [name, property] of Object.entries((resolved.properties ?? {}) as Record<string, unknown>)) shapes!.set(name, shapeOf(document, property, media.pointer));
      for (const member of (resolved.allOf as unknown[] | undefined) ?? []) visit(member, depth + 1);
    };
    visit(media.schema, 0);
    compiled.forms.set(type, shapes);
    return shapes;
  }
}

interface CompiledOperation {
  parameters: Record<ParameterLocation, ParameterSpec[]>;
  /** The locations the operation declares parameters in: per-request work only for those. */
  used: ParameterLocation[];
  /** Compiled on first call: an operation's validators cost nothing until it is requested. */
  locations: Record<ParameterLocation, () => ValidateFunction>;
  queryNames: Set<string>;
  forms: Map<string, Map<string, ValueShape>>;
}

function toIssues(location: ValidationIssue['in'], errors: ErrorObject[] | null | undefined, parameters: ParameterSpec[] = []): ValidationIssue[] {
  const nameOf = (key: string) => parameters[Number(key.slice(1))]?.name ?? key;
  return (errors ?? []).map((error) => {
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    if (location === 'body') {
      if (error.keyword === 'required') return { in: location, name: `${error.instancePath}/${params.missingProperty}`, message: 'is required' };
      if (error.keyword === 'additionalProperties') return { in: location, name: `${error.instancePath}/${params.additionalProperty}`, message: 'is not allowed (additional property)' };
      return { in: location, name: error.instancePath, message: error.message ?? 'is invalid' };
    }
    if (error.keyword === 'required' && error.instancePath === '') return { in: location, name: nameOf(params.missingProperty!), message: 'is required' };
    const [, key = '', ...rest] = error.instancePath.split('/');
    const detail = error.keyword === 'additionalProperties' ? `must not have the property ${params.additionalProperty}` : error.keyword === 'required' ? `must have the property ${params.missingProperty}` : (error.message ?? 'is invalid');
    const suffix = rest.length ? ` (at /${rest.join('/')})` : '';
    return { in: location, name: nameOf(key), message: `${detail}${suffix}` };
  });
}

function isJson(contentType: string): boolean {
  return contentType === 'application/json' || /^application\/[^;]*\+json$/.test(contentType) || contentType === '*/*';
}

/** The documented media type that covers `contentType`: exact, then `type/*`, then `*\/*`. */
function matchMedia(documented: string[], contentType: string): string | undefined {
  const lower = documented.map((d) => d.split(';')[0]!.trim().toLowerCase());
  const exact = lower.indexOf(contentType);
  if (exact >= 0) return documented[exact];
  const range = lower.indexOf(`${contentType.split('/')[0]}/*`);
  if (range >= 0) return documented[range];
  const any = lower.indexOf('*/*');
  return any >= 0 ? documented[any] : undefined;
}
