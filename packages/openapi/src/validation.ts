import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { HttpRequest } from './request.js';
import type { OperationSpec, ParameterLocation, ParameterSpec, Schema } from './spec.js';

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
const SPEC_ID = 'openapi.json';
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv) => void;

/** Compiles every schema of a document once (at cold start) and validates requests against them. */
export class Validator {
  readonly #coercing: Ajv;
  readonly #exact: Ajv;
  readonly #compiled = new Map<OperationSpec, CompiledOperation>();

  constructor(document: Record<string, unknown>, operations: OperationSpec[]) {
    // Parameters and form fields arrive as strings and are coerced; JSON bodies are typed already.
    this.#coercing = makeAjv(document, { coerceTypes: 'array' });
    this.#exact = makeAjv(document, { coerceTypes: false });
    for (const operation of operations) this.#compiled.set(operation, this.#compile(operation));
  }

  /** Validates and coerces a routed request. */
  validate(operation: OperationSpec, request: HttpRequest, pathParams: Record<string, string>): ValidationResult {
    const compiled = this.#compiled.get(operation)!;
    const issues: ValidationIssue[] = [];
    const raw: Record<ParameterLocation, Record<string, unknown>> = {
      path: pathParams,
      query: collect(compiled.parameters.query, (p) => request.query[p.name]),
      header: collect(compiled.parameters.header, (p) => request.headers[p.name.toLowerCase()]?.flatMap((v) => v.split(',').map((s) => s.trim()))),
      cookie: collect(compiled.parameters.cookie, (p) => (p.name in request.cookies ? [request.cookies[p.name]!] : undefined)),
    };
    for (const location of LOCATIONS) {
      const validate = compiled.locations[location];
      if (validate && !validate(raw[location])) issues.push(...toIssues(location, validate.errors));
    }
    const body = this.#body(compiled, request, issues);
    if (body.unsupported) return { ok: false, status: 415, issues: [{ in: 'body', name: '', message: body.unsupported }] };
    if (issues.length > 0) return { ok: false, status: 400, issues };
    return { ok: true, value: { ...raw, body: body.value } };
  }

  /** Checks a JSON response body against the schema documented for its status, if any. */
  validateResponse(operation: OperationSpec, status: number, contentType: string, body: unknown): ValidationIssue[] {
    const compiled = this.#compiled.get(operation)!;
    const byType = compiled.responses.get(String(status)) ?? compiled.responses.get(`${String(status)[0]}XX`) ?? compiled.responses.get('default');
    const validate = byType && pickMedia(byType, contentType);
    if (!validate || validate(body)) return [];
    return toIssues('body', validate.errors);
  }

  #body(compiled: CompiledOperation, request: HttpRequest, issues: ValidationIssue[]): { value?: unknown; unsupported?: string } {
    const spec = compiled.operation.requestBody;
    const empty = !request.body || request.body.length === 0;
    if (!spec) return { value: empty ? undefined : request.body };
    if (empty) {
      if (spec.required) issues.push({ in: 'body', name: '', message: 'is required' });
      return {};
    }
    const contentType = (request.headers['content-type']?.[0] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const media = matchMedia(Object.keys(spec.content), contentType);
    if (media === undefined) return { unsupported: `content type ${contentType} is not one of ${Object.keys(spec.content).join(', ')}` };
    let value: unknown;
    if (isJson(contentType)) {
      try {
        value = JSON.parse(request.body!.toString('utf8'));
      } catch {
        issues.push({ in: 'body', name: '', message: 'is not valid JSON' });
        return {};
      }
    } else if (contentType === 'application/x-www-form-urlencoded') {
      value = formFields(request.body!.toString('utf8'));
    } else {
      value = contentType.startsWith('text/') ? request.body!.toString('utf8') : request.body;
    }
    const validate = compiled.bodies.get(media);
    if (validate && !validate(value)) issues.push(...toIssues('body', validate.errors));
    return { value };
  }

