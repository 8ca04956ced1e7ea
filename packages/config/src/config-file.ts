import type { Document } from 'yaml';
import { fromBase64, open, seal } from './aes.js';
import { mapLimit } from './concurrency.js';
import { ConfigFormatError, DecryptionError, MissingStageValueError } from './errors.js';
import type { KeyProvider } from './key-provider.js';
import { isPlainObject, matchName, Stages, type NameMatch, type StageDefinition } from './stages.js';
import { clone, describe, ENCRYPT, isPerStage, LEGACY, SEALED, setAt, walk, type ConfigValue, type Leaf, type TreePath } from './tree.js';
import { documentText, parseText, patchScalars, yamlText } from './yaml-text.js';

/** The version of the `envelope` section this package writes and reads. */
export const ENVELOPE_VERSION = 1;

/** One data key of a closed file, wrapped by the key it is stored under. */
export interface EnvelopeKey {
  /** The key reference as written in `stages`. */
  key: string;
  /** The wrapped data key, base64. */
  dataKey: string;
}

/** Options every file operation takes. */
export interface FileOptions {
  /** Where data keys come from (KMS, local key files). */
  keys: KeyProvider;
  /** The file or stream name used in error messages. Default `config.yml` (`stdin` for import). */
  source?: string;
}

/** What `importConfig` produced. */
export interface ImportResult {
  /** The closed file's text, safe to commit. */
  text: string;
  /** How many `:encrypt:` values were sealed. */
  sealed: number;
  /** The keys that got a data key, one GenerateDataKey each. */
  keys: string[];
}

/** A stage's resolved configuration. */
export interface RenderResult {
  /** The stage asked for. */
  stage: string;
  /** The `stages` entry it matched, and any other regex names that matched too. */
  match: NameMatch<StageDefinition>;
  /** The configuration with per-stage values chosen and secrets decrypted. */
  config: ConfigValue;
  /** Per-stage values where more than one `+/regex/` key matched; the first in file order won. */
  ambiguities: { path: string; chosen: string; alsoMatched: string[] }[];
}

interface Sections {
  stages: Stages;
  config: Record<string, unknown>;
  envelope: EnvelopeKey[];
}

const SEALED_VALUE = /^:envelope:(\d+):(.*)$/s;
const LEGACY_CONCURRENCY = 8;

function aad(path: TreePath): Buffer {
  return Buffer.from(JSON.stringify(path));
}

function sections(value: unknown, mode: 'open' | 'closed', source: string): Sections {
  if (value === null || value === undefined) throw new ConfigFormatError('', `${source} is empty; expected a map with "stages" and "config"`);
  if (!isPlainObject(value)) throw new ConfigFormatError('', `${source} must be a map with "stages" and "config"`);
  const allowed = mode === 'open' ? ['stages', 'config'] : ['stages', 'config', 'envelope'];
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length) {
    const hint = mode === 'open' && unknown.includes('envelope') ? ' (this looks like a closed config.yml; import takes the open form that export writes)' : '';
    throw new ConfigFormatError('', `${source}: unknown top-level key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${allowed.join(', ')}${hint}`);
  }
  const config = value['config'] ?? {};
  if (!isPlainObject(config)) throw new ConfigFormatError('config', 'must be a map of names to values');
  return { stages: Stages.parse(value['stages']), config, envelope: mode === 'closed' ? parseEnvelope(value['envelope']) : [] };
}

function parseEnvelope(raw: unknown): EnvelopeKey[] {
  if (raw === undefined || raw === null) return [];
  const shape = 'must be { version: 1, keys: [{ key, dataKey }] } as import writes it';
  if (!isPlainObject(raw)) throw new ConfigFormatError('envelope', shape);
  if (raw['version'] !== ENVELOPE_VERSION) throw new ConfigFormatError('envelope.version', `is ${JSON.stringify(raw['version'])}; this version of @fleece/config reads version ${ENVELOPE_VERSION}`);
  const keys = raw['keys'];
  if (!Array.isArray(keys)) throw new ConfigFormatError('envelope.keys', shape);
  return keys.map((entry, index) => {
    if (!isPlainObject(entry) || typeof entry['key'] !== 'string' || typeof entry['dataKey'] !== 'string') throw new ConfigFormatError(`envelope.keys[${index}]`, shape);
    return { key: entry['key'], dataKey: entry['dataKey'] };
  });
}

