import { useClientPlugin } from '@fleece/aws';

import { flagsForStatus, classifyError } from './classify.js';
import { currentTraceHeader } from './current.js';
import { startSpan } from './tracer.js';

// Structural slices of the AWS SDK v3 middleware types, so this package needs no @smithy/types.
interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
  __smithy_context?: { operation?: unknown };
}
interface BuildArgs {
  input?: Record<string, unknown>;
  request?: unknown;
}
interface Metadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
}
interface BuildOutput {
  output?: { $metadata?: Metadata; presigned?: unknown } & Record<string, unknown>;
  response?: { headers?: Record<string, string | undefined> };
}
type Handler = (args: BuildArgs) => Promise<BuildOutput>;
type Middleware = (next: Handler, context: MiddlewareContext) => Handler;
interface Stack {
  add(middleware: Middleware, options: { step: 'build'; name: string; override: boolean; tags?: string[] }): void;
}
/** The part of an AWS SDK v3 client {@link captureClient} needs: every generated client has it. */
export interface CapturableClient {
  middlewareStack: unknown;
  config?: unknown;
}

/** The middleware's name on a client's stack. */
export const AWS_MIDDLEWARE_NAME = 'fleeceXrayMiddleware';
const TRACE_HEADER = 'X-Amzn-Trace-Id';

function serviceOf(context: MiddlewareContext): string {
  const client = typeof context.clientName === 'string' ? context.clientName : '';
  const service = client.endsWith('Client') ? client.slice(0, -'Client'.length) : client;
  return service === '' ? 'AWS' : service;
}

function operationOf(context: MiddlewareContext): string {
  const command = typeof context.commandName === 'string' ? context.commandName : '';
  if (command !== '') return command.endsWith('Command') ? command.slice(0, -'Command'.length) : command;
  const operation = context.__smithy_context?.operation;
  return typeof operation === 'string' ? operation : 'Unknown';
}

// The request is a smithy HttpRequest by the build step; anything else is left alone.
function setTraceHeader(request: unknown, header: string | undefined): boolean {
  if (header === undefined || typeof request !== 'object' || request === null) return false;
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return false;
  const existing = Object.keys(headers).some((name) => name.toLowerCase() === 'x-amzn-trace-id');
  if (!existing) (headers as Record<string, string>)[TRACE_HEADER] = header;
  return true;
}

async function regionOf(config: unknown): Promise<string | undefined> {
  try {
    const region = (config as { region?: unknown } | undefined)?.region;
    const value = typeof region === 'function' ? await (region as () => unknown)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function contentLength(output: BuildOutput | undefined): number | undefined {
  const raw = output?.response?.headers?.['content-length'];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function tracingMiddleware(config: unknown): Middleware {
  return (next, context) => async (args) => {
    const service = serviceOf(context);
    const span = startSpan(service, 'aws');
    if (span === undefined) {
      // Unsampled traces still tell AWS services so, so they do not start sampling on their own.
      setTraceHeader(args.request, currentTraceHeader());
      return next(args);
    }
    setTraceHeader(args.request, span.traceHeader());
    const operation = operationOf(context);
    const region = await regionOf(config);
    const record = (metadata: Metadata | undefined, output: Record<string, unknown> | undefined, reply: BuildOutput | undefined): void => {
      const status = metadata?.httpStatusCode;
      span.aws = {
        service,
        operation,
        ...(region === undefined ? {} : { region }),
        ...(metadata?.requestId === undefined ? {} : { requestId: metadata.requestId }),
        ...(metadata?.extendedRequestId === undefined ? {} : { extendedRequestId: metadata.extendedRequestId }),
        retries: Math.max(0, (metadata?.attempts ?? 1) - 1),
        ...(args.input === undefined ? {} : { input: args.input }),
        ...(output === undefined ? {} : { output }),
      };
      const length = contentLength(reply);
      span.http = {
        ...(status === undefined ? {} : { status }),
        ...(length === undefined ? {} : { contentLength: length }),
      };
    };
    let reply: BuildOutput;
    try {
      reply = await next(args);
    } catch (error) {
      const metadata = (error as { $metadata?: Metadata } | null)?.$metadata;
      record(metadata, undefined, undefined);
      const status = metadata?.httpStatusCode;
      // A status says who failed; without one (no answer at all) the error itself is classified.
      span.fail(error, true, status !== undefined && status >= 400 ? flagsForStatus(status) : classifyError(error));
      span.end();
      throw error;
    }
    if (reply?.output?.presigned !== undefined) {
      // s3-request-presigner runs the stack to sign a URL and sends nothing: no call to record.
      span.discard();
      return reply;
    }
    record(reply?.output?.$metadata, reply?.output, reply);
    span.end();
    return reply;
  };
}

function addTo(stack: unknown, config: unknown): void {
  (stack as Stack).add(tracingMiddleware(config), { step: 'build', name: AWS_MIDDLEWARE_NAME, override: true, tags: ['XRAY', 'FLEECE'] });
}

/**
 * Records one subsegment per call of an AWS SDK v3 client made elsewhere than `@fleece/aws`:
 * named after the service (`DynamoDB`), with operation, region, request id, HTTP status and retries,
 * flagged `error`/`throttle`/`fault` when the call fails, and the trace header sent along so AWS
 * services join the trace. Calling it again on the same client changes nothing.
 *
 * @returns the same client.
 * @throws TypeError when `client` has no middleware stack.
 */
export function captureClient<C extends CapturableClient>(client: C): C {
  const stack = (client as CapturableClient | null | undefined)?.middlewareStack as { add?: unknown } | null | undefined;
  if (typeof stack?.add !== 'function') throw new TypeError('captureClient: client must be an AWS SDK v3 client (it has no middlewareStack)');
  addTo(stack, client.config);
  return client;
}

// Process-wide, like the registration it holds: at most one, made at start-up.
const registration: { remove: (() => void) | undefined } = { remove: undefined };

/**
 * Traces every AWS SDK v3 client `@fleece/aws`'s `client()` makes from now on, as
 * {@link captureClient} does. Call it once at module load, before making clients; calling it again
 * changes nothing.
 *
 * @returns a function that stops tracing clients made afterwards (clients made meanwhile stay traced).
 */
export function captureAwsSdk(): () => void {
  if (registration.remove === undefined) {
    const unregister = useClientPlugin((client) => addTo(client.middlewareStack, client.config));
    const remove = (): void => {
      unregister();
      if (registration.remove === remove) registration.remove = undefined;
    };
    registration.remove = remove;
  }
  return registration.remove;
}
