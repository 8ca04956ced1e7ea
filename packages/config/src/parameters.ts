import { ParameterError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { isPlainObject } from './stages.js';
import { checkSsm, defaultSsm, resetDefaultSsm, ssmSdk, type SsmClientLike } from './ssm-client.js';

/** Options of {@link getParameter}. */
export interface GetParameterOptions {
  /** How long a cached value is served, ms. Default 5000 (Powertools' 5 s). `0` always fetches. */
  maxAge?: number;
  /** Decrypt SecureString values. Default `true` (Powertools defaults to `false`). */
  decrypt?: boolean;
  /** `'json'` parses the value (the result is frozen, as it is shared); `'binary'` decodes base64 to bytes. */
  transform?: 'json' | 'binary';
  /** Fetch even when a fresh value is cached (and cache the new one). */
  forceFetch?: boolean;
  /** The SSM client. Default: one per container from `@fleece/aws`. */
  ssm?: SsmClientLike;
  /** The clock the cache ages by, epoch ms. Default `Date.now`. */
  clock?: () => number;
}

/** Options of {@link getParameters}. */
export type GetParametersOptions = Omit<GetParameterOptions, 'transform'>;

/** The default `maxAge`, ms. */
export const DEFAULT_MAX_AGE = 5000;

interface Entry {
  at: number;
  value: Promise<unknown>;
}

// Container-wide on purpose: parameters are shared by every invocation, and serving them from
// memory for maxAge is what keeps SSM's throughput limits out of the request path. The cache is
// per client, so two accounts or endpoints never share values.
const DEFAULT_CLIENT = {};
let caches = new WeakMap<object, Map<string, Entry>>();

function validate(options: GetParameterOptions, withTransform: boolean): void {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { maxAge, decrypt, transform, forceFetch, clock } = options;
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !(maxAge >= 0) || maxAge === Infinity)) throw new TypeError(`maxAge must be a finite number of ms >= 0, got ${String(maxAge)}`);
  if (decrypt !== undefined && typeof decrypt !== 'boolean') throw new TypeError('decrypt must be a boolean');
  if (forceFetch !== undefined && typeof forceFetch !== 'boolean') throw new TypeError('forceFetch must be a boolean');
  if (clock !== undefined && typeof clock !== 'function') throw new TypeError('clock must be a function returning epoch ms');
  if (withTransform && transform !== undefined && transform !== 'json' && transform !== 'binary') throw new TypeError(`transform must be 'json' or 'binary', got ${String(transform)}`);
  checkSsm(options.ssm);
}

function cached<T>(options: GetParameterOptions, key: string, fetch: (ssm: SsmClientLike) => Promise<T>): Promise<T> {
  const owner = options.ssm ?? DEFAULT_CLIENT;
  let cache = caches.get(owner);
  if (!cache) {
    cache = new Map();
    caches.set(owner, cache);
  }
  const now = (options.clock ?? Date.now)();
  const maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
  const hit = cache.get(key);
  if (hit && !options.forceFetch && now - hit.at < maxAge) return hit.value as Promise<T>;
  const entry: Entry = { at: now, value: (options.ssm ? Promise.resolve(options.ssm) : defaultSsm()).then(fetch) };
  cache.set(key, entry);
  entry.value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return entry.value as Promise<T>;
}

function failure(name: string, error: unknown): ParameterError {
  const code = (error as Error)?.name ?? 'Error';
  const reason = code === 'ParameterNotFound' ? 'not found (ParameterNotFound)' : `${code}: ${(error as Error)?.message ?? String(error)}`;
  return new ParameterError(name, reason, { cause: error });
}

/**
 * Reads one Parameter Store value through a container-wide cache whose key holds everything that
 * changes the value (the client, the name, `decrypt`, `transform`); `maxAge` is the caller's
 * freshness bound, checked at each read.
 *
 * @throws ParameterError naming the parameter (never its value).
 */
