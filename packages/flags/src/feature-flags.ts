import { invalidOption, type Logger } from '@fleece/retry';
import { evaluateFlag, type FlagContext } from './evaluate.js';
import { parseFlagDocument, type FlagDocument } from './flag-document.js';
import type { FlagSource } from './flag-source.js';

/** How {@link FeatureFlags} reads and evaluates its document. */
export interface FeatureFlagsOptions {
  /** Where the document comes from: `appConfigSource`, `fileSource` or `documentSource`. */
  source: FlagSource;
  /** Told when a document could not be loaded and the caller's default was answered. Default: none. */
  logger?: Pick<Logger, 'warn'>;
  /** The clock of the schedule conditions. Default: `() => new Date()`. */
  now?: () => Date;
}

/**
 * Feature flags from a document in Powertools' feature-flag schema, so a team's existing AppConfig
 * profile works unchanged. The document is checked when it is loaded: a malformed one is a
 * `FlagDocumentError` naming the flag and rule, never a silent `false`.
 */
export class FeatureFlags {
  private readonly source: FlagSource;
  private readonly logger: Pick<Logger, 'warn'> | undefined;
  private readonly now: () => Date;
  private checked: { raw: unknown; document: FlagDocument } | undefined;

  /** @throws TypeError naming the option when an option is invalid. */
  constructor(options: FeatureFlagsOptions) {
    if (options === null || typeof options !== 'object') invalidOption('flags', 'options', 'an object', options);
    if (typeof options.source?.load !== 'function') invalidOption('flags', 'source', 'a FlagSource with load()', options.source);
    if (options.logger !== undefined && typeof options.logger?.warn !== 'function') invalidOption('flags', 'logger', 'a logger with warn()', options.logger);
    if (options.now !== undefined && typeof options.now !== 'function') invalidOption('flags', 'now', 'a function returning a Date', options.now);
    this.source = options.source;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The value of flag `name` for `context`. A flag absent from the document answers `fallback`;
   * so does every flag when the source cannot be read (logged through `logger`).
   *
   * @throws FlagDocumentError when the document breaks the schema.
   */
  async evaluate<T>(name: string, context: FlagContext, fallback: T): Promise<T> {
    const document = await this.document();
    const flag = document?.get(name);
    if (flag === undefined) return fallback;
    return evaluateFlag(flag, context ?? {}, this.now()) as T;
  }

  /**
   * The names of the boolean flags that are on for `context`.
   *
   * @throws FlagDocumentError when the document breaks the schema.
   */
  async enabledFeatures(context: FlagContext): Promise<string[]> {
    const document = await this.document();
    if (document === undefined) return [];
    const now = this.now();
    return [...document.values()].filter((flag) => flag.boolean && evaluateFlag(flag, context ?? {}, now) === true).map((flag) => flag.name);
  }

  /** The checked document, or `undefined` when the source failed (a document error is thrown). */
  private async document(): Promise<FlagDocument | undefined> {
    let raw: unknown;
    try {
      raw = await this.source.load();
    } catch (error) {
      this.logger?.warn('@fleece/flags: the flag document could not be loaded; answering defaults', { error });
      return undefined;
    }
    // Sources answer the same object while their cache holds, so each document is checked once.
    const checked = this.checked;
    if (checked !== undefined && checked.raw === raw) return checked.document;
    const document = parseFlagDocument(raw);
    this.checked = { raw, document };
    return document;
  }
}
