import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { epochSeconds, jsonService, optionalString, requireString } from '../protocols/json.js';
import type { KmsStore } from './kms.js';
import { ssmHistoryOperations } from './ssm-history.js';

type ParameterType = 'String' | 'StringList' | 'SecureString';

interface ParameterVersion {
  version: number;
  type: ParameterType;
  /** Plain for String/StringList; the base64 KMS ciphertext for SecureString, as SSM stores it. */
  value: string;
  keyId?: string;
  description?: string;
  tier: 'Standard' | 'Advanced';
  allowedPattern?: string;
  modifiedAt: number;
  /** Labels (LabelParameterVersion), at most 10 a version, each on one version of a parameter. */
  labels: string[];
}

export type { ParameterVersion };

const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];
const MAX_DEPTH = 15;
const MAX_VALUE_BYTES = { Standard: 4096, Advanced: 8192 } as const;

/** Parameter Store of one local AWS; SecureStrings are encrypted with the local KMS. */
export class SsmStore {
  private readonly parameters = new Map<string, ParameterVersion[]>();

  constructor(
    readonly kms: KmsStore,
    readonly region: string,
    readonly account: string,
  ) {}

  arn(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }

  put(input: Record<string, unknown>): { version: number; tier: string } {
    const name = requireString(input, 'Name');
    checkName(name);
    const value = input['Value'];
    if (typeof value !== 'string' || value.length === 0) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    const overwrite = input['Overwrite'] === true;
    const existing = this.parameters.get(name);
    if (existing && !overwrite) {
      throw new AwsServiceError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    if (overwrite && Array.isArray(input['Tags']) && input['Tags'].length > 0) {
      throw new AwsServiceError('ValidationException', 'Invalid request: tags and overwrite can\'t be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.');
    }
    const previous = existing?.[existing.length - 1];
    const type = (optionalString(input, 'Type') ?? previous?.type ?? 'String') as ParameterType;
    if (!TYPES.includes(type)) {
      throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`);
    }
    const tier = (optionalString(input, 'Tier') ?? previous?.tier ?? 'Standard') as 'Standard' | 'Advanced' | 'Intelligent-Tiering';
    const effectiveTier = tier === 'Intelligent-Tiering' ? (Buffer.byteLength(value) > MAX_VALUE_BYTES.Standard ? 'Advanced' : 'Standard') : tier;
    if (effectiveTier !== 'Standard' && effectiveTier !== 'Advanced') {
      throw new AwsServiceError('ValidationException', `Tier must be Standard, Advanced or Intelligent-Tiering, got ${tier}`);
    }
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES[effectiveTier]) {
      throw new AwsServiceError(
        'ValidationException',
        effectiveTier === 'Standard'
          ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
          : 'Advanced tier parameters support a maximum parameter value of 8192 characters.',
      );
    }
    const allowedPattern = optionalString(input, 'AllowedPattern') ?? previous?.allowedPattern;
    if (allowedPattern !== undefined && !new RegExp(allowedPattern).test(value)) {
      throw new AwsServiceError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`);
    }
    let keyId = optionalString(input, 'KeyId');
    if (keyId !== undefined && type !== 'SecureString') {
      throw new AwsServiceError('ValidationException', 'KeyId is required for SecureString type parameter only.');
    }
    let stored = value;
    if (type === 'SecureString') {
      keyId ??= 'alias/aws/ssm';
      try {
        stored = this.kms.encrypt(keyId, Buffer.from(value, 'utf8'), { PARAMETER_ARN: this.arn(name) }).blob.toString('base64');
      } catch (error) {
        if (error instanceof AwsServiceError && error.code === 'NotFoundException') throw new AwsServiceError('InvalidKeyId', `${keyId} is not found.`);
        throw error;
      }
    }
    const version: ParameterVersion = {
      version: (previous?.version ?? 0) + 1,
      type,
      value: stored,
      tier: effectiveTier,
      modifiedAt: Date.now(),
      labels: [],
      ...(keyId !== undefined && { keyId }),
      ...(optionalString(input, 'Description') !== undefined && { description: optionalString(input, 'Description') }),
      ...(allowedPattern !== undefined && { allowedPattern }),
    };
    this.parameters.set(name, [...(existing ?? []), version]);
    return { version: version.version, tier: effectiveTier };
  }

  /** Finds `name`, `name:version` or a parameter ARN; `undefined` when there is no such parameter. */
  find(reference: string): { name: string; version: ParameterVersion; selector?: string } | undefined {
    let name = reference;
    const arnPrefix = `arn:aws:ssm:${this.region}:${this.account}:parameter`;
    if (name.startsWith(arnPrefix)) {
      const rest = name.slice(arnPrefix.length);
      name = this.parameters.has(rest.split(':')[0] ?? '') ? rest : rest.slice(1);
    }
    let selector: string | undefined;
    const colon = name.indexOf(':');
    if (colon >= 0) {
      selector = name.slice(colon);
      name = name.slice(0, colon);
    }
    const versions = this.parameters.get(name);
    if (!versions) return undefined;
    if (selector === undefined) return { name, version: versions[versions.length - 1] as ParameterVersion };
    if (!/^:\d+$/.test(selector)) {
      const labelled = versions.find((v) => v.labels.includes(selector!.slice(1)));
      // Which error AWS gives an unknown label is not documented; ParameterVersionNotFound is observed.
      if (!labelled) throw new AwsServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${selector.slice(1)} of ${name}.`);
      return { name, version: labelled, selector };
    }
    const wanted = Number(selector.slice(1));
    const version = versions.find((v) => v.version === wanted);
    if (!version) throw new AwsServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${wanted} of ${name}.`);
    return { name, version, selector };
  }

