/**
 * The key rules masked by default: a key is masked when, lower-cased and without `-` and `_`, it
 * *contains* one of these (`X-Amz-Security-Token`, `client_secret`, `db_password`, `accessToken`,
 * `set-cookie`, `x-api-key`, `private_key` all do).
 */
export const DEFAULT_REDACT: readonly string[] = Object.freeze([
  'password',
  'secret',
  'token',
  'credential',
  'apikey',
  'authorization',
  'cookie',
  'privatekey',
  'session',
  'signature',
]);

/** The value rules, by name: shapes masked inside any string that is logged, at any depth. */
export const VALUE_RULES = Object.freeze({
  /** An AWS access key id: `AKIA…`/`ASIA…` and the other 4-letter prefixes, 20 characters. */
  'aws-access-key-id': /(?<![A-Z0-9])(?:AKIA|ASIA|AROA|AIDA|AGPA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/,
  /** An AWS secret access key: 40 of base64's characters, mixing upper case, lower case and a digit or / or +. */
  'aws-secret-access-key':
    /(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/,
  /** The token after `Bearer ` (any case): `Bearer [REDACTED]`. */
  bearer: /(?<=\b[Bb][Ee][Aa][Rr][Ee][Rr] +)[A-Za-z0-9\-._~+/]+=*/,
  /** The values of a presigned URL's `X-Amz-Signature`, `X-Amz-Credential` and `X-Amz-Security-Token` query parameters. */
  'presigned-url': /(?<=[Xx]-[Aa][Mm][Zz]-(?:[Ss]ignature|[Cc]redential|[Ss]ecurity-[Tt]oken)=)[^&\s"'#<>]+/,
});

/** The name of a built-in value rule. */
export type ValueRuleName = keyof typeof VALUE_RULES;

/** The value rules applied by default: every built-in one. */
export const DEFAULT_REDACT_VALUES: readonly ValueRuleName[] = Object.freeze(Object.keys(VALUE_RULES) as ValueRuleName[]);

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

// Keys seen in logs are a small, repeating set; caching the answer saves the normalising per key
// per line. The bound keeps memory flat when keys are generated (ids as keys).
const CACHE_LIMIT = 2048;
// No built-in shape is shorter ("Bearer x" is 8): shorter strings skip the scan.
const SHORTEST_SECRET = 8;

const normalise = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/** Decides whether a key's value is masked, and masks secret shapes in strings. Built once per root configuration. */
export class Redactor {
  readonly #names: readonly string[];
  readonly #patterns: readonly RegExp[];
  readonly #cache = new Map<string, boolean>();
  // The built-in value rules in use, as one alternation: one pass over a string.
  readonly #values: RegExp | undefined;
  readonly #flagged: readonly RegExp[];

  /** @throws TypeError naming the `redact` or `redactValues` option when an entry is invalid. */
  constructor(keys: readonly (string | RegExp)[], values: readonly (ValueRuleName | RegExp)[] = DEFAULT_REDACT_VALUES) {
    if (!Array.isArray(keys)) {
      throw new TypeError(`@fleece/log: option "redact" must be an array of key names or RegExps, got ${String(keys)}`);
    }
    const names = new Set<string>();
    const patterns: RegExp[] = [];
    for (const key of keys) {
      if (typeof key === 'string' && normalise(key) !== '') names.add(normalise(key));
      else if (key instanceof RegExp) patterns.push(key);
      else throw new TypeError(`@fleece/log: option "redact" must hold key names or RegExps, got ${JSON.stringify(key) ?? String(key)}`);
    }
    this.#names = [...names];
    this.#patterns = patterns;
    if (!Array.isArray(values)) {
      throw new TypeError(`@fleece/log: option "redactValues" must be an array of rule names or RegExps, got ${String(values)}`);
    }
    const sources: string[] = [];
    const flagged: RegExp[] = [];
    for (const rule of values) {
      const pattern = typeof rule === 'string' && Object.prototype.hasOwnProperty.call(VALUE_RULES, rule) ? VALUE_RULES[rule as ValueRuleName] : rule;
      if (!(pattern instanceof RegExp)) {
        throw new TypeError(
          `@fleece/log: option "redactValues" must hold RegExps or ${Object.keys(VALUE_RULES).join(', ')}, got ${JSON.stringify(rule) ?? String(rule)}`,
        );
      }
      // Built-in rules share one pass; a RegExp of the user's keeps its own flags and groups.
      if (typeof rule === 'string') sources.push(`(?:${pattern.source})`);
      else flagged.push(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
    }
    this.#values = sources.length > 0 ? new RegExp(sources.join('|'), 'g') : undefined;
    this.#flagged = flagged;
  }

  /** True when nothing is ever masked, so callers can skip the checks. */
  get empty(): boolean {
    return this.#names.length === 0 && this.#patterns.length === 0 && this.#values === undefined && this.#flagged.length === 0;
  }

  /** True when the value under `key` must be masked. */
  matches(key: string): boolean {
    let hit = this.#cache.get(key);
    if (hit === undefined) {
      const normal = normalise(key);
      // A global or sticky RegExp keeps lastIndex between calls; reset it so answers do not alternate.
      hit = this.#names.some((name) => normal.includes(name)) || this.#patterns.some((pattern) => ((pattern.lastIndex = 0), pattern.test(key)));
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(key, hit);
    }
    return hit;
  }

  /** `text` with every secret shape replaced by {@link REDACTED}; the same string when there is none. */
  scrub(text: string): string {
    if (text.length < SHORTEST_SECRET) return text;
    let result = this.#values === undefined ? text : text.replace(this.#values, REDACTED);
    for (const pattern of this.#flagged) result = result.replace(pattern, REDACTED);
    return result;
  }
}
