import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openArtifact, parseArtifact, type ConfigArtifact } from './artifact.js';
import { ConfigLoadError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { createKeyProvider, resetDefaultKms, type KeyProvider, type KmsClientLike } from './key-provider.js';

/** The environment variable holding an artifact's JSON, by default. */
export const CONFIG_ENV = 'FLEECE_CONFIG';
/** The environment variable holding an artifact file's path, by default. */
export const CONFIG_FILE_ENV = 'FLEECE_CONFIG_FILE';

/** Options of {@link loadConfig}. Give at most one of `artifact`, `file`, `env`. */
export interface LoadConfigOptions {
  /** The artifact itself, or its JSON text (what the `--module` output passes). */
  artifact?: ConfigArtifact | string;
  /** A file `render --encrypt` wrote. Relative paths are from the working directory. */
  file?: string;
  /** The name of an environment variable holding the artifact's JSON. */
  env?: string;
  /** The KMS client. Default: one per container from `@fleece/aws`. */
  kms?: KmsClientLike;
  /** A key provider other than KMS and key files (tests, custom key stores). */
  keys?: KeyProvider;
  /** The directory `local:<path>` keys are relative to. Default: the working directory. */
  baseDir?: string;
}

// Container-wide on purpose: the configuration is the same for every invocation, and decrypting
// it once per container is the point. The promise is cached so concurrent first callers share
// one KMS call; a failure is not cached, so the next invocation tries again.
const cache = new Map<string, Promise<unknown>>();

function validate(options: LoadConfigOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('loadConfig options must be an object');
  const given = (['artifact', 'file', 'env'] as const).filter((name) => options[name] !== undefined);
  if (given.length > 1) throw new TypeError(`give one of artifact, file, env (got ${given.join(' and ')})`);
  if (options.file !== undefined && (typeof options.file !== 'string' || options.file === '')) throw new TypeError('file must be a path');
  if (options.env !== undefined && (typeof options.env !== 'string' || options.env === '')) throw new TypeError('env must be an environment variable name');
  if (options.artifact !== undefined && typeof options.artifact !== 'string' && typeof options.artifact !== 'object') throw new TypeError('artifact must be an artifact object or its JSON text');
  if (options.keys !== undefined && typeof options.keys?.decryptDataKey !== 'function') throw new TypeError('keys must be a KeyProvider');
}

async function locate(options: LoadConfigOptions): Promise<{ artifact: ConfigArtifact; id: string }> {
  if (options.artifact !== undefined) return identify(parseArtifact(options.artifact, 'the artifact option'));
  if (options.file !== undefined) return fromFile(options.file, 'the file option');
  if (options.env !== undefined) return fromEnv(options.env);
  if (process.env[CONFIG_ENV]) return fromEnv(CONFIG_ENV);
  const file = process.env[CONFIG_FILE_ENV];
  if (file) return fromFile(file, CONFIG_FILE_ENV);
  throw new ConfigLoadError(`no configuration artifact: pass { artifact }, { file } or { env }, or set ${CONFIG_ENV} (the artifact's JSON) or ${CONFIG_FILE_ENV} (its path)`);
}

function identify(artifact: ConfigArtifact) {
  // The wrapped data key is unique per render, so it identifies the artifact without hashing it.
  return { artifact, id: `${artifact.key}\n${artifact.dataKey}` };
}

function fromEnv(name: string) {
  const text = process.env[name];
  if (!text) throw new ConfigLoadError(`environment variable ${name} is not set`);
  return identify(parseArtifact(text, `environment variable ${name}`));
}

async function fromFile(file: string, where: string) {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigLoadError(`cannot read the artifact file ${path} (from ${where}): ${(error as Error).message}`, { cause: error });
  }
  return identify(parseArtifact(text, path));
}

/**
 * Loads a stage's configuration rendered by `fleece config render <stage> --encrypt` (or embedded
 * by `--module`): one KMS Decrypt for its data key, then AES-GCM, then cached for the life of the
 * container, so warm invocations pay nothing. The object returned is deeply frozen, because every
 * invocation shares it.
 *
 * Where it looks, first found wins: `artifact`, `file`, `env` options; then the `FLEECE_CONFIG`
 * variable (the artifact's JSON); then `FLEECE_CONFIG_FILE` (a path).
 *
 * @throws ConfigLoadError when there is no artifact or it is malformed, DecryptionError when it
 * was altered, KeyProviderError when KMS refuses.
 */
export async function loadConfig<T = Record<string, unknown>>(options: LoadConfigOptions = {}): Promise<Readonly<T>> {
  validate(options);
  const { artifact, id } = await locate(options);
  let pending = cache.get(id);
  if (!pending) {
    const keys = options.keys ?? createKeyProvider({ kms: options.kms, baseDir: options.baseDir });
    pending = openArtifact(artifact, keys).then(deepFreeze);
    cache.set(id, pending);
    pending.catch(() => cache.delete(id));
  }
  return pending as Promise<Readonly<T>>;
}

/**
 * Forgets every configuration `loadConfig` cached and the default KMS client, as a new container
 * would. For tests.
 */
export function resetConfigCache(): void {
  cache.clear();
  resetDefaultKms();
}
