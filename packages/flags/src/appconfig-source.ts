import { client } from '@fleece/aws';
import { invalidOption, type Logger } from '@fleece/retry';
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { FlagSourceError } from './flag-errors.js';
import type { FlagSource } from './flag-source.js';

/** Which AppConfig configuration profile holds the flags, and how long a copy is kept. */
export interface AppConfigSourceOptions {
  /** The AppConfig application (name or id). */
  application: string;
  /** The AppConfig environment (name or id). */
  environment: string;
  /** The configuration profile (name or id) of type feature flags or freeform JSON. */
  profile: string;
  /**
   * How long a fetched document is answered without asking AppConfig again. Default 60 000 ms;
   * AppConfig's own poll interval (at least 15 s) is respected on top of it.
   */
  maxAgeMs?: number;
  /** The client to ask. Default: an `AppConfigDataClient` made by `@fleece/aws` on first use. */
  client?: AppConfigDataClient;
  /** Told when a refresh failed and the last document goes on being answered. */
  logger?: Pick<Logger, 'warn'>;
  /** The clock, in epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Flags from AppConfig through the AppConfig Data API: one `StartConfigurationSession`, then
 * `GetLatestConfiguration` with the token each answer hands on, no faster than the poll interval
 * AppConfig asks for; an empty answer means "unchanged". A failed refresh answers the last
 * document (and says so through `logger`); with no document yet it throws `FlagSourceError`.
 */
export function appConfigSource(options: AppConfigSourceOptions): FlagSource {
  if (options === null || typeof options !== 'object') invalidOption('flags', 'options', 'an object', options);
  for (const name of ['application', 'environment', 'profile'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') invalidOption('flags', name, 'a non-empty string', options[name]);
  }
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs < 0) invalidOption('flags', 'maxAgeMs', 'a finite number of milliseconds >= 0', maxAgeMs);
  const now = options.now ?? Date.now;
  let sdk: Promise<typeof import('@aws-sdk/client-appconfigdata')> | undefined;
  let appConfig: AppConfigDataClient | undefined = options.client;
  let token: string | undefined;
  let document: unknown;
  let fetchedAt = -Infinity;
  let nextPollAt = -Infinity;
  let refreshing: Promise<unknown> | undefined;

  async function refresh(): Promise<unknown> {
    const { AppConfigDataClient, GetLatestConfigurationCommand, StartConfigurationSessionCommand } = await (sdk ??= import('@aws-sdk/client-appconfigdata'));
    appConfig ??= client(AppConfigDataClient);
    try {
      token ??= (
        await appConfig.send(
          new StartConfigurationSessionCommand({
            ApplicationIdentifier: options.application,
            EnvironmentIdentifier: options.environment,
            ConfigurationProfileIdentifier: options.profile,
            RequiredMinimumPollIntervalInSeconds: Math.max(15, Math.ceil(maxAgeMs / 1000)),
          }),
        )
      ).InitialConfigurationToken;
      const answer = await appConfig.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
      token = answer.NextPollConfigurationToken;
      fetchedAt = now();
      nextPollAt = fetchedAt + (answer.NextPollIntervalInSeconds ?? 60) * 1000;
      const bytes = answer.Configuration;
      if (bytes !== undefined && bytes.length > 0) document = JSON.parse(Buffer.from(bytes).toString('utf8'));
      if (document === undefined) throw new Error('AppConfig answered no configuration');
      return document;
    } catch (error) {
      // A used or expired token cannot be retried: the next refresh starts a new session.
      token = undefined;
      const message = `@fleece/flags: cannot read ${options.application}/${options.environment}/${options.profile} from AppConfig: ${(error as Error).message}`;
      if (document === undefined) throw new FlagSourceError(message, { cause: error });
      options.logger?.warn(`${message}; answering the document fetched before`);
      fetchedAt = now();
      return document;
    }
  }

  return {
    load() {
      const at = now();
      if (document !== undefined && (at - fetchedAt < maxAgeMs || at < nextPollAt)) return Promise.resolve(document);
      // Overlapping invocations wait for one refresh rather than each starting their own.
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
