import { ParameterError, ParameterStoreError } from './errors.js';
import { kmsKeyId } from './key-provider.js';
import { isPlainObject } from './stages.js';
import { checkSsm, defaultSsm, ssmSdk, type SsmClientLike } from './ssm-client.js';

/** One parameter to write. */
export interface ParameterEntry {
  name: string;
  value: string;
}

/** Parameter Store's limits that `toParameters` checks before any call. */
export const PARAMETER_LIMITS = Object.freeze({
  /** Longest parameter name, characters. */
  nameLength: 1011,
  /** Most levels of hierarchy (slashes in a name). */
  depth: 15,
  /** Largest value of a standard-tier parameter, bytes. */
  valueBytes: 4096,
});

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;

/**
 * Flattens a resolved configuration into Parameter Store entries under `prefix`: nested maps
 * become nested paths, list items become `/0`, `/1`, …, numbers and booleans become their text.
 * Every name and value is checked first and every problem is listed at once, so an invalid
 * configuration writes nothing.
 *
 * @throws ParameterStoreError listing each problem by parameter name (values are never quoted).
 */
export function toParameters(config: unknown, prefix: string): ParameterEntry[] {
  const problems: string[] = [];
  const base = typeof prefix === 'string' && prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  if (typeof base !== 'string' || !base.startsWith('/')) {
    throw new ParameterStoreError([`the prefix ${JSON.stringify(prefix)} must start with "/" (Parameter Store names under a path are fully qualified)`]);
  }
  const prefixSegments = base.split('/').slice(1).filter((segment) => segment !== '');
  if (base !== '/' && prefixSegments.length !== base.split('/').length - 1) problems.push(`the prefix ${base} has an empty level ("//")`);
  for (const segment of prefixSegments) if (!SEGMENT.test(segment)) problems.push(`the prefix ${base}: "${segment}" may use only a-z, A-Z, 0-9, "_", ".", "-"`);

  const entries: ParameterEntry[] = [];
  const visit = (value: unknown, segments: string[]) => {
    const name = `/${segments.join('/')}`;
    if (isPlainObject(value) || Array.isArray(value)) {
      const items = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
      if (items.length === 0) problems.push(`${name}: an empty ${Array.isArray(value) ? 'list' : 'map'} cannot be stored (Parameter Store has no empty paths)`);
      for (const [key, item] of items) {
        if (!SEGMENT.test(key)) problems.push(`${name}/${key}: "${key}" may use only a-z, A-Z, 0-9, "_", ".", "-"`);
        visit(item, [...segments, key]);
      }
      return;
    }
    if (segments.length === prefixSegments.length) {
      problems.push(`${base}: the configuration must be a map to be written under a prefix`);
      return;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else {
      problems.push(`${name}: null cannot be stored (Parameter Store values are non-empty text)`);
      return;
    }
    if (text === '') problems.push(`${name}: an empty string cannot be stored (Parameter Store values are non-empty)`);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > PARAMETER_LIMITS.valueBytes) problems.push(`${name}: the value has ${bytes} bytes, over the ${PARAMETER_LIMITS.valueBytes}-byte limit of a standard parameter`);
    if (name.length > PARAMETER_LIMITS.nameLength) problems.push(`${name}: the name is over ${PARAMETER_LIMITS.nameLength} characters`);
    if (segments.length > PARAMETER_LIMITS.depth) problems.push(`${name}: ${segments.length} levels, over Parameter Store's ${PARAMETER_LIMITS.depth}`);
    if (/^(?:aws|ssm)/i.test(segments[0] ?? '')) problems.push(`${name}: names may not begin with "aws" or "ssm"`);
    entries.push({ name, value: text });
  };
  visit(config, prefixSegments);
  if (problems.length) throw new ParameterStoreError([...new Set(problems)]);
  return entries;
}

/** Options of {@link putParameters}. */
export interface PutParametersOptions {
  /** The SSM client. Default: one per container from `@fleece/aws`. */
  ssm?: SsmClientLike;
  /** The KMS key that encrypts the SecureStrings (ARN, id, alias with or without `alias/`). Default: SSM's own key. */
  kmsKey?: string;
  /** Called after each parameter is written. */
  onProgress?: (progress: { done: number; total: number; name: string }) => void;
}

/**
 * Writes entries as SecureString parameters, overwriting, one at a time (Parameter Store allows
 * few writes per second; the client's retries absorb throttling).
 *
 * @throws ParameterError naming the parameter that failed and how many were written before it.
 */
export async function putParameters(entries: readonly ParameterEntry[], options: PutParametersOptions = {}): Promise<void> {
  if (!Array.isArray(entries)) throw new TypeError('entries must be an array of { name, value }');
  checkSsm(options.ssm);
  if (options.kmsKey !== undefined && (typeof options.kmsKey !== 'string' || options.kmsKey.trim() === '')) throw new TypeError('kmsKey must be a KMS key ARN, id or alias');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('onProgress must be a function');
  if (entries.length === 0) return;
  const ssm = options.ssm ?? (await defaultSsm());
  const { PutParameterCommand } = await ssmSdk();
  const keyId = options.kmsKey === undefined ? undefined : kmsKeyId(options.kmsKey);
  let done = 0;
  for (const { name, value } of entries) {
    try {
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true, ...(keyId ? { KeyId: keyId } : {}) }));
    } catch (error) {
      throw new ParameterError(name, `writing failed after ${done} of ${entries.length} parameters were written: ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
    }
    done += 1;
    options.onProgress?.({ done, total: entries.length, name });
  }
}
