import { escapePointer, type Dialect, type Schema } from './schema.js';
import { SpecError } from './spec-error.js';
import { resolve, type RequestBodySpec } from './spec.js';

/** Where a parameter is read from. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** How a parameter's value is written in the request (OpenAPI 3.0.3 §4.7.12.4, "Style Values"). */
export type ParameterStyle = 'form' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject' | 'simple' | 'label' | 'matrix';

/** The shape of a parameter's schema, after `$ref`s: it decides whether and how a value is split. */
export type ValueShape = 'array' | 'object' | 'primitive';

/** One parameter of an operation, with refs resolved and Swagger 2.0 fields turned into a schema. */
export interface ParameterSpec {
  name: string;
  /** `path`, `query`, `header` or `cookie`; Swagger 2.0's `body` and `formData` are turned into a request body. */
  in: ParameterLocation | 'body' | 'formData';
  required: boolean;
  schema: Schema;
  /** The JSON pointer of the parameter in the document. */
  pointer: string;
  style: ParameterStyle;
  explode: boolean;
  shape: ValueShape;
  /** The separator of a non-exploded array: `,` by default; Swagger 2.0's ssv, tsv and pipes differ. */
  delimiter: string;
  /** `content: { application/json: … }` parameters are JSON text. */
  json: boolean;
}

const DEFAULT_STYLE: Record<string, ParameterStyle> = { path: 'simple', header: 'simple', query: 'form', cookie: 'form', formData: 'form' };
const COLLECTION_FORMATS: Record<string, { explode: boolean; delimiter: string; style: ParameterStyle }> = {
  csv: { explode: false, delimiter: ',', style: 'form' },
  ssv: { explode: false, delimiter: ' ', style: 'spaceDelimited' },
  tsv: { explode: false, delimiter: '\t', style: 'form' },
  pipes: { explode: false, delimiter: '|', style: 'pipeDelimited' },
  multi: { explode: true, delimiter: ',', style: 'form' },
};
/** Header parameters the text tells us to ignore (OpenAPI 3.0.3 §4.7.12.1). */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** Merges path-level and operation-level parameters (the operation's win), resolving refs and styles. */
export function mergeParameters(document: Record<string, unknown>, dialect: Dialect, shared: unknown[], own: unknown[], sharedPointer: string, ownPointer: string): ParameterSpec[] {
  const byKey = new Map<string, ParameterSpec>();
  const entries = [...shared.map((p, i) => [p, `${sharedPointer}/${i}`] as const), ...own.map((p, i) => [p, `${ownPointer}/${i}`] as const)];
  for (const [entry, pointer] of entries) {
    const raw = resolve(document, entry, pointer) as Record<string, unknown>;
    const location = String(raw.in);
    const name = String(raw.name);
    if (dialect !== '2.0' && location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue;
    const content = raw.content as Record<string, { schema?: Schema }> | undefined;
    const contentType = content ? Object.keys(content)[0] : undefined;
    const schema = (dialect === '2.0' ? swagger2Schema(raw) : contentType ? content![contentType]!.schema : (raw.schema as Schema | undefined)) ?? {};
    const collection = dialect === '2.0' ? COLLECTION_FORMATS[String(raw.collectionFormat ?? 'csv')] : undefined;
    if (dialect === '2.0' && raw.collectionFormat !== undefined && !collection) {
      throw new SpecError(`@fleece/openapi: ${pointer}/collectionFormat: unsupported value ${String(raw.collectionFormat)}`);
    }
    const style = (collection?.style ?? (raw.style as ParameterStyle | undefined) ?? DEFAULT_STYLE[location] ?? 'form') as ParameterStyle;
    byKey.set(`${location}:${location === 'header' ? name.toLowerCase() : name}`, {
      name,
      in: location as ParameterSpec['in'],
      required: raw.required === true || location === 'path',
      schema,
      pointer: dialect === '2.0' ? pointer : contentType ? `${pointer}/content/${escapePointer(contentType)}/schema` : `${pointer}/schema`,
      style,
      explode: collection ? collection.explode : typeof raw.explode === 'boolean' ? raw.explode : style === 'form',
      shape: shapeOf(document, schema, pointer),
      delimiter: collection?.delimiter ?? (style === 'spaceDelimited' ? ' ' : style === 'pipeDelimited' ? '|' : ','),
      json: !!contentType && /json/i.test(contentType),
    });
  }
  return [...byKey.values()];
}

/** Whether a schema (through `$ref`s, `allOf` and 3.1 type lists) describes an array, an object or a primitive. */
export function shapeOf(document: Record<string, unknown>, schema: unknown, pointer: string, depth = 0): ValueShape {
  const resolved = resolve(document, schema, pointer) as Schema | undefined;
  if (!resolved || typeof resolved !== 'object' || depth > 16) return 'primitive';
  const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
  if (types.includes('array') || (resolved.items && !resolved.type)) return 'array';
  if (types.includes('object') || (resolved.properties && !resolved.type)) return 'object';
  for (const group of ['allOf', 'oneOf', 'anyOf'] as const) {
    for (const member of (resolved[group] as unknown[] | undefined) ?? []) {
      const shape = shapeOf(document, member, pointer, depth + 1);
      if (shape !== 'primitive') return shape;
    }
  }
  return 'primitive';
}

/** Swagger 2.0 puts the schema keywords on the parameter itself. */
function swagger2Schema(raw: Record<string, unknown>): Schema | undefined {
  if (raw.in === 'body') return raw.schema as Schema | undefined;
  const keywords = ['type', 'format', 'items', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf', 'default'];
  return Object.fromEntries(keywords.filter((k) => k in raw).map((k) => [k, raw[k]]));
}

/** Swagger 2.0 `in: formData` parameters, gathered into one form body (urlencoded, or multipart when consumed). */
export function formDataBody(parameters: ParameterSpec[], consumes: string[]): RequestBodySpec | undefined {
  const fields = parameters.filter((p) => p.in === 'formData');
  if (fields.length === 0) return undefined;
  const schema: Schema = {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, f.schema])),
    required: fields.filter((f) => f.required).map((f) => f.name),
  };
  const encoding = Object.fromEntries(fields.map((f) => [f.name, { style: f.style, explode: f.explode, delimiter: f.delimiter }]));
  const types = consumes.filter((t) => /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(t));
  const pointer = fields[0]!.pointer.replace(/\/\d+$/, '');
  return {
    required: fields.some((f) => f.required),
    content: Object.fromEntries((types.length ? types : ['application/x-www-form-urlencoded']).map((type) => [type, { schema, pointer, encoding }])),
  };
}
