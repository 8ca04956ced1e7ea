import { withDeadline } from '@fleece/retry';
import { LazyClients } from './clients.js';
import { DeadlineGuard, type Raced } from './deadline-guard.js';
import {
  eventProblem,
  loggableUrl,
  responseUrlOf,
  type CreateEvent,
  type CustomResourceEvent,
  type DeleteEvent,
  type LambdaContext,
  type RequestType,
  type UpdateEvent,
} from './event.js';
import { CfnLambdaExecutionTimeout, type InProgress } from './in-progress.js';
import { consoleLogger, safeLogger, type Logger } from './logger.js';
import { messageOf, nameOf } from './messages.js';
import { settingsFrom, type CustomResourceOptions, type Settings } from './options.js';
import { isFailedCreateId, physicalIdFor } from './physical-id.js';
import { buildResponse, type ResponseStatus } from './response-body.js';
import { putResponse } from './response-put.js';
import { understandResult, type CustomResourceResult, type ProtocolResult } from './result.js';
import { redact, resolveSecretReferences, SecretReferenceError, type SecretReference } from './secret-reference.js';
import { checkSecretsInData } from './secrets-in-data.js';
import { invokeSelf, pollPayload } from './self-invoke.js';
import { serviceWindow } from './service-timeout.js';
import { readStackStatus } from './stack-status.js';

/** What a registered function gets besides the event and the context. */
export interface InvocationTools {
  /**
   * Aborted when the function's time is up: the invocation's end minus the margin, or (for a
   * resource that polls) the operation's `Timeout`. Pass it to anything that accepts a signal.
   */
  signal: AbortSignal;
  /** ms left before the signal aborts; hand on with `CfnLambdaExecutionTimeout` before it reaches 0. */
  remainingMs(): number;
}

/** What a registered function may return. */
export type CustomResourceReturn = CustomResourceResult | ProtocolResult | InProgress | undefined | void;

/** A create, update, delete or poll function. Async; it may also throw (FAILED with its message). */
export type CustomResourceFunction<E> = (
  event: E,
  context: LambdaContext,
  tools: InvocationTools,
) => Promise<CustomResourceReturn> | CustomResourceReturn;

/** What the handler resolves to once it is done (never the Data, which may be secret). */
export type HandlerOutcome =
  | { Status: ResponseStatus; PhysicalResourceId: string; Reason?: string }
  | { Status: 'IN_PROGRESS'; EventHop: number };

type Answer = {
  kind: 'answer';
  status: ResponseStatus;
  reason?: string;
  physicalResourceId?: string;
  data?: unknown;
  noEcho?: boolean;
};
type Continue = {
  kind: 'continue';
  state: unknown;
  physicalResourceId?: string;
  creationTime: number;
  timeout: number;
  hop: number;
};
type Decision = Answer | Continue;

type Registration = 'create' | 'update' | 'delete' | 'poll';

// What the PUT keeps back from the invocation's very end, so its last attempt is not cut mid-way.
const PUT_END_MARGIN_MS = 50;
// Without a Lambda context (a misuse), the time the handler allows itself before answering.
const NO_CONTEXT_MS = 30_000;
// The longest a default margin gets; shorter when the invocation is short.
const DEFAULT_MARGIN_MS = 5000;

function failed(reason: string, physicalResourceId?: string): Answer {
  return { kind: 'answer', status: 'FAILED', reason, physicalResourceId };
}

function succeeded(fields: Omit<Answer, 'kind' | 'status'> = {}): Answer {
  return { kind: 'answer', status: 'SUCCESS', ...fields };
}

function isExecutionTimeout(error: unknown): error is CfnLambdaExecutionTimeout {
  // By name too: a bundle may hold two copies of this package (ESM and CJS).
  return (
    error instanceof CfnLambdaExecutionTimeout ||
    (error instanceof Error && error.name === 'CfnLambdaExecutionTimeout' && 'state' in error)
  );
}

function validTimeoutSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * A CloudFormation custom resource: register `create`, `update`, `delete` and (for operations that
 * outlast one invocation) `poll` functions, and export {@link CustomResource.handler} as the Lambda
 * entry point. Every event gets exactly one protocol-valid answer, whatever the functions do.
 *
 * @typeParam P - the shape of your template's `Properties`.
 *
 * @example
 * const resource = new CustomResource<{ BucketName: string }>();
 * resource.create(async (event) => ({ physicalResourceId: await makeThing(event.ResourceProperties.BucketName) }));
 * resource.delete(async (event) => { await removeThing(event.PhysicalResourceId); });
 * export const handler = resource.handler;
 */
export class CustomResource<P = Record<string, unknown>> {
  private readonly settings: Settings;
  private readonly logger: Logger;
  private readonly clients: LazyClients;
  private readonly functions: Partial<Record<Registration, CustomResourceFunction<never>>> = {};

  /** @throws TypeError naming the option when one is invalid. */
  constructor(options: CustomResourceOptions = {}) {
    this.settings = settingsFrom(options);
    this.logger = safeLogger(this.settings.logger ?? consoleLogger());
    this.clients = new LazyClients(this.settings.clients, this.settings.clientConfig);
  }

  /** Registers the function for Create requests. Without one, a Create fails with a clear reason. */
  create(fn: CustomResourceFunction<CreateEvent<P>>): this {
    return this.register('create', fn);
  }

  /** Registers the function for Update requests. Without one, an Update fails with a clear reason. */
  update(fn: CustomResourceFunction<UpdateEvent<P>>): this {
    return this.register('update', fn);
  }

  /** Registers the function for Delete requests. Without one, a Delete succeeds (nothing to delete). */
  delete(fn: CustomResourceFunction<DeleteEvent<P>>): this {
    return this.register('delete', fn);
  }

  /**
   * Registers the function that continues an operation in the invocations the library starts
   * itself (`event.EventStatus === 'Poll'`, `event.EventState` holding the state handed on).
   * Registering it also makes the operation's `Timeout` apply, and a function that runs out of
   * time hand on to a new invocation instead of failing.
   */
  poll(fn: CustomResourceFunction<CustomResourceEvent<P>>): this {
    return this.register('poll', fn);
  }

  /**
   * The Lambda entry point (bound, so `export const handler = resource.handler` works). It resolves
   * once CloudFormation's ResponseURL has accepted the answer, or once the operation has been
   * handed on to a new invocation.
   *
   * @throws TypeError when the event has no usable ResponseURL (nothing can be answered).
   * @throws ResponseError when the answer could not be delivered before the invocation's end.
   */
  readonly handler = (event: unknown, context: LambdaContext): Promise<HandlerOutcome> => this.handle(event, context);

  private register(name: Registration, fn: unknown): this {
    if (typeof fn !== 'function') {
      throw new TypeError(`@fleece/cfn-handler: ${name}() needs a function, got ${fn === null ? 'null' : typeof fn}`);
    }
    if (this.functions[name]) throw new TypeError(`@fleece/cfn-handler: a ${name} function is already registered`);
    this.functions[name] = fn as CustomResourceFunction<never>;
    return this;
  }

