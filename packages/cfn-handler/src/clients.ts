/** Any AWS SDK v3 client (or a stand-in): the handler only calls `send`. */
export interface SendClient {
  // The SDK's Command types are generic per service; the handler builds them itself.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** Ready-made clients to use instead of the defaults. */
export interface CustomResourceClients {
  /** Re-invokes the function to keep polling. Needs `lambda:InvokeFunction` on itself. */
  lambda?: SendClient;
  /** Reads the stack status. Needs `cloudformation:DescribeStacks`. */
  cloudFormation?: SendClient;
  /** Resolves secret references. Needs `secretsmanager:GetSecretValue` (and `kms:Decrypt` for customer keys). */
  secretsManager?: SendClient;
}

/** Configuration for the default clients, passed to `client()` of `@fleece/aws` (region, endpoint, timeouts, retry…). */
export interface CustomResourceClientConfig {
  lambda?: Record<string, unknown>;
  cloudFormation?: Record<string, unknown>;
  secretsManager?: Record<string, unknown>;
}

type ClientClass = new (config: Record<string, unknown>) => SendClient;
type MakeClient = (ClientClass: ClientClass, config: Record<string, unknown>) => SendClient;

// Loaded with the first client, like the SDK modules: a resource that never calls AWS never pays
// for @fleece/aws at cold start. It is generic over the client class; the handler only needs `send`.
async function makeClient(ClientClass: ClientClass, config: Record<string, unknown>): Promise<SendClient> {
  const { client } = await import('@fleece/aws');
  return (client as unknown as MakeClient)(ClientClass, config);
}

type Service = keyof CustomResourceClients;

/**
 * The SDK modules and clients a custom resource uses, each loaded on first use and kept for the
 * container's life (a client is connection state, not per-invocation state), so a resource that
 * never polls never loads the Lambda SDK.
 */
export class LazyClients {
  private readonly made = new Map<Service, Promise<SendClient>>();

  constructor(
    private readonly given: CustomResourceClients,
    private readonly config: CustomResourceClientConfig,
  ) {}

  /** The Lambda client and its InvokeCommand. */
  async lambda() {
    const sdk = await import('@aws-sdk/client-lambda');
    return { client: await this.get('lambda', sdk.LambdaClient as unknown as ClientClass), InvokeCommand: sdk.InvokeCommand };
  }

  /** The CloudFormation client and its DescribeStacksCommand. */
  async cloudFormation() {
    const sdk = await import('@aws-sdk/client-cloudformation');
    return {
      client: await this.get('cloudFormation', sdk.CloudFormationClient as unknown as ClientClass),
      DescribeStacksCommand: sdk.DescribeStacksCommand,
    };
  }

  /** The Secrets Manager client and its GetSecretValueCommand. */
  async secretsManager() {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    return {
      client: await this.get('secretsManager', sdk.SecretsManagerClient as unknown as ClientClass),
      GetSecretValueCommand: sdk.GetSecretValueCommand,
    };
  }

  private get(service: Service, ClientClass: ClientClass): Promise<SendClient> {
    const given = this.given[service];
    if (given) return Promise.resolve(given);
    let made = this.made.get(service);
    if (!made) {
      made = makeClient(ClientClass, { ...this.config[service] });
      // A failed construction is not cached: the next invocation tries again.
      made.catch(() => this.made.delete(service));
      this.made.set(service, made);
    }
    return made;
  }
}
