/**
 * The keys masked by default, at any depth and in any case: the places secrets most often hide in
 * headers, events and SDK errors.
 */
export const DEFAULT_REDACT: readonly string[] = Object.freeze(['authorization', 'cookie', 'password', 'secret', 'token']);

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

// Keys seen in logs are a small, repeating set; caching the answer saves a toLowerCase per key per
// line. The bound keeps memory flat when keys are generated (ids as keys).
const CACHE_LIMIT = 2048;

/** Decides whether a key's value is masked. Built once per root configuration. */
export class Redactor {
  readonly #names: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #cache = new Map<string, boolean>();

  /** @throws TypeError naming the `redact` option when an entry is neither a string nor a RegExp. */
  constructor(keys: readonly (string | RegExp)[]) {
    if (!Array.isArray(keys)) {
      throw new TypeError(`@fleece/log: option "redact" must be an array of key names or RegExps, got ${String(keys)}`);
    }
    const names = new Set<string>();
    const patterns: RegExp[] = [];
    for (const key of keys) {
      if (typeof key === 'string') names.add(key.toLowerCase());
      else if (key instanceof RegExp) patterns.push(key);
      else throw new TypeError(`@fleece/log: option "redact" must hold key names or RegExps, got ${String(key)}`);
    }
    this.#names = names;
    this.#patterns = patterns;
  }

  /** True when nothing is ever masked, so callers can skip the checks. */
  get empty(): boolean {
    return this.#names.size === 0 && this.#patterns.length === 0;
  }

  /** True when the value under `key` must be masked. */
  matches(key: string): boolean {
    let hit = this.#cache.get(key);
    if (hit === undefined) {
      // A global or sticky RegExp keeps lastIndex between calls; reset it so answers do not alternate.
      hit = this.#names.has(key.toLowerCase()) || this.#patterns.some((pattern) => ((pattern.lastIndex = 0), pattern.test(key)));
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(key, hit);
    }
    return hit;
  }
}
