import type { ErrorObject, ValidateFunction } from 'ajv';
import { EnvError } from './errors.js';

/** Options of {@link env}. */
export interface EnvOptions {
  /** The variables to check. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

interface AjvLike {
  compile(schema: object): ValidateFunction;
}

let ajv: Promise<AjvLike> | undefined;

// ajv and ajv-formats take ~100 ms to load, so they load on the first env() call rather than with
// the package: a function that only uses loadConfig pays nothing for them at cold start.
function validator(): Promise<AjvLike> {
  ajv ??= (async () => {
    const [ajvModule, formatsModule] = await Promise.all([import('ajv'), import('ajv-formats')]);
    const Ajv = defaultOf(ajvModule) as new (options: object) => AjvLike;
    const addFormats = defaultOf(formatsModule) as (instance: AjvLike) => void;
    const instance = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
    addFormats(instance);
    return instance;
  })();
  return ajv;
}

// A CommonJS module imported from ESM has module.exports as `default`, whose own `default` is the
// export; from CommonJS (and under jest) `default` is already the export.
function defaultOf(module: unknown): unknown {
  const first = (module as { default?: unknown }).default ?? module;
  return typeof first === 'function' ? first : (first as { default?: unknown }).default;
}

const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates environment variables against a JSON schema at cold start, so that a bad deployment
 * fails at once rather than on the Nth request. Values are coerced to the schema's types
 * (`"8080"` → 8080, `"true"` → true), defaults are applied, formats (uri, email, …) are known,
 * and every problem is reported at once. Only the schema's own properties are returned, so the
 * rest of the environment (credentials above all) does not travel with the result.
 *
 * @example
 * const ENV = await env<{ TABLE_NAME: string; PORT: number }>({
 *   type: 'object',
 *   required: ['TABLE_NAME'],
 *   properties: { TABLE_NAME: { type: 'string', minLength: 1 }, PORT: { type: 'integer', default: 8080 } },
 * });
 *
 * @throws EnvError listing every problem by variable name; values are never quoted.
 * @throws TypeError when the schema itself is invalid.
 */
export async function env<T = Record<string, unknown>>(schema: object, options: EnvOptions = {}): Promise<Readonly<T>> {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new TypeError('schema must be a JSON schema object');
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const source = options.env ?? process.env;
  if (source === null || typeof source !== 'object') throw new TypeError('env must be an object of variables');
  let validate = compiled.get(schema);
  if (!validate) {
    const instance = await validator();
    try {
      validate = instance.compile(schema);
    } catch (error) {
      throw new TypeError(`schema is not a valid JSON schema: ${(error as Error).message}`, { cause: error });
    }
    compiled.set(schema, validate);
  }
  const properties = (schema as { properties?: Record<string, unknown> }).properties;
  const data: Record<string, unknown> = {};
  const names = properties ? Object.keys(properties) : Object.keys(source);
  for (const name of names) if (source[name] !== undefined) data[name] = source[name];
  if (!validate(data)) throw new EnvError((validate.errors ?? []).map(describe));
  return Object.freeze(data) as Readonly<T>;
}

function describe(error: ErrorObject): string {
  const variable = error.instancePath.split('/')[1];
  if (error.keyword === 'required') return `${(error.params as { missingProperty: string }).missingProperty} is required`;
  if (error.keyword === 'additionalProperties') return `${(error.params as { additionalProperty: string }).additionalProperty} is not allowed`;
  return `${variable ?? 'the environment'} ${error.message ?? 'is invalid'}`;
}
