import { SpecError } from './spec-error.js';

/** A JSON schema, as it appears in the document. */
export type Schema = Record<string, unknown>;

/** Which schema language the document speaks: OpenAPI 3.0's subset, Swagger 2.0's, or 3.1's JSON Schema 2020-12. */
export type Dialect = '2.0' | '3.0' | '3.1';

/** Requests drop `readOnly` properties from `required`, responses drop `writeOnly` ones (OpenAPI 3.0.3 §4.7.24.1). */
export type SchemaContext = 'request' | 'response';

/** The id under which the translated document is registered with ajv, so `#/…` refs resolve inside it. */
export const SPEC_ID = 'openapi.json';

/**
 * Translates a schema (or the whole document) from the document's dialect into the JSON Schema
 * ajv validates: `nullable` becomes a `null` type, boolean `exclusiveMinimum` a number,
 * `discriminator` (a hint, OpenAPI 3.0.3 §4.7.25) is dropped since `oneOf`/`anyOf` already decide,
 * `format: binary` accepts bytes, local refs point into the registered document.
 *
 * @param pointer - the JSON pointer of `value` in the document, named in a {@link SpecError}.
 * @throws SpecError for a `$ref` outside the document.
 */
export function toJsonSchema(value: unknown, dialect: Dialect, context: SchemaContext, pointer: string, ids: Map<string, string> = new Map(), base = ''): unknown {
  if (Array.isArray(value)) return value.map((item, i) => toJsonSchema(item, dialect, context, `${pointer}/${i}`, ids, base));
  if (!value || typeof value !== 'object') return value;
  const source = value as Schema;
  const out: Schema = {};
  // In OpenAPI 3.1 a schema with `$id` is its own base: `#/$defs/x` inside it is relative to it.
  // The id is dropped and such refs point at the same place in the registered document instead.
  const scope = dialect === '3.1' && typeof source.$id === 'string' ? pointer : base;
  for (const [key, inner] of Object.entries(source)) {
    if (key === '$ref' && typeof inner === 'string') {
      define(out, key, refTarget(inner, scope, ids, pointer));
    } else if (key === 'discriminator' || key === 'xml' || key === 'externalDocs' || (key === '$id' && dialect === '3.1')) {
      // Hints for code generators and documentation, not validation rules.
    } else {
      define(out, key, toJsonSchema(inner, dialect, context, `${pointer}/${escapePointer(key)}`, ids, scope));
    }
  }
  return dialect === '3.1' ? inContext(out, context) : translate(out, dialect, context);
}

function refTarget(ref: string, scope: string, ids: Map<string, string>, pointer: string): string {
  if (ref.startsWith('#')) return `${SPEC_ID}${scope && ref.startsWith('#/') ? scope + ref.slice(1) : ref}`;
  const hash = ref.indexOf('#');
  const owner = ids.get(hash < 0 ? ref : ref.slice(0, hash));
  if (owner !== undefined) return `${SPEC_ID}${owner}${hash < 0 ? '' : ref.slice(hash + 1)}`;
  throw new SpecError(`@fleece/openapi: ${pointer}/$ref: only refs inside the document are supported, got ${ref}`);
}

/** Every `$id` of an OpenAPI 3.1 document, with the JSON pointer of the schema that declares it. */
export function collectIds(value: unknown, pointer = '#', ids = new Map<string, string>()): Map<string, string> {
  if (!value || typeof value !== 'object') return ids;
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectIds(item, `${pointer}/${i}`, ids));
    return ids;
  }
  const id = (value as Schema).$id;
  if (typeof id === 'string') ids.set(id.replace(/#$/, ''), pointer);
  for (const [key, inner] of Object.entries(value)) if (inner && typeof inner === 'object') collectIds(inner, `${pointer}/${escapePointer(key)}`, ids);
  return ids;
}

function translate(schema: Schema, dialect: Dialect, context: SchemaContext): Schema {
  // Draft-04 style booleans (OpenAPI 3.0, Swagger 2.0): `exclusiveMinimum: true` qualifies `minimum`.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[flag] !== 'boolean') continue;
    if (schema[flag] === true && typeof schema[bound] === 'number') {
      schema[flag] = schema[bound];
      delete schema[bound];
    } else {
      delete schema[flag];
    }
  }
  if (dialect === '2.0' && schema.type === 'file') {
    delete schema.type;
    schema.format = 'binary';
  }
  if (schema.format === 'binary') {
    // Bytes arrive as a Buffer (multipart files, octet-stream bodies); a string check would refuse them.
    delete schema.type;
    delete schema.format;
  }
  const nullable = schema.nullable === true;
  delete schema.nullable;
  if (schema['x-nullable'] === true) delete schema['x-nullable'];
  const result = inContext(schema, context);
  if (!nullable) return result;
  if (typeof result.type === 'string') {
    result.type = [result.type, 'null'];
    if (Array.isArray(result.enum) && !result.enum.includes(null)) result.enum = [...result.enum, null];
    return result;
  }
  // No `type` beside allOf/anyOf/oneOf/$ref: the everyday "optional reference"; null or the schema.
  return { anyOf: [{ type: 'null' }, result] };
}

/** readOnly properties are not required in requests, writeOnly ones not in responses. */
function inContext(schema: Schema, context: SchemaContext): Schema {
  if (!Array.isArray(schema.required) || !schema.properties || typeof schema.properties !== 'object') return schema;
  const hidden = context === 'request' ? 'readOnly' : 'writeOnly';
  const properties = schema.properties as Record<string, Schema>;
  const required = schema.required.filter((name) => !(Object.hasOwn(properties, name) && properties[name]?.[hidden] === true));
  if (required.length !== schema.required.length) schema.required = required;
  return schema;
}

function define(target: Schema, key: string, value: unknown): void {
  // defineProperty, because `target.__proto__ = …` would replace the prototype, not add a property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