/**
 * Turns the open form (YAML or JSON) into the closed form: every `:encrypt:` value sealed with
 * AES-256-GCM under a data key of its stage's key, with the value's path as associated data.
 * One GenerateDataKey per distinct stage key, whatever the number of values; none when there is
 * nothing to encrypt. Comments and layout of YAML input are kept.
 *
 * @throws ConfigSyntaxError, ConfigFormatError (an `:encrypt:` value outside a per-stage map, a
 * map mixing `+` and plain keys, a per-stage key no stage matches, an encrypted value in the
 * input), KeyProviderError.
 */
export async function importConfig(text: string, options: FileOptions): Promise<ImportResult> {
  const source = options.source ?? 'stdin';
  const { document, value } = await parseText(text, source);
  const { stages, config } = sections(value, 'open', source);
  const pending: { leaf: Leaf; key: string }[] = [];
  walk(config, (leaf) => {
    if (leaf.value.startsWith(SEALED) || leaf.value.startsWith(LEGACY)) {
      throw new ConfigFormatError(describe(leaf.path), 'holds an encrypted value; import takes the open form (run "fleece config export" to get it)');
    }
    if (!leaf.value.startsWith(ENCRYPT)) return;
    if (leaf.stage === undefined) {
      throw new ConfigFormatError(describe(leaf.path), ':encrypt: is allowed only in per-stage values ("+stage" keys), so that each secret is encrypted with its stage\'s key');
    }
    const key = stages.keyFor(leaf.stage);
    if (key === undefined) throw new ConfigFormatError(describe(leaf.path), `the per-stage key "+${leaf.stage}" matches no stage in "stages", so there is no key to encrypt with`);
    pending.push({ leaf, key });
  });

  const refs = [...new Set(pending.map(({ key }) => key))];
  const generated = await Promise.all(refs.map(async (key, index) => ({ key, index, dataKey: await options.keys.generateDataKey(key) })));
  const byKey = new Map(generated.map((entry) => [entry.key, entry]));
  try {
    const replacements = pending.map(({ leaf, key }) => {
      const { index, dataKey } = byKey.get(key) as (typeof generated)[number];
      const blob = seal(dataKey.plaintext, Buffer.from(leaf.value.slice(ENCRYPT.length), 'utf8'), aad(leaf.path));
      return { path: ['config', ...leaf.path], value: `${SEALED}${index}:${blob.toString('base64')}` };
    });
    const envelope = refs.length ? { version: ENVELOPE_VERSION, keys: generated.map(({ key, dataKey }) => ({ key, dataKey: dataKey.ciphertext.toString('base64') })) } : undefined;
    const text = await rewrite(document, value as Record<string, unknown>, replacements, (target) => {
      if (envelope) target.set('envelope', envelope);
    });
    return { text, sealed: pending.length, keys: refs };
  } finally {
    for (const { dataKey } of generated) dataKey.plaintext.fill(0);
  }
}

