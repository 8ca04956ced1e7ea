import { userInfo } from 'node:os';
import type { Environment } from '@fleece/config';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

/** Temporary (or, without a role, the caller's own) AWS credentials for a command. */
export interface RunCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  /** The account the credentials act in. */
  account: string;
  /** Who the command runs as: the assumed role's session ARN, or the caller's ARN. */
  arn: string;
  /**
   * The region the default profile configures, when the environment variables name none: the
   * command gets it, since it no longer sees the profile.
   */
  profileRegion?: string;
}

/** How {@link environmentCredentials} reaches STS. */
export interface CredentialOptions {
  /** The environment variables that locate the default credentials, region and endpoints. */
  env: Record<string, string | undefined>;
  /** A role name (`Deployer`, `path/Deployer`) or ARN; overrides the environment's `role`. */
  role?: string;
  /** The role session's name. Default `fleece-run-<user>`. */
  sessionName?: string;
}

const STS_TIMEOUT_MS = 10_000;

/** The partition of a region: role ARNs differ in China and GovCloud. */
function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A role session name STS accepts: 2 to 64 of `[\w+=,.@-]`. */
export function defaultSessionName(env: Record<string, string | undefined>): string {
  let user = env['USER'] ?? env['USERNAME'];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'user';
    }
  }
  return `fleece-run-${user}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** The role's ARN in the environment's account, or `undefined` when there is no role to assume. */
export function roleArnOf(environment: Environment, role: string | undefined, region: string | undefined): string | undefined {
  const chosen = role ?? environment.role;
  if (chosen === undefined || chosen === '') return undefined;
  const arn = /^arn:[\w-]+:iam::(\d{12}):role\/.+$/.exec(chosen);
  if (arn) {
    if (arn[1] !== environment.account) {
      throw new CliError(`environment "${environment.name}": role ${chosen} is in account ${arn[1]}, not the environment's account ${environment.account}`, EXIT_CODES.USAGE);
    }
    return chosen;
  }
  if (chosen.startsWith('arn:') || !/^[\w+=,.@/-]+$/.test(chosen)) {
    throw new CliError(`environment "${environment.name}": role "${chosen}" is neither a role name nor a role ARN`, EXIT_CODES.USAGE);
  }
  return `arn:${partitionOf(region)}:iam::${environment.account}:role/${chosen.replace(/^\/+/, '')}`;
}

/** The region the SDK finds for `profile` in the shared config files, if any. */
async function regionOfProfile(STSClient: typeof import('@aws-sdk/client-sts').STSClient, profile: string | undefined): Promise<string | undefined> {
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return (await probe.config.region()) || undefined;
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; Code?: string };
  const name = e?.Code ?? e?.name;
  const message = e?.message ?? String(error);
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
}

/**
 * Credentials for running a command in an environment: with a role (`--role`, else the
 * environment's), STS AssumeRole of `arn:aws:iam::<account>:role/<role>` from the default
 * credentials; without one, the default credentials themselves, once STS GetCallerIdentity has
 * shown that they already act in the environment's account.
 *
 * The default credentials, region and STS endpoint are read from `options.env` as the AWS SDK reads
 * them (`AWS_ACCESS_KEY_ID`…, `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL_STS`), then from the
 * SDK's own chain (shared files, SSO, container and instance roles).
 *
 * @throws CliError naming the environment and what failed (exit code KEYS for STS and credential failures).
 */
export async function environmentCredentials(environment: Environment, options: CredentialOptions): Promise<RunCredentials> {
  const { env } = options;
  const where = `environment "${environment.name}" (account ${environment.account})`;
  const [{ AssumeRoleCommand, GetCallerIdentityCommand, STSClient }, { client }] = await Promise.all([import('@aws-sdk/client-sts'), import('@fleece/aws')]);

  const profile = env['AWS_PROFILE'] || undefined;
  const envRegion = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined;
  const profileRegion = envRegion === undefined ? await regionOfProfile(STSClient, profile) : undefined;
  // STS answers in every region: with none configured anywhere, us-east-1 will do.
  const region = envRegion ?? profileRegion ?? 'us-east-1';
  const roleArn = roleArnOf(environment, options.role, region);
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  // As the SDK's chain does: a named profile wins over keys in the environment.
  const staticCredentials =
    !profile && accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(env['AWS_SESSION_TOKEN'] && { sessionToken: env['AWS_SESSION_TOKEN'] }) } : undefined;
  const endpoint = env['AWS_ENDPOINT_URL_STS'] || env['AWS_ENDPOINT_URL'] || undefined;
  const sts = client(STSClient, {
    timeout: STS_TIMEOUT_MS,
    region,
    ...(profile && { profile }),
    ...(staticCredentials && { credentials: staticCredentials }),
    ...(endpoint && { endpoint }),
  });
  try {
    if (roleArn === undefined) {
      let identity;
      try {
        identity = await sts.send(new GetCallerIdentityCommand({}));
      } catch (error) {
        throw new CliError(`${where}: cannot check the default credentials with STS GetCallerIdentity: ${describe(error)}`, EXIT_CODES.KEYS, { cause: error });
      }
      if (identity.Account !== environment.account) {
        throw new CliError(
          `${where}: no role to assume (add "role:" to the environment or pass --role), and the default credentials are for account ${identity.Account}`,
          EXIT_CODES.KEYS,
        );
      }
      let own;
      try {
        own = await sts.config.credentials();
      } catch (error) {
        throw new CliError(`${where}: cannot resolve the default credentials: ${describe(error)}`, EXIT_CODES.KEYS, { cause: error });
      }
      return {
        accessKeyId: own.accessKeyId,
        secretAccessKey: own.secretAccessKey,
        ...(own.sessionToken && { sessionToken: own.sessionToken }),
        ...(own.expiration && { expiration: own.expiration }),
        account: environment.account,
        arn: identity.Arn ?? '',
        ...(profileRegion && { profileRegion }),
      };
    }
    let answer;
    try {
      answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.sessionName ?? defaultSessionName(env) }));
    } catch (error) {
      throw new CliError(`${where}: cannot assume role ${roleArn}: ${describe(error)}`, EXIT_CODES.KEYS, { cause: error });
    }
    const credentials = answer.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new CliError(`${where}: STS AssumeRole of ${roleArn} returned no credentials`, EXIT_CODES.KEYS);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration && { expiration: credentials.Expiration }),
      account: environment.account,
      arn: answer.AssumedRoleUser?.Arn ?? roleArn,
      ...(profileRegion && { profileRegion }),
    };
  } finally {
    sts.destroy();
  }
}
