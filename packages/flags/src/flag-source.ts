/**
 * Where a flag document comes from. `load()` answers the raw document (parsed JSON), from a
 * cache when the source keeps one; {@link FeatureFlags} checks it and keeps the checked copy while
 * the source answers the same object.
 */
export interface FlagSource {
  load(): Promise<unknown>;
}

/** A source that answers what `loader` resolves to: a document in your encrypted configuration, a test fixture. */
export function documentSource(loader: () => unknown): FlagSource {
  if (typeof loader !== 'function') throw new TypeError('@fleece/flags: option "loader" must be a function, got ' + typeof loader);
  return { load: async () => loader() };
}
