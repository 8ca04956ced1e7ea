import type { ClientContext, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { lambdaContext } from '../context.js';
import { AwsServiceError, type ServiceDefinition } from '../http-service.js';
import { JSON_AUTH_ERRORS } from '../protocols/json.js';
import { checkMs, invalid } from '../validate.js';
import { functionOperation, INVOKE_PATH, lambdaOperation, logTail } from './lambda-functions.js';

/** A handler registered with the local Lambda: async, as fleece handlers are. */
export type LocalHandler<TEvent = any, TResult = unknown> = (event: TEvent, context: Context) => Promise<TResult> | TResult; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Options of {@link LocalLambda.register}. */
export interface RegisterOptions {
  /** The function's timeout, ms; the context counts down from it and the invocation fails after it. Default 3000. */
  timeoutMs?: number;
  /** Default 128. */
  memoryLimitInMB?: number;
}

/** One invocation the local Lambda ran. */
export interface LambdaInvocation {
  functionName: string;
  /** The qualifier invoked (`$LATEST` when none). */
  version: string;
  invocationType: 'RequestResponse' | 'Event';
  requestId: string;
  event: unknown;
  /** `false` while the handler runs. */
  done: boolean;
  result?: unknown;
  /** The error as Lambda reports it, when the handler threw or timed out. */
  error?: { errorType: string; errorMessage: string };
  timedOut: boolean;
}

/** Handlers of the local Lambda, registered in-process. */
export interface LocalLambda {
  /**
   * Serves `nameOrArn` (a name, `name:qualifier`, or a full or partial ARN, qualified or not) with
   * `handler`. An unqualified registration serves every qualifier; a qualified one wins over it.
   */
  register(nameOrArn: string, handler: LocalHandler, options?: RegisterOptions): void;
  /** Stops serving a function; later invocations get ResourceNotFoundException. */
  unregister(nameOrArn: string): void;
  /** Every invocation so far, oldest first, for one function or all. */
  invocations(functionName?: string): LambdaInvocation[];
  /**
   * Resolves once every `Event` invocation has finished, including ones started meanwhile, with
   * the `Event` invocations so far. Handler errors do not reject: they are in `error`.
   */
  settled(): Promise<LambdaInvocation[]>;
}

interface Registration {
  handler: LocalHandler;
  timeoutMs: number;
  memoryLimitInMB: number;
}

const SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_BYTES = 1024 * 1024;
const RESPONSE_BYTES = 6 * 1024 * 1024;

/** Parses a function reference into name and qualifier. */
function parseFunction(reference: string): { name: string; qualifier?: string } {
  let rest = reference;
  const full = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:(.+)$/.exec(reference);
  const partial = /^\d{12}:function:(.+)$/.exec(reference);
  rest = full?.[1] ?? partial?.[1] ?? rest;
  const [name, qualifier, extra] = rest.split(':');
  if (!name || extra !== undefined || !/^[a-zA-Z0-9_-]{1,64}$/.test(name) || (qualifier !== undefined && !/^(\$LATEST|[a-zA-Z0-9_-]+)$/.test(qualifier))) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${reference}' at 'functionName' failed to satisfy constraint: Member must be a function name or ARN`);
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** The in-process function registry behind the local Lambda. */
export class LambdaRegistry implements LocalLambda {
  private readonly functions = new Map<string, Registration>();
  private readonly history: LambdaInvocation[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly region: string,
    readonly account: string,
  ) {}

  register(nameOrArn: string, handler: LocalHandler, options: RegisterOptions = {}): void {
    if (typeof handler !== 'function') invalid('handler', 'a function', handler);
    checkMs('timeoutMs', options.timeoutMs);
    if (options.memoryLimitInMB !== undefined && (!Number.isInteger(options.memoryLimitInMB) || options.memoryLimitInMB < 128)) {
      invalid('memoryLimitInMB', 'an integer >= 128', options.memoryLimitInMB);
    }
    let parsed: { name: string; qualifier?: string };
    try {
      parsed = parseFunction(nameOrArn);
    } catch {
      invalid('nameOrArn', 'a function name or ARN', nameOrArn);
    }
    this.functions.set(key(parsed), { handler, timeoutMs: options.timeoutMs ?? 3000, memoryLimitInMB: options.memoryLimitInMB ?? 128 });
  }

  unregister(nameOrArn: string): void {
    this.functions.delete(key(parseFunction(nameOrArn)));
  }

  invocations(functionName?: string): LambdaInvocation[] {
    return this.history.filter((i) => functionName === undefined || i.functionName === functionName);
  }

  async settled(): Promise<LambdaInvocation[]> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    return this.history.filter((i) => i.invocationType === 'Event');
  }

  /** Makes {@link settled} wait for `work`. */
  track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Forgets running timers so stop() leaves nothing behind; handlers still running finish on their own. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Names of the registered functions, sorted, each once (qualified registrations belong to their function). */
  names(): string[] {
    return [...new Set([...this.functions.keys()].map((k) => k.split(':')[0] as string))].sort();
  }

  arn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.region}:${this.account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  lookup(reference: string, qualifierParam: string | null): { name: string; version: string; registration: Registration; invokedArn: string } {
    const parsed = parseFunction(reference);
    if (qualifierParam && parsed.qualifier && qualifierParam !== parsed.qualifier) {
      throw new AwsServiceError('InvalidParameterValueException', `The derived qualifier from the function name does not match the specified qualifier.`);
    }
    const qualifier = parsed.qualifier ?? qualifierParam ?? undefined;
    const registration = (qualifier && this.functions.get(`${parsed.name}:${qualifier}`)) || this.functions.get(parsed.name);
    if (!registration) {
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${this.arn(parsed.name, qualifier)}`, 404);
    }
    return { name: parsed.name, version: qualifier ?? '$LATEST', registration, invokedArn: this.arn(parsed.name, qualifier) };
  }

  /** Runs one invocation to completion or timeout; never rejects. */
  run(
    target: ReturnType<LambdaRegistry['lookup']>,
    invocationType: LambdaInvocation['invocationType'],
    event: unknown,
    clientContext: ClientContext | undefined,
  ): { invocation: LambdaInvocation; finished: Promise<void> } {
    const requestId = randomUUID();
    const invocation: LambdaInvocation = { functionName: target.name, version: target.version, invocationType, requestId, event, done: false, timedOut: false };
    this.history.push(invocation);
    const context = lambdaContext({
      timeoutMs: target.registration.timeoutMs,
      functionName: target.name,
      functionVersion: target.version,
      awsRequestId: requestId,
      memoryLimitInMB: target.registration.memoryLimitInMB,
      region: this.region,
      accountId: this.account,
      invokedFunctionArn: target.invokedArn,
      ...(clientContext && { clientContext }),
    });
    let fire: (value: 'timeout') => void = () => undefined;
    const timeout = new Promise<'timeout'>((resolve) => (fire = resolve));
    const timer = setTimeout(() => fire('timeout'), target.registration.timeoutMs);
    this.timers.add(timer);
    const handled = Promise.resolve()
      .then(() => target.registration.handler(event, context))
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    const finished = Promise.race([handled, timeout]).then((outcome) => {
      clearTimeout(timer);
      this.timers.delete(timer);
      invocation.done = true;
      if (outcome === 'timeout') {
        invocation.timedOut = true;
        invocation.error = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(target.registration.timeoutMs / 1000).toFixed(2)} seconds`,
        };
      } else if ('error' in outcome) {
        const error = outcome.error as { name?: string; message?: string } | undefined;
        invocation.error = {
          errorType: typeof error?.name === 'string' ? error.name : 'Error',
          errorMessage: typeof error?.message === 'string' ? error.message : String(outcome.error),
        };
      } else {
        invocation.result = outcome.result;
      }
    });
    return { invocation, finished };
  }
}

