import { randomBytes } from 'node:crypto';
import { AwsServiceError, type RequestHead, type ServiceDefinition } from '../http-service.js';
import { JSON_AUTH_ERRORS } from '../protocols/json.js';
import { checkString, invalid } from '../validate.js';

/** One deployed version of a configuration profile. */
export interface PublishedConfiguration {
  /** The bytes clients receive; a string is sent as UTF-8, an object as JSON. */
  content: string | Buffer | object;
  /** Default `application/json`. */
  contentType?: string;
  /** Sent as `Version-Label`. */
  versionLabel?: string;
}

/** Profiles the local AppConfig Data serves: publish one, then publish again to deploy a new version. */
export interface LocalAppConfig {
  /** Deploys `configuration` as the newest version of application/environment/profile. */
  publish(application: string, environment: string, profile: string, configuration: PublishedConfiguration): void;
  /** The poll interval every answer asks for, in seconds (default: the session's requested minimum, else 60). */
  pollIntervalSeconds?: number;
}

interface Version {
  number: number;
  bytes: Buffer;
  contentType: string;
  versionLabel: string | undefined;
}

interface Session {
  profile: string;
  /** The version this session's client holds (0: none yet). */
  held: number;
  intervalSeconds: number;
}

/** Deployed profiles and the sessions that read them. */
export class AppConfigRegistry implements LocalAppConfig {
  pollIntervalSeconds: number | undefined;
  private readonly versions = new Map<string, Version>();
  /** Live tokens: each serves one GetLatestConfiguration, as AppConfig's do. */
  private readonly tokens = new Map<string, Session>();

  publish(application: string, environment: string, profile: string, configuration: PublishedConfiguration): void {
    for (const [name, value] of [['application', application], ['environment', environment], ['profile', profile]] as const) {
      if (typeof value !== 'string' || value === '') invalid(name, 'a non-empty string', value);
    }
    if (configuration === null || typeof configuration !== 'object') invalid('configuration', 'an object', configuration);
    checkString('contentType', configuration.contentType);
    checkString('versionLabel', configuration.versionLabel);
    const { content } = configuration;
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content), 'utf8');
    const key = profileKey(application, environment, profile);
    this.versions.set(key, {
      number: (this.versions.get(key)?.number ?? 0) + 1,
      bytes,
      contentType: configuration.contentType ?? 'application/json',
      versionLabel: configuration.versionLabel,
    });
  }

  /** StartConfigurationSession. */
  start(body: Record<string, unknown>): string {
    const [application, environment, profile] = ['ApplicationIdentifier', 'EnvironmentIdentifier', 'ConfigurationProfileIdentifier'].map((field) => {
      const value = body[field];
      if (typeof value !== 'string' || value.length < 1 || value.length > 128) {
        throw new AwsServiceError('BadRequestException', `${field} must be a string of 1 to 128 characters`);
      }
      return value;
    }) as [string, string, string];
    const interval = body['RequiredMinimumPollIntervalInSeconds'];
    if (interval !== undefined && (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 15 || interval > 86400)) {
      throw new AwsServiceError('BadRequestException', 'RequiredMinimumPollIntervalInSeconds must be an integer between 15 and 86400');
    }
    const key = profileKey(application, environment, profile);
    if (!this.versions.has(key)) {
      throw new AwsServiceError('ResourceNotFoundException', `No deployed configuration for application ${application}, environment ${environment}, profile ${profile}`, 404);
    }
    return this.issue({ profile: key, held: 0, intervalSeconds: (interval as number | undefined) ?? 60 });
  }

  /** GetLatestConfiguration: the bytes when the session's client lacks the newest version, else none. */
  latest(token: string | null): { session: Session; next: string; version: Version | undefined } {
    const session = token === null ? undefined : this.tokens.get(token);
    if (token === null || session === undefined) {
      throw new AwsServiceError('BadRequestException', 'The configuration token is invalid, expired, or was already used');
    }
    this.tokens.delete(token);
    const newest = this.versions.get(session.profile);
    const fresh = newest !== undefined && newest.number !== session.held ? newest : undefined;
    const next = this.issue({ ...session, held: newest?.number ?? session.held });
    return { session, next, version: fresh };
  }

  private issue(session: Session): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, session);
    return token;
  }
}

function profileKey(application: string, environment: string, profile: string): string {
  return JSON.stringify([application, environment, profile]);
}

function appConfigOperation(head: RequestHead): string {
  if (head.method === 'POST' && head.rawPath === '/configurationsessions') return 'StartConfigurationSession';
  if (head.method === 'GET' && head.rawPath === '/configuration') return 'GetLatestConfiguration';
  return `${head.method} ${head.rawPath}`;
}

/** AppConfig Data over REST-JSON: sessions, single-use tokens, the poll interval, empty answers when unchanged. */
export function appConfigDataService(registry: AppConfigRegistry): ServiceDefinition {
  return {
    name: 'appconfigdata',
    signingName: 'appconfig',
    operations: ['StartConfigurationSession', 'GetLatestConfiguration'],
    escapePath: true,
    allowQueryAuth: false,
    bufferBody: true,
    maxBodyBytes: 64 * 1024,
    authErrors: JSON_AUTH_ERRORS,
    operationOf: appConfigOperation,
    async handle(request) {
      const operation = appConfigOperation(request);
      if (operation === 'StartConfigurationSession') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          throw new AwsServiceError('BadRequestException', 'The request body is not valid JSON');
        }
        const token = registry.start(body ?? {});
        return { status: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ InitialConfigurationToken: token }) };
      }
      if (operation === 'GetLatestConfiguration') {
        const { session, next, version } = registry.latest(request.query.get('configuration_token'));
        const headers: Record<string, string> = {
          'Next-Poll-Configuration-Token': next,
          'Next-Poll-Interval-In-Seconds': String(registry.pollIntervalSeconds ?? session.intervalSeconds),
          'Content-Type': version?.contentType ?? 'application/octet-stream',
        };
        if (version?.versionLabel !== undefined) headers['Version-Label'] = version.versionLabel;
        return { status: 200, headers, body: version?.bytes ?? Buffer.alloc(0) };
      }
      throw new AwsServiceError('UnknownOperationException', `@fleece/testing: AppConfig Data operation ${operation} is not implemented`);
    },
    renderError: (error) => ({
      status: error.status,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.code },
      body: JSON.stringify({ Message: error.message }),
    }),
  };
}
