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
      path: Object.assign(Object.create(null), pathParams),
      query: Object.create(null),
      header: Object.create(null),
      cookie: Object.create(null),
    };
    for (const location of LOCATIONS) {
      const list = compiled.parameters[location];
      const validate = compiled.locations[location];
      if (!validate) continue;
      // ajv skips a property named `__proto__`, so parameters are validated under neutral keys (p0, p1, …).
      const data = collect(list, (p) => readRaw(location, p, request, pathParams));
      if (!validate(data)) issues.push(...toIssues(location, validate.errors, list));
      list.forEach((parameter, i) => {
        if (`p${i}` in data) Object.defineProperty(raw[location], parameter.name, { value: data[`p${i}`], enumerable: true, writable: true, configurable: true });
      });
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
        properties: Object.fromEntries(list.map((p, i) => [`p${i}`, rewriteRefs(p.schema)])),
        required: list.flatMap((p, i) => (p.required ? [`p${i}`] : [])),
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
  // ownProperties: a JSON body `{}` must not satisfy `required: [constructor]` through its prototype.
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: options.coerceTypes, discriminator: true, ownProperties: true });
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
    const rewritten = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `${SPEC_ID}${inner}` : rewriteRefs(inner);
    // defineProperty, because `out.__proto__ = …` would replace the prototype, not add a property.
    Object.defineProperty(out, key, { value: rewritten, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The raw values of one parameter as the request carries them, or undefined when it is absent. */
function readRaw(location: ParameterLocation, parameter: ParameterSpec, request: HttpRequest, pathParams: Record<string, string>): string[] | undefined {
  switch (location) {
    case 'path':
      return parameter.name in pathParams ? [pathParams[parameter.name]!] : undefined;
    case 'query':
      return request.query[parameter.name];
    case 'header':
      return request.headers[parameter.name.toLowerCase()]?.flatMap((v) => v.split(',').map((s) => s.trim()));
    case 'cookie':
      return parameter.name in request.cookies ? [request.cookies[parameter.name]!] : undefined;
  }
}

/** Picks each parameter's raw values, keyed p0, p1, …: one value as a string, several (or an array schema) as an array. */
function collect(parameters: ParameterSpec[], read: (p: ParameterSpec) => string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  parameters.forEach((parameter, i) => {
    let values = read(parameter);
    if (values === undefined) return;
    const isArray = parameter.schema.type === 'array';
    if (isArray && !parameter.explode) values = values.flatMap((v) => v.split(','));
    out[`p${i}`] = isArray || values.length > 1 ? values : values[0];
  });
  return out;
}

function toIssues(location: ValidationIssue['in'], errors: ErrorObject[] | null | undefined, parameters: ParameterSpec[] = []): ValidationIssue[] {
  const nameOf = (key: string) => parameters[Number(key.slice(1))]?.name ?? key;
  return (errors ?? []).map((error) => {
    if (location === 'body') {
      const name = error.keyword === 'required' ? `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}` : error.instancePath;
      return { in: location, name, message: error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid') };
    }
    if (error.keyword === 'required') return { in: location, name: nameOf((error.params as { missingProperty: string }).missingProperty), message: 'is required' };
    const [, key = '', ...rest] = error.instancePath.split('/');
    const suffix = rest.length ? ` (at /${rest.join('/')})` : '';
    return { in: location, name: nameOf(key), message: `${error.message ?? 'is invalid'}${suffix}` };
  });
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
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