function key(parsed: { name: string; qualifier?: string }): string {
  return parsed.qualifier ? `${parsed.name}:${parsed.qualifier}` : parsed.name;
}


/** Lambda Invoke over REST JSON: RequestResponse, Event and DryRun against in-process handlers. */
export function lambdaService(registry: LambdaRegistry): ServiceDefinition {
  return {
    name: 'lambda',
    operations: ['GetFunction', 'Invoke', 'ListFunctions'],
    signingName: 'lambda',
    escapePath: true,
    allowQueryAuth: false,
    bufferBody: true,
    maxBodyBytes: SYNC_PAYLOAD_BYTES,
    authErrors: JSON_AUTH_ERRORS,
    operationOf: lambdaOperation,
    async handle(request, res) {
      const operation = lambdaOperation(request);
      if (operation === 'GetFunction' || operation === 'ListFunctions') return functionOperation(registry, operation, request);
      const match = INVOKE_PATH.exec(request.rawPath);
      if (operation !== 'Invoke' || !match || request.method !== 'POST') {
        throw new AwsServiceError('UnknownOperationException', `@fleece/testing: Lambda operation ${operation} is not implemented`);
      }
      const target = registry.lookup(decodeURIComponent(match[1] ?? ''), request.query.get('Qualifier'));
      const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
        throw new AwsServiceError('InvalidParameterValueException', `InvocationType must be RequestResponse, Event or DryRun, got ${type}`);
      }
      if (type === 'DryRun') return { status: 204, headers: { 'X-Amz-Executed-Version': target.version } };
      if (type === 'Event' && request.body.length > ASYNC_PAYLOAD_BYTES) {
        throw new AwsServiceError('RequestTooLargeException', `Request must be smaller than ${ASYNC_PAYLOAD_BYTES} bytes for the Event invocation type`, 413);
      }
      let event: unknown = {};
      if (request.body.length > 0) {
        try {
          event = JSON.parse(request.body.toString('utf8'));
        } catch {
          throw new AwsServiceError('InvalidRequestContentException', 'Could not parse request body into json: the payload is not valid JSON');
        }
      }
      let clientContext: ClientContext | undefined;
      const clientContextHeader = request.headers['x-amz-client-context'];
      if (typeof clientContextHeader === 'string' && clientContextHeader) {
        try {
          clientContext = JSON.parse(Buffer.from(clientContextHeader, 'base64').toString('utf8')) as ClientContext;
        } catch {
          throw new AwsServiceError('InvalidRequestContentException', 'Client context must be base64-encoded JSON');
        }
      }
      if (type === 'Event') {
        // Lambda answers 202 before the function runs: the handler starts once this reply is on the wire.
        registry.track(
          new Promise<void>((resolve) => {
            res.once('finish', () => setImmediate(() => resolve(registry.run(target, 'Event', event, clientContext).finished)));
          }),
        );
        return { status: 202, headers: { 'X-Amz-Executed-Version': target.version } };
      }
      const startedAt = Date.now();
      const { invocation, finished } = registry.run(target, 'RequestResponse', event, clientContext);
      await finished;
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': target.version };
      if (request.headers['x-amz-log-type'] === 'Tail') headers['X-Amz-Log-Result'] = logTail(invocation, startedAt);
      if (invocation.error) {
        return { status: 200, headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' }, body: JSON.stringify(invocation.error) };
      }
      let body: string;
      try {
        body = invocation.result === undefined ? 'null' : JSON.stringify(invocation.result);
      } catch (error) {
        invocation.error = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to marshal response: ${(error as Error).message}` };
        return { status: 200, headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' }, body: JSON.stringify(invocation.error) };
      }
      if (Buffer.byteLength(body) > RESPONSE_BYTES) {
        const error = {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_BYTES} bytes).`,
        };
        invocation.error = error;
        return { status: 200, headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' }, body: JSON.stringify(error) };
      }
      return { status: 200, headers, body };
    },
    renderError: (error) => ({
      status: error.status,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.code },
      body: JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', message: error.message }),
    }),
    async close() {
      registry.close();
    },
  };
}
