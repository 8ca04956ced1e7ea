/**
 * A flag document that breaks the feature-flag schema: an unknown action, a condition without a
 * key, a time range that is not `HH:MM`, a non-boolean `when_match` on a boolean flag. The
 * message names the flag, the rule and the condition, so a broken AppConfig deployment is found
 * at once rather than read as "every flag is off".
 */
export class FlagDocumentError extends Error {
  override name = 'FlagDocumentError';

  constructor(
    message: string,
    /** Where in the document: `flag "x" › rule "y" › condition 2`. */
    readonly path: string,
  ) {
    super(path === '' ? message : `${path}: ${message}`);
  }
}

/** The flag document could not be fetched or read (AppConfig unreachable, a file missing, invalid JSON). */
export class FlagSourceError extends Error {
  override name = 'FlagSourceError';
}