  private async handle(raw: unknown, context: LambdaContext): Promise<HandlerOutcome> {
    const url = responseUrlOf(raw);
    if (!url) {
      this.logger.error('the event has no valid ResponseURL; CloudFormation cannot be answered', {
        RequestId: str((raw as Record<string, unknown> | null)?.['RequestId']),
      });
      throw new TypeError('@fleece/cfn-handler: the event has no valid http(s) ResponseURL, so CloudFormation cannot be answered');
    }
    const event = raw as Record<string, unknown>;
    const lambdaLeft = this.lambdaClock(context);
    const marginMs = this.settings.marginMs ?? Math.min(DEFAULT_MARGIN_MS, Math.max(0, Math.floor(lambdaLeft() / 3)));
    // The values resolved from secrets in this invocation, for redaction; local, never shared.
    const secrets: string[] = [];

    let decision: Decision;
    try {
      decision = await this.decide(event, context, lambdaLeft, marginMs, secrets);
    } catch (error) {
      // Only a fault in this library (or a throwing logger) lands here; the stack still gets an answer.
      decision = failed(`@fleece/cfn-handler failed internally: ${messageOf(error)}`);
      this.logger.error('internal error while handling the request', { error: redact(messageOf(error), secrets) });
    }

    if (decision.kind === 'continue') {
      try {
        await this.reinvoke(event, context, decision, lambdaLeft, marginMs);
        return { Status: 'IN_PROGRESS', EventHop: decision.hop };
      } catch (error) {
        const reason = `could not re-invoke the function to keep polling: ${messageOf(error)}`;
        this.logger.error('self re-invoke failed', { error: redact(messageOf(error), secrets), EventHop: decision.hop });
        decision = failed(reason, decision.physicalResourceId);
      }
    }
    return this.answer(url, event, decision, lambdaLeft, secrets);
  }

  private lambdaClock(context: LambdaContext): () => number {
    if (typeof context?.getRemainingTimeInMillis === 'function') return () => context.getRemainingTimeInMillis();
    this.logger.warn(`called without a Lambda context; allowing ${NO_CONTEXT_MS} ms`);
    const end = Date.now() + NO_CONTEXT_MS;
    return () => end - Date.now();
  }

  private async decide(
    event: Record<string, unknown>,
    context: LambdaContext,
    lambdaLeft: () => number,
    marginMs: number,
    secrets: string[],
  ): Promise<Decision> {
    const problem = eventProblem(event);
    if (problem) return failed(`malformed custom resource event: ${problem}`);
    const cfnEvent = event as unknown as CustomResourceEvent;
    const type: RequestType = cfnEvent.RequestType;
    const isPoll = cfnEvent.EventStatus === 'Poll';
    const hop = isPoll ? (cfnEvent.EventHop as number) : 0;
    this.logger.info('custom resource request', {
      RequestType: type,
      LogicalResourceId: cfnEvent.LogicalResourceId,
      RequestId: cfnEvent.RequestId,
      StackId: cfnEvent.StackId,
      ...(isPoll && { EventStatus: 'Poll', EventHop: hop }),
    });

    if (type === 'Delete' && isFailedCreateId(cfnEvent.PhysicalResourceId, cfnEvent.LogicalResourceId)) {
      this.logger.info('deleting the marker of a failed create: nothing was created, nothing to delete');
      return succeeded();
    }

    const name: Registration = isPoll ? 'poll' : (type.toLowerCase() as Registration);
    const fn = this.functions[name];
    if (!fn) {
      if (isPoll) return failed('received a Poll event, but no poll function is registered');
      if (type === 'Delete') {
        this.logger.info('no delete function is registered: nothing to delete');
        return succeeded();
      }
      return failed(`no ${name} function is registered for this custom resource`);
    }

    const clock = this.settings.clock;
    const canPoll = this.functions.poll !== undefined;
    const creationMs = isPoll ? (cfnEvent.CreationTime as number) * 1000 : clock();
    const userEvent = structuredClone(event) as unknown as CustomResourceEvent;
    userEvent.CreationTime = creationMs / 1000;
    userEvent.Timeout = validTimeoutSeconds(cfnEvent.Timeout) ?? this.settings.operationTimeoutMs / 1000;
    userEvent.EventHop = hop;
    // Read live: a create function may raise event.Timeout before handing on (the origin's way).
    const timeoutSeconds = () => validTimeoutSeconds(userEvent.Timeout) ?? this.settings.operationTimeoutMs / 1000;
    // The custom resource's ServiceTimeout bounds every invocation of the operation, polling or not.
    const service = serviceWindow(cfnEvent, creationMs, clock);
    const operationLeft = () => Math.min(canPoll ? creationMs + timeoutSeconds() * 1000 - clock() : Infinity, service.left());
    const timedOut = () => (service.left() <= 0 ? failed(service.reason, cfnEvent.EventPhysicalResourceId) : failedAfterTimeout(timeoutSeconds(), cfnEvent.EventPhysicalResourceId));
    if (isPoll && operationLeft() <= 0) return timedOut();

    const guard = new DeadlineGuard(() => Math.min(lambdaLeft() - marginMs, operationLeft()));
    try {
      return await withDeadline(
        () => guard.remainingMs(),
        async (): Promise<Decision> => {
          const prepared = await guard.race(() => this.prepare(cfnEvent, userEvent, guard, secrets));
          if (prepared.kind === 'timeout') {
            return operationLeft() <= 0 ? timedOut() : failed(`timed out before the ${name} function could run`);
          }
          if (prepared.kind === 'error') return failed(messageOf(prepared.error), cfnEvent.EventPhysicalResourceId);
          const tools: InvocationTools = { signal: guard.signal, remainingMs: () => guard.remainingMs() };
          const ran = await guard.race(() => (fn as CustomResourceFunction<CustomResourceEvent>)(userEvent, context, tools));
          return this.judge(ran, {
            name,
            event: cfnEvent,
            canPoll,
            hop,
            creationMs,
            marginMs,
            secrets,
            operationLeft,
            timeoutSeconds,
            timedOut,
          });
        },
      );
    } finally {
      guard.stop();
    }
  }

