import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ajvLogger, registerFormats } from './formats.js';
import type { Logger } from './logger.js';
import { atPointer, refId, scanDocument, toJsonSchema, type Schema, type SchemaContext, type Translation } from './schema.js';
import { SpecError } from './spec-error.js';
import type { LoadedSpec } from './spec.js';

/**
 * How a schema is used: `parameter` values (and form fields) arrive as strings and are coerced;
 * JSON `body` values are typed already; `response` bodies are checked and never changed.
 */
export type SchemaMode = 'parameter' | 'body' | 'response';

interface Compiler {
  ajv: Ajv;
  /** Document pointers already registered with this ajv. */
  registered: Set<string>;
}

/**
 * Compiles schemas with ajv on demand: one ajv per mode, created on first use (OpenAPI 3.1
 * documents with ajv's 2020-12 dialect). A schema's `$ref` targets are translated and registered
 * one by one when first needed, so the cost follows the operations served, not the document's size.
 */
export class SchemaCompiler {
  readonly #spec: LoadedSpec;
  readonly #logger: Logger;
  readonly #reported = new Set<string>();
  readonly #compilers = new Map<SchemaMode, Compiler>();
  readonly #cache = new Map<SchemaMode, WeakMap<object, ValidateFunction>>();
  readonly #ids: Map<string, string>;

  constructor(spec: LoadedSpec, logger: Logger) {
    this.#spec = spec;
    this.#logger = logger;
    // One walk without copying: a ref outside the document fails here, at construction.
    this.#ids = scanDocument(spec.document, spec.dialect);
  }

  /**
   * The validator of one schema of the document (compiled once per schema and mode).
   * @throws SpecError naming the schema's pointer when ajv cannot compile it.
   */
  compile(schema: Schema, mode: SchemaMode, pointer: string): ValidateFunction {
    let cache = this.#cache.get(mode);
    if (!cache) this.#cache.set(mode, (cache = new WeakMap()));
    let validate = cache.get(schema);
    if (validate) return validate;
    const compiler = this.#compiler(mode);
    try {
      const t = this.#translation(mode);
      const translated = toJsonSchema(schema, t, pointer) as Schema;
      this.#register(compiler, t);
      validate = compiler.ajv.compile(translated);
    } catch (error) {
      if (error instanceof SpecError) throw error;
      throw new SpecError(`@fleece/openapi: ${pointer}: the schema cannot be compiled: ${(error as Error).message}`, { cause: error });
    }
    cache.set(schema, validate);
    return validate;
  }

  /** Registers every `$ref` target the translation met, and theirs in turn. */
  #register(compiler: Compiler, t: Translation): void {
    while (t.refs.size > 0) {
      const [pointer] = t.refs;
      t.refs.delete(pointer!);
      if (compiler.registered.has(pointer!)) continue;
      compiler.registered.add(pointer!);
      const target = atPointer(this.#spec.document, pointer!);
      if (target === undefined) throw new SpecError(`@fleece/openapi: $ref ${pointer} points nowhere`);
      compiler.ajv.addSchema(toJsonSchema(target, t, pointer!) as Schema, refId(pointer!));
    }
  }

  #translation(mode: SchemaMode): Translation {
    const context: SchemaContext = mode === 'response' ? 'response' : 'request';
    return { dialect: this.#spec.dialect, context, ids: this.#ids, refs: new Set() };
  }

  #compiler(mode: SchemaMode): Compiler {
    let compiler = this.#compilers.get(mode);
    if (compiler) return compiler;
    const options = {
      allErrors: true,
      // OpenAPI schemas carry keywords JSON Schema does not know (x-…, nullable in 3.1 documents, …).
      strict: false,
      // Response validation reports; it never injects defaults into what the client gets.
      useDefaults: mode !== 'response',
      coerceTypes: mode === 'parameter' ? ('array' as const) : false,
      // A JSON body `{}` must not satisfy `required: [constructor]` through its prototype.
      ownProperties: true,
      logger: ajvLogger(this.#logger, this.#reported),
    };
    const ajv = this.#spec.dialect === '3.1' ? new Ajv2020(options) : new Ajv(options);
    registerFormats(ajv);
    compiler = { ajv, registered: new Set() };
    this.#compilers.set(mode, compiler);
    return compiler;
  }
}