  /** The `Parameter` shape of GetParameter(s). */
  render(found: { name: string; version: ParameterVersion; selector?: string }, withDecryption: boolean): Record<string, unknown> {
    const { name, version } = found;
    let value = version.value;
    if (version.type === 'SecureString' && withDecryption) {
      value = this.kms.decrypt(Buffer.from(version.value, 'base64'), { PARAMETER_ARN: this.arn(name) }).plaintext.toString('utf8');
    }
    return {
      Name: name,
      Type: version.type,
      Value: value,
      Version: version.version,
      LastModifiedDate: epochSeconds(version.modifiedAt),
      ARN: this.arn(name),
      DataType: 'text',
      ...(found.selector !== undefined && { Selector: found.selector }),
    };
  }

  /** Every version of a parameter, oldest first; `undefined` when there is no such parameter. */
  history(name: string): ParameterVersion[] | undefined {
    return this.parameters.get(name);
  }

  /** Every parameter name, sorted. */
  names(): string[] {
    return [...this.parameters.keys()].sort();
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw notFound(name);
  }

  /** Parameter names under `path`, sorted: direct children, or every descendant when `recursive`. */
  under(path: string, recursive: boolean): string[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.keys()]
      .filter((name) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')))
      .sort();
  }

  latest(name: string): { name: string; version: ParameterVersion } {
    const versions = this.parameters.get(name) ?? [];
    return { name, version: versions[versions.length - 1] as ParameterVersion };
  }
}

export function notFound(name: string): AwsServiceError {
  return new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
}

/** AWS's parameter name rules. */
function checkName(name: string): void {
  const fail = (message: string) => {
    throw new AwsServiceError('ValidationException', message);
  };
  if (name.length > 2048) fail('Parameter name must be at most 2048 characters.');
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    fail(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_. Got ${name}`);
  }
  if (name.includes('/') && !name.startsWith('/')) fail('Parameter name must be a fully qualified name.');
  if (name.endsWith('/') || name.includes('//')) fail(`Parameter name ${name} has an empty path segment.`);
  const first = (name.replace(/^\//, '').split('/')[0] ?? '').toLowerCase();
  if (first.startsWith('aws') || first.startsWith('ssm')) fail(`No access to reserved parameter name: ${name}.`);
  if (name.split('/').filter(Boolean).length > MAX_DEPTH) {
    throw new AwsServiceError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_DEPTH} levels.`);
  }
}

interface PathToken {
  after: string;
}

/** SSM Parameter Store over AWS JSON 1.1 (`AmazonSSM.*`). */
export function ssmService(store: SsmStore): ServiceDefinition {
  return jsonService({
    name: 'ssm',
    title: 'SSM',
    signingName: 'ssm',
    targetPrefix: 'AmazonSSM',
    operations: {
      ...ssmHistoryOperations(store),
      PutParameter(input) {
        const { version, tier } = store.put(input);
        return { Version: version, Tier: tier };
      },
      GetParameter(input) {
        const name = requireString(input, 'Name');
        const found = store.find(name);
        if (!found) throw notFound(name);
        return { Parameter: store.render(found, input['WithDecryption'] === true) };
      },
      GetParameters(input) {
        const names = input['Names'];
        if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
          throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }
        if (names.length > 10) {
          throw new AwsServiceError('ValidationException', `1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`);
        }
        const parameters: unknown[] = [];
        const invalid: string[] = [];
        for (const name of new Set(names as string[])) {
          const found = store.find(name);
          if (found) parameters.push(store.render(found, input['WithDecryption'] === true));
          else invalid.push(name);
        }
        return { Parameters: parameters, InvalidParameters: invalid };
      },
      GetParametersByPath(input) {
        const path = requireString(input, 'Path');
        if (!path.startsWith('/')) throw new AwsServiceError('ValidationException', 'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".');
        if (path.split('/').filter(Boolean).length > MAX_DEPTH) {
          throw new AwsServiceError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_DEPTH} levels.`);
        }
        const max = input['MaxResults'] ?? 10;
        if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 10) {
          throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`);
        }
        let types: string[] | undefined;
        const filters = input['ParameterFilters'];
        if (Array.isArray(filters)) {
          for (const filter of filters as Array<{ Key?: string; Option?: string; Values?: string[] }>) {
            if (filter.Key !== 'Type' || (filter.Option ?? 'Equals') !== 'Equals') {
              throw new AwsServiceError('ValidationException', `@fleece/testing SSM supports only the Type/Equals filter in GetParametersByPath, not ${filter.Key}/${filter.Option ?? 'Equals'}`);
            }
            types = filter.Values ?? [];
          }
        }
        let names = store.under(path, input['Recursive'] === true);
        const wantedTypes = types;
        if (wantedTypes) names = names.filter((n) => wantedTypes.includes(store.latest(n).version.type));
        const token = optionalString(input, 'NextToken');
        if (token !== undefined) {
          let after: string;
          try {
            after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PathToken).after;
          } catch {
            throw new AwsServiceError('ValidationException', 'The NextToken is invalid.');
          }
          names = names.filter((n) => n > after);
        }
        const page = names.slice(0, max);
        const more = names.length > page.length;
        return {
          Parameters: page.map((n) => store.render(store.latest(n), input['WithDecryption'] === true)),
          ...(more && { NextToken: Buffer.from(JSON.stringify({ after: page[page.length - 1] } satisfies PathToken)).toString('base64url') }),
        };
      },
      DeleteParameter(input) {
        store.delete(requireString(input, 'Name'));
        return {};
      },
    },
  });
}

