import type {
  AbsoluteLocation,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';
import { AwsDeadlineError, describeError, refusalOf } from './deadline-error.js';

/** Where the deadline middleware sits: outermost, so it sees what the retry loop finally throws. */
export const DEADLINE_MIDDLEWARE_OPTIONS: InitializeHandlerOptions & AbsoluteLocation = {
  step: 'initialize',
  priority: 'high',
  name: 'fleeceDeadlineMiddleware',
  tags: ['FLEECE', 'DEADLINE'],
  override: true,
};

/**
 * A middleware that refuses to start a call once the deadline has passed, and turns a call the
 * deadline stopped (in flight, or by refusing a retry that would wait past it) into an
 * {@link AwsDeadlineError} that names the service, the operation and the last real error.
 */
export function deadlineMiddleware(remaining: () => number) {
  return <Output extends MetadataBearer>(next: InitializeHandler<object, Output>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<Output>> => {
      const left = remaining();
      if (left === Infinity) return next(args);
      if (left <= 0) {
        throw new AwsDeadlineError({
          ...names(context),
          attempts: 0,
          remainingMs: left,
          detail: `the deadline had passed ${Math.round(-left)} ms before the call`,
        });
      }
      try {
        return await next(args);
      } catch (error) {
        throw asDeadlineError(error, context) ?? error;
      }
    };
}

function asDeadlineError(error: unknown, context: HandlerExecutionContext): AwsDeadlineError | undefined {
  const refusal = refusalOf(error);
  if (error instanceof AwsDeadlineError) {
    // Raised by the request handler, which knows neither the call nor the attempts before.
    // The SDK's retry loop wrote the attempt count and total wait into its $metadata.
    return new AwsDeadlineError({
      ...names(context),
      attempts: refusal?.attempts ?? error.$metadata.attempts,
      errors: refusal?.errors ?? [error],
      remainingMs: error.remainingMs,
      detail: error.detail,
      // Before a retry that found no time left, the last real failure is the attempt before.
      cause: error.cause ?? refusal?.errors.at(-2),
      metadata: error.$metadata,
    });
  }
  if (refusal?.deadlineDelayMs === undefined) return undefined;
  const wait = Math.round(refusal.deadlineDelayMs);
  const left = Math.max(0, Math.round(refusal.remainingMs));
  return new AwsDeadlineError({
    ...names(context),
    attempts: refusal.attempts,
    errors: refusal.errors,
    remainingMs: refusal.remainingMs,
    detail: `the next retry would wait ${wait} ms but ${left} ms were left; last error ${describeError(error)}`,
    cause: error,
  });
}

function names(context: HandlerExecutionContext): { service?: string; operation?: string } {
  return {
    service: context.clientName?.replace(/Client$/, ''),
    operation: context.commandName?.replace(/Command$/, ''),
  };
}
