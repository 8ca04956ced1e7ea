import { IdentityStore, LOCAL_ACCOUNT, LOCAL_CREDENTIALS, type LocalCredentials } from './credentials.js';
import { startService, type RequestRecord, type RunningService, type ServiceName } from './http-service.js';
import { AppConfigRegistry, type LocalAppConfig } from './services/appconfigdata.js';
import { StackRegistry, type LocalCloudFormation } from './services/cloudformation.js';
import { DynamoDbState, type DynamoDbOptions, type LocalDynamoDb } from './services/dynamodb.js';
import { KmsStore } from './services/kms.js';
import { LambdaRegistry, type LocalLambda } from './services/lambda.js';
import { SERVICES, type ServiceContext } from './services/registry.js';
import { checkObject, checkPort, checkString, invalid } from './validate.js';

/** Every service key `startLocalAws` accepts, in start order. */
export const SERVICE_NAMES: readonly ServiceName[] = Object.freeze(Object.keys(SERVICES) as ServiceName[]);

/** Options of {@link startLocalAws}. */
export interface StartLocalAwsOptions {
  /** Which services to start. Default: all of {@link SERVICE_NAMES}. */
  services?: readonly ServiceName[];
  /** A fixed port per service; unlisted services take a random free port. Everything listens on 127.0.0.1 only. */
  ports?: Partial<Record<ServiceName, number>>;
  /** The region ARNs name and `clientConfig()` sets. Default `'us-east-1'`. */
  region?: string;
  /** dynalite timings. */
  dynamodb?: DynamoDbOptions;
}

/** What to pass to an AWS SDK v3 client constructor to reach one local service. */
export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: LocalCredentials;
  /** S3 only: s3rver serves buckets by path, not by host name. */
  forcePathStyle?: boolean;
  /** S3 only: s3rver does not understand the checksums the SDK adds by default. */
  requestChecksumCalculation?: 'WHEN_REQUIRED';
  /** S3 only. */
  responseChecksumValidation?: 'WHEN_REQUIRED';
}

/** A running local AWS. */
export interface LocalAws {
  readonly region: string;
  readonly account: string;
  /** Long-lived credentials every service accepts (STS AssumeRole issues more). */
  readonly credentials: LocalCredentials;
  /** The services that were started. */
  readonly services: readonly ServiceName[];
  /** `http://127.0.0.1:<port>` of a started service; throws a TypeError for one not started. */
  endpoint(service: ServiceName): string;
  /** `new DynamoDBClient(aws.clientConfig('dynamodb'))`, and the same for every service. */
  clientConfig(service: ServiceName): LocalClientConfig;
  /**
   * Environment variables that point an unmodified SDK v3 program at these services
   * (`AWS_ENDPOINT_URL_<SERVICE>`, credentials, region), e.g. for a child process.
   */
  env(): Record<string, string>;
  /** Requests answered so far, oldest first, for one service or all; failed ones included. */
  requests(service?: ServiceName): RequestRecord[];
  /** Forgets the requests recorded so far. */
  resetRequests(): void;
  /**
   * Handlers the local Lambda invokes: `aws.lambda.register('fn', handler, { timeoutMs })`, then
   * `await aws.lambda.settled()` to wait for `Event` invocations.
   */
  readonly lambda: LocalLambda;
  /** The local DynamoDB's TTL process, run on demand: `await aws.dynamodb.deleteExpiredItems()`. */
  readonly dynamodb: LocalDynamoDb;
  /** Stacks the local CloudFormation describes: `aws.cloudformation.registerStack({ StackName, Outputs })`. */
  readonly cloudformation: LocalCloudFormation;
  /** Configuration profiles the local AppConfig Data serves: `aws.appconfig.publish(app, env, profile, { content })`. */
  readonly appconfig: LocalAppConfig;
  /**
   * Closes every socket, timer and temp directory. Safe to call more than once. Handlers of
   * `Event` invocations still running are not awaited: `await aws.lambda.settled()` first.
   */
  stop(): Promise<void>;
}


