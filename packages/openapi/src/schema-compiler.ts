import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ajvLogger, registerFormats } from './formats.js';
import type { Logger } from './logger.js';
import { collectIds, SPEC_ID, toJsonSchema, type Schema, type SchemaContext } from './schema.js';
import { SpecError } from './spec-error.js';
import type { LoadedSpec } from './spec.js';

/**
 * How a schema is used: `parameter` values (and form fields) arrive as strings and are coerced;
 * JSON `body` values are typed already; `response` bodies are checked and never changed.
 */
export type SchemaMode = 'parameter' | 'body' | 'response';

/**
 * Compiles schemas with ajv on demand: one ajv per mode, created on first use, each holding the
 * document translated to JSON Schema (OpenAPI 3.1 documents with ajv's 2020-12 dialect) so that
 * `$ref`s, recursive ones included, resolve inside it.
 */
export class SchemaCompiler {
  readonly #spec: LoadedSpec;
  readonly #logger: Logger;
  readonly #reported = new Set<string>();
  readonly #ajv = new Map<SchemaMode, Ajv>();
  readonly #translated = new Map<SchemaContext, Schema>();
  readonly #cache = new Map<SchemaMode, WeakMap<object, ValidateFunction>>();
  readonly #ids: Map<string, string>;

  constructor(spec: LoadedSpec, logger: Logger) {
    this.#spec = spec;
    this.#logger = logger;
    this.#ids = spec.dialect === '3.1' ? collectIds(spec.document) : new Map();
    // Translating the request view walks the whole document once: a ref outside it fails here, at construction.
    this.#document('request');
  }

  /** The validator of one schema of the document (compiled once per schema and mode). */
  compile(schema: Schema, mode: SchemaMode, pointer: string): ValidateFunction {
    let cache = this.#cache.get(mode);
    if (!cache) this.#cache.set(mode, (cache = new WeakMap()));
    let validate = cache.get(schema);
    if (validate) return validate;
    const context: SchemaContext = mode === 'response' ? 'response' : 'request';
    try {
      validate = this.#ajvFor(mode).compile(toJsonSchema(schema, this.#spec.dialect, context, pointer, this.#ids) as Schema);
    } catch (error) {
      if (error instanceof SpecError) throw error;
      throw new SpecError(`@fleece/openapi: ${pointer}: the schema cannot be compiled: ${(error as Error).message}`, { cause: error });
    }
    cache.set(schema, validate);
    return validate;
  }

  #document(context: SchemaContext): Schema {
    let translated = this.#translated.get(context);
    if (!translated) {
      translated = toJsonSchema(this.#spec.document, this.#spec.dialect, context, '#', this.#ids) as Schema;
      this.#translated.set(context, translated);
    }
    return translated;
  }

  #ajvFor(mode: SchemaMode): Ajv {
    let ajv = this.#ajv.get(mode);
    if (ajv) return ajv;
    const options = {
      allErrors: true,
      // OpenAPI schemas carry keywords JSON Schema does not know (example, xml, …).
      strict: false,
      // Response validation reports; it never injects defaults into what the client gets.
      useDefaults: mode !== 'response',
      coerceTypes: mode === 'parameter' ? ('array' as const) : false,
      // A JSON body `{}` must not satisfy `required: [constructor]` through its prototype.
      ownProperties: true,
      logger: ajvLogger(this.#logger, this.#reported),
    };
    ajv = this.#spec.dialect === '3.1' ? new Ajv2020(options) : new Ajv(options);
    registerFormats(ajv);
    ajv.addSchema(this.#document(mode === 'response' ? 'response' : 'request'), SPEC_ID);
    this.#ajv.set(mode, ajv);
    return ajv;
  }
}
