import { ConfigFormatError, UnknownStageError } from './errors.js';

/** One entry of the `stages` map: the environment it deploys to and the key that guards its secrets. */
export interface StageDefinition {
  /** The environment name (looked up in environments.yml when that file exists). */
  environment?: string;
  /** KMS key ARN, key id, alias with or without `alias/`, or `local:<path>` for a local key file. */
  key: string;
}

/** The outcome of matching a name against exact names and `/regex/` names. */
export interface NameMatch<T> {
  /** The entry that matched, as written (`prod`, `/dev-.*\/`). */
  name: string;
  value: T;
  /** `exact` for an equal name, `pattern` for a regex name. */
  by: 'exact' | 'pattern';
  /** Regex names that also matched but lost to `name`, which comes first in the file. */
  alsoMatched: string[];
}

/** Whether a stage name (or per-stage key without its `+`) is a `/regex/` name. */
export function isPattern(name: string): boolean {
  return name.length >= 2 && name.startsWith('/') && name.endsWith('/');
}

const compiled = new Map<string, RegExp>();

/**
 * The full-match regular expression of a `/regex/` name. The source is JavaScript regex syntax
 * (close to Python's for the patterns stage names use); a pattern must match the whole name,
 * so `/dev/` matches `dev` only, never `devops`.
 */
export function patternOf(name: string, where = name): RegExp {
  let re = compiled.get(name);
  if (!re) {
    try {
      re = new RegExp(`^(?:${name.slice(1, -1)})$`);
    } catch (error) {
      throw new ConfigFormatError(where, `"${name}" is not a valid regular expression: ${(error as Error).message}`, { cause: error });
    }
    compiled.set(name, re);
  }
  return re;
}

/**
 * Matches `name` against `entries` the way fleece matches stages: an exact name first; failing
 * that, the regex names in the order given (file order), each a full match. The first regex that
 * matches wins; the others that also match are reported in `alsoMatched` so the ambiguity is
 * visible rather than silently resolved (the Python version tried them in random order).
 */
export function matchName<T>(entries: Iterable<readonly [string, T]>, name: string, where = ''): NameMatch<T> | undefined {
  const list = [...entries];
  for (const [key, value] of list) {
    if (key === name) return { name: key, value, by: 'exact', alsoMatched: [] };
  }
  let found: NameMatch<T> | undefined;
  for (const [key, value] of list) {
    if (!isPattern(key) || !patternOf(key, where).test(name)) continue;
    if (found) found.alsoMatched.push(key);
    else found = { name: key, value, by: 'pattern', alsoMatched: [] };
  }
  return found;
}

/** A parsed, validated `stages` map in file order. */
export class Stages {
  private constructor(private readonly entries: readonly (readonly [string, StageDefinition])[]) {}

  /** Validates the `stages` section of a configuration file. */
  static parse(raw: unknown): Stages {
    if (raw === undefined || raw === null) return new Stages([]);
    if (!isPlainObject(raw)) throw new ConfigFormatError('stages', 'must be a map of stage names to { environment, key }');
    const entries: [string, StageDefinition][] = [];
    for (const [name, definition] of Object.entries(raw)) {
      const where = `stages.${name}`;
      if (name === '') throw new ConfigFormatError('stages', 'a stage name is empty');
      if (isPattern(name)) patternOf(name, where);
      if (!isPlainObject(definition)) throw new ConfigFormatError(where, 'must be a map with a "key" (and usually an "environment")');
      const { key, environment, ...rest } = definition;
      if (typeof key !== 'string' || key.trim() === '') throw new ConfigFormatError(where, '"key" must be a KMS key ARN, id or alias, or local:<path>');
      if (environment !== undefined && typeof environment !== 'string') throw new ConfigFormatError(where, '"environment" must be a string');
      const unknown = Object.keys(rest);
      if (unknown.length) throw new ConfigFormatError(where, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a stage has "environment" and "key")`);
      entries.push([name, environment === undefined ? { key } : { environment, key }]);
    }
    return new Stages(entries);
  }

  /** Stage names in file order. */
  get names(): string[] {
    return this.entries.map(([name]) => name);
  }

  /** Every definition in file order. */
  list(): (readonly [string, StageDefinition])[] {
    return [...this.entries];
  }

  /** Matches a stage name (exact first, then regex names in file order); `undefined` when none matches. */
  match(stage: string): NameMatch<StageDefinition> | undefined {
    return matchName(this.entries, stage, 'stages');
  }

  /** Like {@link Stages.match} but throws {@link UnknownStageError} when no stage matches. */
  resolve(stage: string): NameMatch<StageDefinition> {
    const found = this.match(stage);
    if (!found) throw new UnknownStageError(stage, this.names);
    return found;
  }

  /**
   * The key that encrypts the values under a per-stage key `+name`: the stage named exactly
   * `name` (so `+/.*\/` uses the `/.*\/` stage), else the stage that a plain `name` matches.
   */
  keyFor(name: string): string | undefined {
    const exact = this.entries.find(([key]) => key === name);
    if (exact) return exact[1].key;
    if (isPattern(name)) return undefined;
    return this.match(name)?.value.key;
  }
}

/** A non-null object that is not an array: a YAML mapping after parsing. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
