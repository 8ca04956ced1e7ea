import { randomUUID } from 'node:crypto';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { epochSeconds, jsonService, optionalString, requireString } from '../protocols/json.js';
import { pageOf } from '../protocols/paging.js';

interface SecretVersion {
  id: string;
  string?: string;
  binary?: Buffer;
  stages: Set<string>;
  createdAt: number;
}

interface Secret {
  name: string;
  arn: string;
  description?: string;
  versions: Map<string, SecretVersion>;
  createdAt: number;
  changedAt: number;
  /** When a scheduled deletion happens; set by DeleteSecret with a recovery window. */
  deletionAt?: number;
}

const MAX_SECRET_BYTES = 65536;
const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function notFound(detail = "Secrets Manager can't find the specified secret."): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', detail);
}

/** Secrets of one local AWS, with versions and staging labels. */
export class SecretsStore {
  private readonly secrets = new Map<string, Secret>();

  constructor(
    readonly region: string,
    readonly account: string,
  ) {}

  /** Finds a secret by name, full ARN, or ARN without the random suffix. */
  resolve(secretId: string): Secret {
    for (const secret of this.secrets.values()) {
      if (secret.name === secretId || secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    throw notFound();
  }

  create(input: Record<string, unknown>): { secret: Secret; version?: SecretVersion } {
    const name = requireString(input, 'Name');
    if (name.length > 512 || !/^[A-Za-z0-9/_+=.@-]+$/.test(name)) {
      throw new AwsServiceError('ValidationException', `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@! Got ${name}`);
    }
    if ([...this.secrets.values()].some((s) => s.name === name)) {
      throw new AwsServiceError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    let suffix = '';
    for (let i = 0; i < 6; i += 1) suffix += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
    const secret: Secret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${suffix}`,
      versions: new Map(),
      createdAt: Date.now(),
      changedAt: Date.now(),
      ...(optionalString(input, 'Description') !== undefined && { description: optionalString(input, 'Description') }),
    };
    const value = secretValue(input, false);
    this.secrets.set(secret.arn, secret);
    if (!value) return { secret };
    return { secret, version: this.addVersion(secret, input, value) };
  }

  put(input: Record<string, unknown>): { secret: Secret; version: SecretVersion } {
    const secret = this.live(requireString(input, 'SecretId'));
    secret.changedAt = Date.now();
    const value = secretValue(input, true) as { string?: string; binary?: Buffer };
    return { secret, version: this.addVersion(secret, input, value) };
  }

  private addVersion(secret: Secret, input: Record<string, unknown>, value: { string?: string; binary?: Buffer }): SecretVersion {
    const id = optionalString(input, 'ClientRequestToken') ?? randomUUID();
    if (id.length < 32 || id.length > 64) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
    }
    const existing = secret.versions.get(id);
    if (existing) {
      // A retried request with the same token and value is idempotent, as in AWS.
      const same = existing.string === value.string && (existing.binary?.equals(value.binary ?? Buffer.alloc(0)) ?? value.binary === undefined);
      if (!same) throw new AwsServiceError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
      return existing;
    }
    const stagesInput = input['VersionStages'];
    const stages = Array.isArray(stagesInput) && stagesInput.length > 0 ? (stagesInput as string[]) : ['AWSCURRENT'];
    const version: SecretVersion = { id, stages: new Set(), createdAt: Date.now(), ...value };
    for (const stage of stages) {
      for (const other of secret.versions.values()) {
        if (!other.stages.delete(stage) || stage !== 'AWSCURRENT') continue;
        // The version that loses AWSCURRENT becomes AWSPREVIOUS, taking the label from the one before.
        for (const older of secret.versions.values()) older.stages.delete('AWSPREVIOUS');
        other.stages.add('AWSPREVIOUS');
      }
      version.stages.add(stage);
    }
    secret.versions.set(id, version);
    return version;
  }

  /** A secret not scheduled for deletion: AWS refuses to read or change one that is. */
  live(secretId: string): Secret {
    const secret = this.resolve(secretId);
    if (secret.deletionAt !== undefined) {
      throw new AwsServiceError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  /** Every secret, sorted by name, scheduled deletions included. */
  list(): Secret[] {
    return [...this.secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** DeleteSecret: at once with ForceDeleteWithoutRecovery, else after a 7 to 30 day window (default 30). */
  delete(input: Record<string, unknown>): { secret: Secret; deletionAt: number } {
    const secret = this.resolve(requireString(input, 'SecretId'));
    const force = input['ForceDeleteWithoutRecovery'] === true;
    const windowDays = input['RecoveryWindowInDays'];
    if (force && windowDays !== undefined) {
      throw new AwsServiceError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = windowDays ?? 30;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
      throw new AwsServiceError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    if (secret.deletionAt !== undefined && !force) {
      throw new AwsServiceError('InvalidRequestException', "You can't perform this operation on the secret because it was already scheduled for deletion.");
    }
    const deletionAt = force ? Date.now() : Date.now() + days * 24 * 60 * 60 * 1000;
    if (force) this.secrets.delete(secret.arn);
    else secret.deletionAt = deletionAt;
    return { secret, deletionAt };
  }

  get(input: Record<string, unknown>): { secret: Secret; version: SecretVersion } {
    const secret = this.live(requireString(input, 'SecretId'));
    const versionId = optionalString(input, 'VersionId');
    const givenStage = optionalString(input, 'VersionStage');
    let version: SecretVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (!version) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      if (givenStage !== undefined && !version.stages.has(givenStage)) {
        throw new AwsServiceError('InvalidRequestException', `You provided a VersionStage that is not associated to the provided VersionId.`);
      }
    } else {
      const stage = givenStage ?? 'AWSCURRENT';
      version = [...secret.versions.values()].find((v) => v.stages.has(stage));
      if (!version) throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${stage}`);
    }
    return { secret, version };
  }
}

function secretValue(input: Record<string, unknown>, required: boolean): { string?: string; binary?: Buffer } | undefined {
  const string = optionalString(input, 'SecretString');
  const binaryB64 = optionalString(input, 'SecretBinary');
  if (string !== undefined && binaryB64 !== undefined) {
    throw new AwsServiceError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (string === undefined && binaryB64 === undefined) {
    if (required) throw new AwsServiceError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  const binary = Buffer.from(binaryB64 ?? '', 'base64');
  const value = string !== undefined ? { string } : { binary };
  const size = string !== undefined ? Buffer.byteLength(string) : binary.length;
  if (size > MAX_SECRET_BYTES) {
    throw new AwsServiceError('ValidationException', `Secret value exceeds the ${MAX_SECRET_BYTES}-byte limit of Secrets Manager`);
  }
  return value;
}

/** Secrets Manager over AWS JSON 1.1 (`secretsmanager.*`). */
export function secretsManagerService(store: SecretsStore): ServiceDefinition {
  return jsonService({
    name: 'secretsmanager',
    title: 'Secrets Manager',
    signingName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    operations: {
      CreateSecret(input) {
        const { secret, version } = store.create(input);
        return { ARN: secret.arn, Name: secret.name, ...(version && { VersionId: version.id }) };
      },
      PutSecretValue(input) {
        const { secret, version } = store.put(input);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
      },
      DescribeSecret(input) {
        return describe(store.resolve(requireString(input, 'SecretId')));
      },
      ListSecrets(input) {
        const filters = Array.isArray(input['Filters']) ? (input['Filters'] as Array<{ Key?: string; Values?: string[] }>) : [];
        let secrets = store.list().filter((s) => s.deletionAt === undefined || input['IncludePlannedDeletion'] === true);
        for (const filter of filters) {
          if (filter.Key !== 'name') throw new AwsServiceError('InvalidParameterException', `@fleece/testing Secrets Manager filters by name only, not ${String(filter.Key)}`);
          // AWS: a name filter matches names that begin with a value (case-sensitive).
          secrets = secrets.filter((s) => (filter.Values ?? []).some((v) => s.name.startsWith(v)));
        }
        const { page, next } = pageOf(secrets, input['MaxResults'], input['NextToken'], {
          limitMember: 'MaxResults',
          max: 100,
          defaultLimit: 100,
          badTokenCode: 'InvalidNextTokenException',
          scope: JSON.stringify(filters),
        });
        return { SecretList: page.map(describe), ...(next && { NextToken: next }) };
      },
      DeleteSecret(input) {
        const { secret, deletionAt } = store.delete(input);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(deletionAt) };
      },
      GetSecretValue(input) {
        const { secret, version } = store.get(input);
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          ...(version.string !== undefined && { SecretString: version.string }),
          ...(version.binary !== undefined && { SecretBinary: version.binary.toString('base64') }),
          VersionStages: [...version.stages],
          CreatedDate: epochSeconds(version.createdAt),
        };
      },
    },
  });
}

/** DescribeSecret's answer, and one entry of ListSecrets. */
function describe(secret: Secret): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined && { Description: secret.description }),
    CreatedDate: epochSeconds(secret.createdAt),
    LastChangedDate: epochSeconds(secret.changedAt),
    ...(secret.deletionAt !== undefined && { DeletedDate: epochSeconds(secret.deletionAt) }),
    VersionIdsToStages: Object.fromEntries([...secret.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]])),
  };
}