/**
 * Starts the chosen AWS services on 127.0.0.1, each on its own port (random by default), every one
 * requiring a SigV4 signature made with {@link LocalAws.credentials}.
 *
 * @example
 * const aws = await startLocalAws({ services: ['dynamodb'] });
 * const dynamo = new DynamoDBClient(aws.clientConfig('dynamodb'));
 * // ...
 * dynamo.destroy();
 * await aws.stop();
 */
export async function startLocalAws(options: StartLocalAwsOptions = {}): Promise<LocalAws> {
  checkObject('options', options);
  const services = options.services ?? SERVICE_NAMES;
  if (!Array.isArray(services) || services.length === 0 || services.some((s) => !SERVICE_NAMES.includes(s))) {
    invalid('services', `a non-empty array of ${SERVICE_NAMES.map((s) => `'${s}'`).join(', ')}`, services);
  }
  checkObject('ports', options.ports);
  for (const [service, port] of Object.entries(options.ports ?? {})) {
    if (!SERVICE_NAMES.includes(service as ServiceName)) invalid('ports', `keyed by service names`, service);
    checkPort(`ports.${service}`, port);
  }
  checkString('region', options.region);
  checkObject('dynamodb', options.dynamodb);
  const region = options.region ?? 'us-east-1';
  const account = LOCAL_ACCOUNT;
  const identities = new IdentityStore(account);
  const records: RequestRecord[] = [];
  const running = new Map<ServiceName, RunningService>();
  const wanted = SERVICE_NAMES.filter((s) => services.includes(s));

  const lambda = new LambdaRegistry(region, account);
  const dynamodb = new DynamoDbState();
  const context: ServiceContext = {
    region,
    account,
    identities,
    kms: new KmsStore(region, account),
    lambda,
    cloudformation: new StackRegistry(region, account),
    appconfig: new AppConfigRegistry(),
    dynamodb,
    ...(options.dynamodb && { dynamodbOptions: options.dynamodb }),
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all([...running.values()].map((service) => service.close()));
    })();
    return stopping;
  };

  try {
    for (const service of wanted) {
      const definition = await SERVICES[service].create(context);
      running.set(service, await startService(definition, { port: options.ports?.[service] ?? 0, identities, record: (r) => records.push(r) }));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const endpoint = (service: ServiceName): string => {
    const found = running.get(service);
    if (!found) {
      throw new TypeError(`@fleece/testing: service '${service}' was not started (started: ${[...running.keys()].join(', ')})`);
    }
    return found.endpoint;
  };

  return {
    region,
    account,
    credentials: { ...LOCAL_CREDENTIALS },
    services: Object.freeze([...wanted]),
    endpoint,
    clientConfig(service) {
      const config: LocalClientConfig = { endpoint: endpoint(service), region, credentials: { ...LOCAL_CREDENTIALS } };
      if (service === 's3') {
        config.forcePathStyle = true;
        config.requestChecksumCalculation = 'WHEN_REQUIRED';
        config.responseChecksumValidation = 'WHEN_REQUIRED';
      }
      return config;
    },
    env() {
      const env: Record<string, string> = {
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
      };
      for (const [service, found] of running) env[SERVICES[service].endpointEnv] = found.endpoint;
      if (running.has('s3')) {
        // As clientConfig('s3') does: s3rver does not understand the checksums the SDK adds by default.
        env.AWS_REQUEST_CHECKSUM_CALCULATION = 'WHEN_REQUIRED';
        env.AWS_RESPONSE_CHECKSUM_VALIDATION = 'WHEN_REQUIRED';
      }
      return env;
    },
    requests(service) {
      return records.filter((r) => service === undefined || r.service === service).map((r) => ({ ...r }));
    },
    resetRequests() {
      records.length = 0;
    },
    lambda,
    dynamodb: { deleteExpiredItems: (nowMs) => dynamodb.deleteExpiredItems(nowMs) },
    cloudformation: context.cloudformation,
    appconfig: context.appconfig,
    stop,
  };
}