  #compile(operation: OperationSpec): CompiledOperation {
    const parameters = { path: [], query: [], header: [], cookie: [] } as Record<ParameterLocation, ParameterSpec[]>;
    for (const parameter of operation.parameters) parameters[parameter.in]?.push(parameter);
    const locations = {} as Record<ParameterLocation, ValidateFunction | undefined>;
    for (const location of LOCATIONS) {
      const list = parameters[location];
      if (list.length === 0) continue;
      locations[location] = this.#coercing.compile({
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, rewriteRefs(p.schema)])),
        required: list.filter((p) => p.required).map((p) => p.name),
      });
    }
    const bodies = new Map<string, ValidateFunction>();
    for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
      if (!media.schema) continue;
      const ajv = isJson(type) ? this.#exact : this.#coercing;
      bodies.set(type, ajv.compile(rewriteRefs(media.schema)));
    }
    const responses = new Map<string, Map<string, ValidateFunction>>();
    for (const [status, byType] of Object.entries(operation.responses)) {
      const compiled = new Map<string, ValidateFunction>();
      for (const [type, schema] of Object.entries(byType)) if (schema && isJson(type)) compiled.set(type, this.#exact.compile(rewriteRefs(schema)));
      responses.set(status.toUpperCase(), compiled);
    }
    return { operation, parameters, locations, bodies, responses };
  }
}

interface CompiledOperation {
  operation: OperationSpec;
  parameters: Record<ParameterLocation, ParameterSpec[]>;
  locations: Record<ParameterLocation, ValidateFunction | undefined>;
  bodies: Map<string, ValidateFunction>;
  responses: Map<string, Map<string, ValidateFunction>>;
}

function makeAjv(document: Record<string, unknown>, options: { coerceTypes: 'array' | false }): Ajv {
  // strict: false because OpenAPI schemas carry keywords JSON Schema does not know (example, xml, ...).
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: options.coerceTypes, discriminator: true });
  addFormats(ajv);
  // The whole document is registered once so `$ref: '#/components/schemas/X'` resolves, recursion included.
  ajv.addSchema(rewriteRefs(document) as Schema, SPEC_ID);
  return ajv;
}

/** Points local refs at the registered document, so schemas compiled apart from it still resolve them. */
function rewriteRefs(value: unknown): Schema {
  if (Array.isArray(value)) return value.map(rewriteRefs) as unknown as Schema;
  if (!value || typeof value !== 'object') return value as Schema;
  const out: Schema = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${SPEC_ID}${inner}` : rewriteRefs(inner);
  }
  return out;
}

/** Picks each parameter's raw values: one value as a string, several (or an array schema) as an array. */
function collect(parameters: ParameterSpec[], read: (p: ParameterSpec) => string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const parameter of parameters) {
    let values = read(parameter);
    if (values === undefined) continue;
    const isArray = parameter.schema.type === 'array';
    if (isArray && !parameter.explode) values = values.flatMap((v) => v.split(','));
    out[parameter.name] = isArray || values.length > 1 ? values : values[0];
  }
  return out;
}

function toIssues(location: ValidationIssue['in'], errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((error) => {
    if (location === 'body') {
      const name = error.keyword === 'required' ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}` : error.instancePath;
      return { in: location, name, message: error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid') };
    }
    if (error.keyword === 'required') return { in: location, name: (error.params as { missingProperty: string }).missingProperty, message: 'is required' };
    const [, name = '', ...rest] = error.instancePath.split('/');
    const suffix = rest.length ? ` (at /${rest.join('/')})` : '';
    return { in: location, name: decodePointer(name), message: `${error.message ?? 'is invalid'}${suffix}` };
  });
}

function decodePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function isJson(contentType: string): boolean {
  return contentType === 'application/json' || /^application\/[^;]*\+json$/.test(contentType) || contentType === '*/*';
}

/** The documented media type that covers `contentType`: exact, then `type/*`, then `*\/*`. */
function matchMedia(documented: string[], contentType: string): string | undefined {
  const lower = documented.map((d) => d.toLowerCase());
  const exact = lower.indexOf(contentType);
  if (exact >= 0) return documented[exact];
  const range = lower.indexOf(`${contentType.split('/')[0]}/*`);
  if (range >= 0) return documented[range];
  const any = lower.indexOf('*/*');
  return any >= 0 ? documented[any] : undefined;
}

function pickMedia(byType: Map<string, ValidateFunction>, contentType: string): ValidateFunction | undefined {
  const key = matchMedia([...byType.keys()], contentType.split(';')[0]!.trim().toLowerCase());
  return key === undefined ? undefined : byType.get(key);
}

function formFields(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