  /** Fills in the stack status and resolves secret references, on the copy user code sees. */
  private async prepare(
    event: CustomResourceEvent,
    userEvent: CustomResourceEvent,
    guard: DeadlineGuard,
    secrets: string[],
  ): Promise<void> {
    if (this.settings.stackStatus && (event.RequestType === 'Update' || event.RequestType === 'Delete')) {
      const timeoutMs = Math.max(1, Math.min(this.settings.stackStatusTimeoutMs, guard.remainingMs() / 4));
      const status = await readStackStatus(
        async (stackId, signal) => {
          const { client, DescribeStacksCommand } = await this.clients.cloudFormation();
          const output = await client.send(new DescribeStacksCommand({ StackName: stackId }), { abortSignal: signal });
          return output?.Stacks?.[0];
        },
        event.StackId,
        timeoutMs,
        (error) =>
          this.logger.warn('could not read the stack status; StackStatus is UNKNOWN', {
            error: `${nameOf(error)}: ${messageOf(error)}`,
          }),
      );
      userEvent.StackStatus = status.StackStatus;
      userEvent.StackStatusReason = status.StackStatusReason;
    }
    if (this.settings.resolveSecrets) {
      const read = async (reference: SecretReference): Promise<string> => {
        const { client, GetSecretValueCommand } = await this.clients.secretsManager();
        const output = await client.send(
          new GetSecretValueCommand({
            SecretId: reference.secretId,
            ...(reference.versionStage && { VersionStage: reference.versionStage }),
            ...(reference.versionId && { VersionId: reference.versionId }),
          }),
          { abortSignal: guard.signal },
        );
        if (typeof output?.SecretString !== 'string') {
          throw new SecretReferenceError(reference.text, 'the secret has no SecretString (binary secrets cannot be resolved)');
        }
        return output.SecretString;
      };
      const resolved = await resolveSecretReferences(
        { new: userEvent.ResourceProperties, old: userEvent.OldResourceProperties },
        read,
      );
      secrets.push(...resolved.secrets);
      if (resolved.secrets.length > 0) {
        this.logger.info('resolved secret references', { count: resolved.secrets.length });
      }
      userEvent.ResourceProperties = resolved.value.new;
      if (userEvent.OldResourceProperties !== undefined) {
        (userEvent as { OldResourceProperties: unknown }).OldResourceProperties = resolved.value.old;
      }
    }
  }

