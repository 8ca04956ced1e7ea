import { AwsServiceError } from '../http-service.js';
import { epochSeconds, requireString, type JsonOperation } from '../protocols/json.js';
import { pageOf } from '../protocols/paging.js';
import { notFound, type ParameterVersion, type SsmStore } from './ssm.js';

// AWS's label rules: at most 100 characters of letters, digits, '.', '-', '_', not starting with a
// digit, "aws" or "ssm" (any case); at most 10 labels a version.
const LABEL = /^(?![0-9])(?!aws)(?!ssm)[a-zA-Z0-9._-]{1,100}$/i;
const MAX_LABELS = 10;

function metadata(store: SsmStore, name: string, version: ParameterVersion): Record<string, unknown> {
  return {
    Name: name,
    ARN: store.arn(name),
    Type: version.type,
    ...(version.keyId !== undefined && { KeyId: version.keyId }),
    LastModifiedDate: epochSeconds(version.modifiedAt),
    LastModifiedUser: `arn:aws:iam::${store.account}:user/fleece-local`,
    ...(version.description !== undefined && { Description: version.description }),
    ...(version.allowedPattern !== undefined && { AllowedPattern: version.allowedPattern }),
    Version: version.version,
    Tier: version.tier,
    Policies: [],
    DataType: 'text',
  };
}

function matches(name: string, type: string, filter: { Key?: string; Option?: string; Values?: string[] }): boolean {
  const values = filter.Values ?? [];
  const option = filter.Option ?? (filter.Key === 'Path' ? 'OneLevel' : 'Equals');
  switch (`${filter.Key}/${option}`) {
    case 'Name/Equals':
      return values.includes(name);
    case 'Name/BeginsWith':
      return values.some((v) => name.startsWith(v));
    case 'Type/Equals':
      return values.includes(type);
    case 'Path/OneLevel':
    case 'Path/Recursive':
      return values.some((v) => {
        const prefix = v.endsWith('/') ? v : `${v}/`;
        return name.startsWith(prefix) && (option === 'Recursive' || !name.slice(prefix.length).includes('/'));
      });
    default:
      throw new AwsServiceError('ValidationException', `@fleece/testing SSM filters parameters by Name, Type and Path only, not ${filter.Key}/${option}`);
  }
}

/** DescribeParameters, GetParameterHistory, LabelParameterVersion and UnlabelParameterVersion. */
export function ssmHistoryOperations(store: SsmStore): Record<string, JsonOperation> {
  const versionOf = (name: string, wanted: unknown): ParameterVersion => {
    const versions = store.history(name);
    if (!versions) throw notFound(name);
    const version = wanted === undefined ? versions[versions.length - 1] : versions.find((v) => v.version === wanted);
    if (!version) throw new AwsServiceError('ParameterVersionNotFound', `Systems Manager could not find version ${String(wanted)} of ${name}.`);
    return version;
  };
  return {
    DescribeParameters(input) {
      const filters = Array.isArray(input['ParameterFilters']) ? (input['ParameterFilters'] as Array<{ Key?: string; Option?: string; Values?: string[] }>) : [];
      const names = store.names().filter((name) => {
        const latest = store.latest(name).version;
        return filters.every((f) => matches(name, latest.type, f));
      });
      // The default page size is not documented; 10 is what SSM answers with.
      const { page, next } = pageOf(names, input['MaxResults'], input['NextToken'], { limitMember: 'MaxResults', max: 50, defaultLimit: 10, badTokenCode: 'InvalidNextToken', scope: JSON.stringify(filters) });
      return { Parameters: page.map((name) => metadata(store, name, store.latest(name).version)), ...(next && { NextToken: next }) };
    },
    GetParameterHistory(input) {
      const name = requireString(input, 'Name');
      const versions = store.history(name);
      if (!versions) throw notFound(name);
      const { page, next } = pageOf(versions, input['MaxResults'], input['NextToken'], { limitMember: 'MaxResults', max: 50, defaultLimit: 50, badTokenCode: 'InvalidNextToken', scope: name });
      return {
        Parameters: page.map((version) => ({
          ...metadata(store, name, version),
          Value: store.render({ name, version }, input['WithDecryption'] === true)['Value'],
          Labels: [...version.labels],
        })),
        ...(next && { NextToken: next }),
      };
    },
    LabelParameterVersion(input) {
      const name = requireString(input, 'Name');
      const version = versionOf(name, input['ParameterVersion']);
      const labels = Array.isArray(input['Labels']) ? (input['Labels'] as unknown[]).map(String) : [];
      const valid = labels.filter((l) => LABEL.test(l));
      const added = valid.filter((l) => !version.labels.includes(l));
      if (version.labels.length + added.length > MAX_LABELS) {
        throw new AwsServiceError('ParameterVersionLabelLimitExceeded', 'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.');
      }
      // A label names one version of a parameter: attaching it moves it.
      for (const other of store.history(name) ?? []) other.labels = other.labels.filter((l) => other === version || !added.includes(l));
      version.labels.push(...added);
      return { InvalidLabels: labels.filter((l) => !LABEL.test(l)), ParameterVersion: version.version };
    },
    UnlabelParameterVersion(input) {
      const name = requireString(input, 'Name');
      const version = versionOf(name, input['ParameterVersion']);
      const labels = Array.isArray(input['Labels']) ? (input['Labels'] as unknown[]).map(String) : [];
      const removed = labels.filter((l) => version.labels.includes(l));
      version.labels = version.labels.filter((l) => !removed.includes(l));
      return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
    },
  };
}
