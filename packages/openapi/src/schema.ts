import { SpecError } from './spec-error.js';

/** A JSON schema, as it appears in the document. */
export type Schema = Record<string, unknown>;

/** Which schema language the document speaks: OpenAPI 3.0's subset, Swagger 2.0's, or 3.1's JSON Schema 2020-12. */
export type Dialect = '2.0' | '3.0' | '3.1';

/** Requests drop `readOnly` properties from `required`, responses drop `writeOnly` ones (OpenAPI 3.0.3 §4.7.24.1). */
export type SchemaContext = 'request' | 'response';

/** How a translation is done, and what it found: the document pointers its `$ref`s point at. */
export interface Translation {
  dialect: Dialect;
  context: SchemaContext;
  /** OpenAPI 3.1 `$id`s, with the pointer of the schema that declares each. */
  ids: Map<string, string>;
  /** Filled in: the pointer of every `$ref` target met, so the caller can register those too. */
  refs: Set<string>;
}

/**
 * The id under which the schema at a document pointer is registered with ajv. Each referenced
 * schema is registered apart, on demand, so a 4 MB document is never copied or walked whole.
 */
export function refId(pointer: string): string {
  return `https://openapi.invalid/${encodeURIComponent(pointer)}`;
}

/**
 * Translates a schema from the document's dialect into the JSON Schema ajv validates: `nullable`
 * becomes a `null` type, boolean `exclusiveMinimum` a number, `discriminator` (a hint, OpenAPI
 * 3.0.3 §4.7.25) is dropped since `oneOf`/`anyOf` already decide, `format: binary` accepts bytes,
 * and every `$ref` points at the id its target is registered under ({@link refId}).
 *
 * @param pointer - the JSON pointer of `value` in the document, named in a {@link SpecError}.
 * @throws SpecError for a `$ref` outside the document.
 */
export function toJsonSchema(value: unknown, t: Translation, pointer: string, base = '', map = false): unknown {
  if (Array.isArray(value)) return value.map((item, i) => toJsonSchema(item, t, `${pointer}/${i}`, base));
  if (!value || typeof value !== 'object') return value;
  const source = value as Schema;
  const out: Schema = {};
  // In OpenAPI 3.1 a schema with `$id` is its own base: `#/$defs/x` inside it is relative to it.
  // The id is dropped and such refs name the same place by its document pointer instead.
  const scope = !map && t.dialect === '3.1' && typeof source.$id === 'string' ? pointer : base;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    if (map) {
      // A map of names to schemas (`properties`, `$defs`, …): every name is ordinary, `__proto__` too.
      Object.defineProperty(out, key, { value: toJsonSchema(inner, t, `${pointer}/${escapePointer(key)}`, scope), enumerable: true, writable: true, configurable: true });
    } else if (key === '$ref' && typeof inner === 'string') {
      const target = refPointer(inner, scope, t.ids, pointer);
      t.refs.add(target);
      out.$ref = refId(target);
    } else if (HINTS.has(key) || (key === '$id' && t.dialect === '3.1')) {
      // Hints for code generators and documentation, not validation rules.
    } else if (DATA.has(key) || !inner || typeof inner !== 'object') {
      out[key] = inner;
    } else {
      out[key] = toJsonSchema(inner, t, `${pointer}/${escapePointer(key)}`, scope, MAPS.has(key));
    }
  }
  if (map) return out;
  return t.dialect === '3.1' ? inContext(out, t.context) : translate(out, t.dialect, t.context);
}

/** Keywords that document a schema without constraining it. */
const HINTS = new Set(['discriminator', 'xml', 'externalDocs', 'example', 'examples', 'description', 'title']);
/** Keywords whose values are data, never schemas. */
const DATA = new Set(['enum', 'const', 'default', 'required']);
/** Keywords whose values map names to schemas. */
const MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** The document pointer a `$ref` names. */
function refPointer(ref: string, scope: string, ids: Map<string, string>, pointer: string): string {
  if (ref.startsWith('#')) return scope && ref.startsWith('#/') ? scope + ref.slice(1) : decodeURI(ref);
  const hash = ref.indexOf('#');
  const owner = ids.get(hash < 0 ? ref : ref.slice(0, hash));
  if (owner !== undefined) return `${owner}${hash < 0 ? '' : ref.slice(hash + 1)}`;
  throw new SpecError(`@fleece/openapi: ${pointer}/$ref: only refs inside the document are supported, got ${ref}`);
}

/**
 * Walks the whole document once, without copying it: collects OpenAPI 3.1 `$id`s and refuses a
 * `$ref` outside the document with a {@link SpecError} naming its pointer, at construction.
 */
export function scanDocument(document: unknown, dialect: Dialect): Map<string, string> {
  const ids = new Map<string, string>();
  const refs: Array<[string, string]> = [];
  const walk = (value: unknown, pointer: string): void => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (value[i] && typeof value[i] === 'object') walk(value[i], `${pointer}/${i}`);
      return;
    }
    const object = value as Schema;
    if (dialect === '3.1' && typeof object.$id === 'string') ids.set(object.$id.replace(/#$/, ''), pointer);
    if (typeof object.$ref === 'string' && !object.$ref.startsWith('#')) refs.push([object.$ref, pointer]);
    for (const key of Object.keys(object)) {
      const inner = object[key];
      if (inner && typeof inner === 'object') walk(inner, `${pointer}/${escapePointer(key)}`);
    }
  };
  walk(document, '#');
  for (const [ref, pointer] of refs) {
    const hash = ref.indexOf('#');
    if (!ids.has(hash < 0 ? ref : ref.slice(0, hash))) throw new SpecError(`@fleece/openapi: ${pointer}/$ref: only refs inside the document are supported, got ${ref}`);
  }
  return ids;
}

/** The value at a JSON pointer (`#/components/schemas/Pet`), or undefined. */
export function atPointer(document: unknown, pointer: string): unknown {
  let target = document;
  if (pointer === '#' || pointer === '') return target;
  for (const part of pointer.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = target && typeof target === 'object' && Object.hasOwn(target, key) ? (target as Record<string, unknown>)[key] : undefined;
  }
  return target;
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

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