  /** Turns how the function ended into an answer or a hand-on. */
  private judge(ran: Raced<CustomResourceReturn>, run: RunInfo): Decision {
    const { name, event } = run;
    const handedId = event.EventPhysicalResourceId;
    if (ran.kind === 'timeout') {
      if (run.operationLeft() <= 0) return run.timedOut();
      if (run.canPoll) {
        this.logger.warn(`the ${name} function ran out of time; handing on to a new invocation`, { marginMs: run.marginMs });
        return this.handOn(run, event.EventState, handedId);
      }
      return failed(
        `timed out: the ${name} function did not finish ${run.marginMs} ms before the Lambda function's time limit`,
        handedId,
      );
    }
    if (ran.kind === 'error') {
      if (isExecutionTimeout(ran.error)) {
        return this.handOn(run, ran.error.state, ran.error.physicalResourceId ?? handedId);
      }
      const message = messageOf(ran.error);
      this.logger.error(`the ${name} function threw`, {
        error: redact(`${nameOf(ran.error)}: ${message}`, run.secrets),
        ...(ran.error instanceof Error && ran.error.stack && { stack: redact(ran.error.stack, run.secrets) }),
      });
      return failed(message.trim() === '' ? `the ${name} function threw ${nameOf(ran.error)} without a message` : message, handedId);
    }
    const outcome = understandResult(ran.value);
    switch (outcome.kind) {
      case 'invalid':
        return failed(`the ${name} function ${outcome.reason}`, handedId);
      case 'failed':
        return {
          kind: 'answer',
          status: 'FAILED',
          reason: outcome.reason.trim() === '' ? `the ${name} function reported FAILED without a reason` : outcome.reason,
          // No data: a FAILED response's attributes are never read, and an oversized one would
          // replace the function's reason with the size complaint.
          physicalResourceId: outcome.physicalResourceId ?? handedId,
        };
      case 'in-progress':
        return this.handOn(run, outcome.state, outcome.physicalResourceId ?? handedId);
      case 'success': {
        const physicalResourceId = outcome.physicalResourceId ?? handedId;
        const verdict = checkSecretsInData(outcome.data, outcome.noEcho, run.secrets, this.settings.secretsInData);
        if (verdict.kind === 'refuse') return failed(verdict.reason, physicalResourceId);
        if (verdict.kind === 'noEcho') {
          this.logger.warn('answering with NoEcho: a value resolved from a secret reference is in Data', {
            attributes: verdict.attributes,
          });
        }
        return succeeded({
          physicalResourceId,
          data: outcome.data,
          noEcho: verdict.kind === 'noEcho' ? true : outcome.noEcho,
          reason: outcome.reason,
        });
      }
    }
  }

  /** Checks that the operation may go on in a new invocation, and with what. */
  private handOn(run: RunInfo, state: unknown, physicalResourceId: string | undefined): Decision {
    if (!run.canPoll) {
      return failed(
        `the ${run.name} function asked to keep polling (inProgress or CfnLambdaExecutionTimeout), but no poll function is registered`,
        physicalResourceId,
      );
    }
    if (run.hop + 1 > this.settings.maxHops) {
      return failed(`gave up after ${this.settings.maxHops} re-invocations (maxHops) without finishing`, physicalResourceId);
    }
    if (run.operationLeft() <= 0) return { ...run.timedOut(), physicalResourceId };
    let json: string | undefined;
    try {
      json = JSON.stringify(state ?? null);
    } catch (error) {
      return failed(`the poll state cannot be serialized to JSON: ${messageOf(error)}`, physicalResourceId);
    }
    if (run.secrets.some((secret) => secret.length >= MIN_CHECKED_SECRET && json.includes(JSON.stringify(secret).slice(1, -1)))) {
      return failed(
        'the poll state contains a value resolved from a secret reference; hand on an identifier instead, the poll function gets the secret resolved again',
        physicalResourceId,
      );
    }
    return {
      kind: 'continue',
      state,
      physicalResourceId,
      creationTime: run.creationMs / 1000,
      timeout: run.timeoutSeconds(),
      hop: run.hop + 1,
    };
  }

