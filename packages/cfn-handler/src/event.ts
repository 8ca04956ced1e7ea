/** Properties CloudFormation sends with every custom resource: your template's, plus `ServiceToken`. */
export type ResourceProperties<P> = P & { ServiceToken: string };

/** Fields every custom resource event carries, as CloudFormation sends them and as the library adds them. */
interface EventBase<P> {
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  /** Secret references already resolved, unless `resolveSecrets: false`. */
  ResourceProperties: ResourceProperties<P>;
  ServiceToken?: string;
  /** Update and Delete (and polls of them): the stack's status read with DescribeStacks. */
  StackStatus?: string;
  StackStatusReason?: string;
  /** `'Poll'` in the invocations the library starts to keep polling. */
  EventStatus?: 'Poll';
  /** The state handed on with `inProgress(state)` or `CfnLambdaExecutionTimeout(state)`. */
  EventState?: unknown;
  /** When the operation started, in epoch **seconds** (the origin's protocol unit). */
  CreationTime?: number;
  /**
   * How long the whole operation may take across invocations, in **seconds** (the origin's protocol
   * unit; default 300). A create or update function may raise it before handing on.
   */
  Timeout?: number;
  /** How many times the operation has re-invoked itself so far. */
  EventHop?: number;
  /** The physical id handed on with `inProgress(state, { physicalResourceId })`. */
  EventPhysicalResourceId?: string;
}

/** A Create request. */
export interface CreateEvent<P = Record<string, unknown>> extends EventBase<P> {
  RequestType: 'Create';
  PhysicalResourceId?: undefined;
  OldResourceProperties?: undefined;
}

/** An Update request. */
export interface UpdateEvent<P = Record<string, unknown>> extends EventBase<P> {
  RequestType: 'Update';
  PhysicalResourceId: string;
  OldResourceProperties: ResourceProperties<P>;
}

/** A Delete request. */
export interface DeleteEvent<P = Record<string, unknown>> extends EventBase<P> {
  RequestType: 'Delete';
  PhysicalResourceId: string;
  OldResourceProperties?: undefined;
}

/** A custom resource event, typed by your `ResourceProperties`. */
export type CustomResourceEvent<P = Record<string, unknown>> = CreateEvent<P> | UpdateEvent<P> | DeleteEvent<P>;

/** The request types CloudFormation sends. */
export type RequestType = CustomResourceEvent['RequestType'];

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  invokedFunctionArn: string;
  awsRequestId?: string;
  functionName?: string;
}

/** The ResponseURL if it is an absolute http(s) URL, else `undefined` (then nothing can be answered). */
export function responseUrlOf(event: unknown): URL | undefined {
  const raw = (event as { ResponseURL?: unknown } | null | undefined)?.ResponseURL;
  if (typeof raw !== 'string') return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The ResponseURL without its query string (a signature) nor credentials: what may be logged. */
export function loggableUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** What is wrong with an event that has a ResponseURL, or `undefined` when it is well formed. */
export function eventProblem(event: Record<string, unknown>): string | undefined {
  const missing = ['StackId', 'RequestId', 'LogicalResourceId'].filter((key) => !isNonEmptyString(event[key]));
  const props = event['ResourceProperties'];
  if (props === undefined || props === null) missing.push('ResourceProperties');
  // CloudFormation sends the ServiceToken at the top and inside ResourceProperties; either will do.
  const innerToken = typeof props === 'object' && props !== null ? (props as Record<string, unknown>)['ServiceToken'] : undefined;
  if (!isNonEmptyString(event['ServiceToken']) && !isNonEmptyString(innerToken)) missing.push('ServiceToken');
  if (missing.length > 0) return `the event has no ${missing.join(', ')}`;
  const type = event['RequestType'];
  if (type !== 'Create' && type !== 'Update' && type !== 'Delete') {
    return `the event's RequestType ${JSON.stringify(type) ?? 'undefined'} is not Create, Update or Delete`;
  }
  if (type !== 'Create' && !isNonEmptyString(event['PhysicalResourceId'])) return `the ${type} event has no PhysicalResourceId`;
  if ((typeof props !== 'object' || props === null || Array.isArray(props))) {
    return 'the event\'s ResourceProperties is not an object';
  }
  if (event['EventStatus'] !== undefined && event['EventStatus'] !== 'Poll') {
    return `the event's EventStatus ${JSON.stringify(event['EventStatus'])} is not "Poll"`;
  }
  if (event['EventStatus'] === 'Poll') {
    for (const key of ['CreationTime', 'Timeout', 'EventHop']) {
      const value = event[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `the Poll event's ${key} is not a number >= 0`;
    }
  }
  return undefined;
}