interface Target {
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

async function rewrite(document: Document, value: Record<string, unknown>, replacements: { path: TreePath; value: string }[], finish: (target: Target) => void): Promise<string> {
  const block = (document.contents as { flow?: boolean } | null)?.flow !== true;
  if (block && patchScalars(document, replacements)) {
    finish({ set: (key, item) => document.set(key, document.createNode(item)), delete: (key) => document.delete(key) });
    return documentText(document);
  }
  // JSON input, or YAML whose secrets sit behind anchors: write a fresh YAML document.
  const fresh = clone(value);
  for (const { path, value: item } of replacements) setAt(fresh, path, item);
  finish({ set: (key, item) => (fresh[key] = item), delete: (key) => delete fresh[key] });
  return yamlText(fresh);
}

/** A decryptor for the sealed and legacy values of one closed file, unwrapping each data key once. */
function decryptor(envelope: EnvelopeKey[], keys: KeyProvider) {
  const unwrapped = new Map<number, Promise<Buffer>>();
  const dataKey = (index: number, where: string) => {
    let found = unwrapped.get(index);
    if (!found) {
      const entry = envelope[index];
      if (!entry) return Promise.reject(new DecryptionError(where, `it refers to data key ${index}, which the envelope section does not have`));
      const wrapped = fromBase64(entry.dataKey);
      if (!wrapped) return Promise.reject(new ConfigFormatError(`envelope.keys[${index}].dataKey`, 'is not base64'));
      found = keys.decryptDataKey(entry.key, wrapped);
      unwrapped.set(index, found);
    }
    return found;
  };
  return {
    async decrypt(leaf: Leaf): Promise<string> {
      const where = describe(leaf.path);
      if (leaf.value.startsWith(LEGACY)) {
        const blob = fromBase64(leaf.value.slice(LEGACY.length));
        if (!blob) throw new DecryptionError(where, 'the :decrypt: value is not base64');
        return (await keys.decryptLegacy(blob)).toString('utf8');
      }
      const parts = SEALED_VALUE.exec(leaf.value);
      const blob = parts ? fromBase64(parts[2] as string) : undefined;
      if (!parts || !blob) throw new DecryptionError(where, 'the :envelope: value is malformed');
      const key = await dataKey(Number(parts[1]), where);
      try {
        return open(key, blob, aad(leaf.path)).toString('utf8');
      } catch (error) {
        throw new DecryptionError(where, (error as Error).message, { cause: error });
      }
    },
    wipe() {
      for (const key of unwrapped.values()) key.then((bytes) => bytes.fill(0), () => undefined);
    },
  };
}

function isEncrypted(value: string): boolean {
  return value.startsWith(SEALED) || value.startsWith(LEGACY);
}

function checkClosedLeaf(leaf: Leaf, mode: 'export' | 'render'): boolean {
  if (isEncrypted(leaf.value)) {
    if (leaf.stage === undefined) throw new ConfigFormatError(describe(leaf.path), 'holds an encrypted value outside a per-stage value; encrypted values belong under "+stage" keys');
    return true;
  }
  if (mode === 'render' && leaf.value.startsWith(ENCRYPT)) {
    throw new ConfigFormatError(describe(leaf.path), 'holds an :encrypt: value that was never encrypted (a secret in plain text in config.yml); run "fleece config edit" to fix it');
  }
  return false;
}

/**
 * Turns the closed form back into the open form for editing: sealed values and the Python
 * fleece's `:decrypt:` values become `:encrypt:` values again, and the envelope section goes.
 * One KMS Decrypt per data key, plus one per Python value. YAML comments are kept.
 *
 * @throws ConfigSyntaxError, ConfigFormatError, DecryptionError (naming the value's path),
 * KeyProviderError.
 */
export async function exportConfig(text: string, options: FileOptions & { format?: 'yaml' | 'json' }): Promise<string> {
  const source = options.source ?? 'config.yml';
  const { document, value } = await parseText(text, source);
  const { config, envelope } = sections(value, 'closed', source);
  const leaves: Leaf[] = [];
  walk(config, (leaf) => {
    if (checkClosedLeaf(leaf, 'export')) leaves.push(leaf);
  });
  const decrypt = decryptor(envelope, options.keys);
  try {
    const plaintexts = await mapLimit(leaves, LEGACY_CONCURRENCY, (leaf) => decrypt.decrypt(leaf));
    const replacements = leaves.map((leaf, index) => ({ path: ['config', ...leaf.path], value: `${ENCRYPT}${plaintexts[index]}` }));
    if (options.format === 'json') {
      const open = clone(value) as Record<string, unknown>;
      for (const { path, value: item } of replacements) setAt(open, path, item);
      delete open['envelope'];
      return `${JSON.stringify(open, null, 2)}\n`;
    }
    return await rewrite(document, value as Record<string, unknown>, replacements, (target) => target.delete('envelope'));
  } finally {
    decrypt.wipe();
  }
}

/**
 * Resolves one stage's configuration from the closed form: the stage matched against `stages`
 * (exact name, then regex names in file order), each per-stage value chosen the same way, and the
 * chosen secrets decrypted. Falsy values (0, false, "", null) are values like any other.
 *
 * @throws UnknownStageError, MissingStageValueError, ConfigFormatError, DecryptionError,
 * KeyProviderError.
 */
export async function renderConfig(text: string, stage: string, options: FileOptions): Promise<RenderResult> {
  if (typeof stage !== 'string' || stage === '') throw new TypeError('stage must be a non-empty string');
  const source = options.source ?? 'config.yml';
  const { value } = await parseText(text, source);
  const { stages, config, envelope } = sections(value, 'closed', source);
  walk(config, (leaf) => void checkClosedLeaf(leaf, 'render'));
  const match = stages.resolve(stage);
  const ambiguities: RenderResult['ambiguities'] = [];
  const secrets: { leaf: Leaf; at: TreePath }[] = [];

  const resolve = (node: unknown, path: TreePath, at: TreePath): ConfigValue => {
    if (Array.isArray(node)) return node.map((item, index) => resolve(item, [...path, index], [...at, index]));
    if (isPlainObject(node)) {
      if (isPerStage(node, path)) {
        const entries = Object.entries(node).map(([key, item]) => [key.slice(1), item] as const);
        const chosen = matchName(entries, stage, describe(path));
        if (!chosen) throw new MissingStageValueError(describe(path), stage, Object.keys(node));
        if (chosen.alsoMatched.length) ambiguities.push({ path: describe(path), chosen: `+${chosen.name}`, alsoMatched: chosen.alsoMatched.map((name) => `+${name}`) });
        return resolve(chosen.value, [...path, `+${chosen.name}`], at);
      }
      const out: Record<string, ConfigValue> = {};
      for (const [key, item] of Object.entries(node)) out[key] = resolve(item, [...path, key], [...at, key]);
      return out;
    }
    if (typeof node === 'string' && isEncrypted(node)) secrets.push({ leaf: { path, value: node, stage }, at });
    return node as ConfigValue;
  };
  const resolved = { root: resolve(config, [], []) };

  const decrypt = decryptor(envelope, options.keys);
  try {
    const plaintexts = await mapLimit(secrets, LEGACY_CONCURRENCY, ({ leaf }) => decrypt.decrypt(leaf));
    secrets.forEach(({ at }, index) => setAt(resolved, ['root', ...at], plaintexts[index]));
  } finally {
    decrypt.wipe();
  }
  return { stage, match, config: resolved.root, ambiguities };
}

/**
 * The open form of a new configuration, one stage per environment of environments.yml (or a
 * single `dev` stage), for `export` and `edit` when there is no config.yml yet.
 */
export async function templateConfig(environments: readonly string[] = [], format: 'yaml' | 'json' = 'yaml'): Promise<string> {
  const names = environments.length ? environments : ['dev'];
  const value = {
    stages: Object.fromEntries(names.map((name) => [name, { environment: name, key: `alias/${name}-config` }])),
    config: {},
  };
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : yamlText(value);
}

/** The validated `stages` section of a configuration file (open or closed form). */
export async function stagesOf(text: string, source = 'config.yml'): Promise<Stages> {
  const { value } = await parseText(text, source);
  return sections(value, 'closed', source).stages;
}