  private async reinvoke(
    event: Record<string, unknown>,
    context: LambdaContext,
    decision: Continue,
    lambdaLeft: () => number,
    marginMs: number,
  ): Promise<void> {
    const functionArn = context?.invokedFunctionArn;
    if (typeof functionArn !== 'string' || functionArn === '') throw new Error('the Lambda context has no invokedFunctionArn');
    const payload = pollPayload(event, {
      EventState: decision.state,
      CreationTime: decision.creationTime,
      Timeout: decision.timeout,
      EventHop: decision.hop,
      ...(decision.physicalResourceId !== undefined && { EventPhysicalResourceId: decision.physicalResourceId }),
    });
    // Half the margin for the invoke, half kept to answer FAILED should it fail.
    const left = () => lambdaLeft() - marginMs / 2;
    const guard = new DeadlineGuard(left);
    try {
      const raced = await withDeadline(left, () =>
        guard.race(async () => invokeSelf(await this.clients.lambda(), functionArn, payload, guard.signal)),
      );
      if (raced.kind === 'timeout') throw new Error('the invoke did not finish before the invocation ran out of time');
      if (raced.kind === 'error') throw raced.error;
    } finally {
      guard.stop();
    }
    this.logger.info('handed on to a new invocation to keep polling', { EventHop: decision.hop, FunctionName: functionArn });
  }

  private async answer(
    url: URL,
    event: Record<string, unknown>,
    decision: Answer,
    lambdaLeft: () => number,
    secrets: string[],
  ): Promise<HandlerOutcome> {
    const { response, body } = buildResponse({
      status: decision.status,
      reason: decision.reason === undefined ? undefined : redact(decision.reason, secrets),
      physicalResourceId: physicalIdFor(event, decision),
      stackId: str(event['StackId']),
      requestId: str(event['RequestId']),
      logicalResourceId: str(event['LogicalResourceId']),
      noEcho: decision.noEcho,
      data: decision.data,
    });
    const where = loggableUrl(url);
    this.logger[response.Status === 'SUCCESS' ? 'info' : 'warn']('answering CloudFormation', {
      Status: response.Status,
      PhysicalResourceId: response.PhysicalResourceId,
      ...(response.Reason !== undefined && { Reason: response.Reason }),
      bytes: Buffer.byteLength(body, 'utf8'),
      url: where,
    });
    try {
      const attempts = await putResponse(url, body, {
        policy: this.settings.responseRetry,
        attemptTimeoutMs: this.settings.responseAttemptTimeoutMs,
        deadline: () => lambdaLeft() - PUT_END_MARGIN_MS,
        logger: this.logger,
      });
      this.logger.debug('CloudFormation accepted the response', { attempts, url: where });
    } catch (error) {
      this.logger.error('could not deliver the response to CloudFormation', { error: messageOf(error), url: where });
      throw error;
    }
    return {
      Status: response.Status,
      PhysicalResourceId: response.PhysicalResourceId,
      ...(response.Reason !== undefined && { Reason: response.Reason }),
    };
  }
}

// Shorter secrets are too likely to occur by chance in a poll state (a port, a flag) to refuse it.
const MIN_CHECKED_SECRET = 4;

interface RunInfo {
  name: Registration;
  event: CustomResourceEvent;
  canPoll: boolean;
  hop: number;
  creationMs: number;
  marginMs: number;
  secrets: string[];
  operationLeft: () => number;
  timeoutSeconds: () => number;
  timedOut: () => Answer;
}

function failedAfterTimeout(timeoutSeconds: number, physicalResourceId: string | undefined): Answer {
  return failed(`timed out: the operation did not finish within its Timeout of ${timeoutSeconds} s`, physicalResourceId);
}