export function getParameter(name: string, options?: GetParameterOptions & { transform?: undefined }): Promise<string>;
export function getParameter<T = unknown>(name: string, options: GetParameterOptions & { transform: 'json' }): Promise<T>;
export function getParameter(name: string, options: GetParameterOptions & { transform: 'binary' }): Promise<Uint8Array>;
export async function getParameter(name: string, options: GetParameterOptions = {}): Promise<unknown> {
  if (typeof name !== 'string' || name === '') throw new TypeError('name must be a parameter name');
  validate(options, true);
  const decrypt = options.decrypt ?? true;
  const key = JSON.stringify(['one', name, decrypt, options.transform ?? null]);
  return cached(options, key, async (ssm) => {
    const { GetParameterCommand } = await ssmSdk();
    let value: string | undefined;
    try {
      value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: decrypt }))).Parameter?.Value;
    } catch (error) {
      throw failure(name, error);
    }
    if (value === undefined) throw new ParameterError(name, 'the answer carried no value');
    if (options.transform === 'json') {
      try {
        return deepFreeze(JSON.parse(value));
      } catch (error) {
        throw new ParameterError(name, 'its value is not valid JSON', { cause: (error as Error).name });
      }
    }
    if (options.transform === 'binary') return new Uint8Array(Buffer.from(value, 'base64'));
    return value;
  });
}

/**
 * Reads every parameter under a path (recursively, every page) into a nested object: `/p/db/host`
 * becomes `{ db: { host } }` under prefix `/p`, and maps keyed `0`, `1`, … `n-1` become lists.
 * It is the inverse of `fleece config render --parameter-store`. Values are strings, as Parameter
 * Store holds them. Cached like {@link getParameter}; the result is frozen.
 *
 * @throws ParameterError when the request fails or one name is both a value and a path.
 */
export async function getParameters<T = Record<string, unknown>>(prefix: string, options: GetParametersOptions = {}): Promise<Readonly<T>> {
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) throw new TypeError(`prefix must be a path starting with "/", got ${JSON.stringify(prefix)}`);
  validate(options, false);
  const path = prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  const decrypt = options.decrypt ?? true;
  const key = JSON.stringify(['path', path, decrypt]);
  return cached(options, key, async (ssm) => {
    const { GetParametersByPathCommand } = await ssmSdk();
    const found: { name: string; value: string }[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: decrypt, MaxResults: 10, NextToken: token }));
      } catch (error) {
        throw failure(path, error);
      }
      for (const parameter of page.Parameters ?? []) {
        if (parameter.Name !== undefined && parameter.Value !== undefined) found.push({ name: parameter.Name, value: parameter.Value });
      }
      token = page.NextToken;
    } while (token);
    return deepFreeze(toTree(path, found)) as T;
  });
}

/** Builds the nested object of {@link getParameters} from full parameter names. */
export function toTree(prefix: string, parameters: readonly { name: string; value: string }[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const base = prefix === '/' ? '/' : `${prefix}/`;
  const sorted = [...parameters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, value } of sorted) {
    if (!name.startsWith(base)) continue;
    const segments = name.slice(base.length).split('/').filter(Boolean);
    if (segments.length === 0) continue;
    let node = root;
    segments.forEach((segment, index) => {
      const last = index === segments.length - 1;
      const existing = node[segment];
      if (last) {
        if (existing !== undefined) throw new ParameterError(name, 'is also a path with parameters under it, so it cannot be both a value and a map');
        node[segment] = value;
      } else {
        if (typeof existing === 'string') throw new ParameterError(`${base}${segments.slice(0, index + 1).join('/')}`, 'is both a value and a path with parameters under it');
        node = (node[segment] ??= {}) as Record<string, unknown>;
      }
    });
  }
  return listify(root) as Record<string, unknown>;
}

function listify(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = listify(value[key]);
  const isList = keys.length > 0 && keys.every((key) => /^(?:0|[1-9]\d*)$/.test(key)) && keys.map(Number).sort((a, b) => a - b).every((n, i) => n === i);
  return isList ? keys.map(Number).sort((a, b) => a - b).map((index) => value[String(index)]) : value;
}

/** Forgets every cached parameter and the default SSM client. For tests. */
export function resetParameterCache(): void {
  caches = new WeakMap();
  resetDefaultSsm();
}
