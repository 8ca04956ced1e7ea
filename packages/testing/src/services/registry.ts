import type { IdentityStore } from '../credentials.js';
import { appConfigDataService, type AppConfigRegistry } from './appconfigdata.js';
import type { ServiceDefinition, ServiceName } from '../http-service.js';
import { cloudFormationService, type StackRegistry } from './cloudformation.js';
import { dynamodbService, type DynamoDbOptions, type DynamoDbState } from './dynamodb.js';
import { kmsService, type KmsStore } from './kms.js';
import { lambdaService, type LambdaRegistry } from './lambda.js';
import { s3Service } from './s3.js';
import { SecretsStore, secretsManagerService } from './secretsmanager.js';
import { SsmStore, ssmService } from './ssm.js';
import { stsService } from './sts.js';

/** What one `startLocalAws()` shares between its services. */
export interface ServiceContext {
  region: string;
  account: string;
  identities: IdentityStore;
  kms: KmsStore;
  lambda: LambdaRegistry;
  cloudformation: StackRegistry;
  appconfig: AppConfigRegistry;
  dynamodb: DynamoDbState;
  dynamodbOptions?: DynamoDbOptions;
}

/** How a service is started and described. */
export interface ServiceRegistration {
  /** The SDK's service-specific endpoint variable, e.g. `AWS_ENDPOINT_URL_S3`. */
  endpointEnv: string;
  create(context: ServiceContext): ServiceDefinition | Promise<ServiceDefinition>;
  /** For the README: what AWS does that this local service deliberately does not. */
  notEmulated: string;
}

/**
 * Every local service, in start order. A new service is one entry here (and its name in
 * `ServiceName`); `startLocalAws`, `env()` and the README's operations table follow from it.
 */
export const SERVICES: Readonly<Record<ServiceName, ServiceRegistration>> = {
  dynamodb: {
    endpointEnv: 'AWS_ENDPOINT_URL_DYNAMODB',
    create: (c) => dynamodbService(c.dynamodbOptions, c.dynamodb),
    notEmulated: 'PartiQL, backups, global tables, streams, imports and exports; capacity and throttling; TTL settles at once (AWS takes up to an hour) and deletes on `deleteExpiredItems()` only',
  },
  s3: {
    endpointEnv: 'AWS_ENDPOINT_URL_S3',
    create: () => s3Service(),
    notEmulated: 'versioning, object lock, bucket policies and ACL enforcement, lifecycle, notifications, checksums other than MD5, SSE-KMS, virtual-hosted bucket names; signatures are checked by this package, not by s3rver',
  },
  kms: {
    endpointEnv: 'AWS_ENDPOINT_URL_KMS',
    create: (c) => kmsService(c.kms),
    notEmulated: 'asymmetric and HMAC keys, key policies and grants, key rotation, scheduled deletion, multi-Region keys; AWS-managed aliases appear in ListAliases only once used',
  },
  ssm: {
    endpointEnv: 'AWS_ENDPOINT_URL_SSM',
    create: (c) => ssmService(new SsmStore(c.kms, c.region, c.account)),
    notEmulated: 'parameter policies, the `aws:ec2:image` data type, public parameters (`/aws/service/…`), DescribeParameters filters other than Name, Type and Path',
  },
  secretsmanager: {
    endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    create: (c) => secretsManagerService(new SecretsStore(c.region, c.account)),
    notEmulated: 'rotation, replication, resource policies, KMS encryption of secret values, ListSecrets filters other than name, deletion after the recovery window',
  },
  sts: {
    endpointEnv: 'AWS_ENDPOINT_URL_STS',
    create: (c) => stsService(c.identities),
    notEmulated: 'IAM policies (every role can be assumed), federation and web identity, MFA',
  },
  lambda: {
    endpointEnv: 'AWS_ENDPOINT_URL_LAMBDA',
    create: (c) => lambdaService(c.lambda),
    notEmulated: "deployment (functions are handlers registered in-process), versions and aliases as resources, Event retries and destinations, response streaming",
  },
  cloudformation: {
    endpointEnv: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
    create: (c) => cloudFormationService(c.cloudformation),
    notEmulated: 'deploying templates: stacks and their resources are registered by the test',
  },
  appconfigdata: {
    endpointEnv: 'AWS_ENDPOINT_URL_APPCONFIGDATA',
    create: (c) => appConfigDataService(c.appconfig),
    notEmulated: 'the AppConfig control plane (profiles are published by the test), deployment strategies and rollbacks, refusing polls faster than the interval',
  },
};
