import { currentFrame, runInFrame } from './scope.js';
import { invalid } from './validate.js';

/**
 * When work must be finished: an absolute time in epoch milliseconds, or a function that returns
 * the milliseconds left (such as a Lambda context's `getRemainingTimeInMillis`).
 */
export type Deadline = number | (() => number);

/** The part of a Lambda context a deadline needs. */
export interface RemainingTimeContext {
  getRemainingTimeInMillis(): number;
}

/** Throws a TypeError unless `deadline` is an epoch-ms number or a function. */
export function checkDeadline(option: string, deadline: unknown): asserts deadline is Deadline | undefined {
  if (deadline === undefined || typeof deadline === 'function') return;
  if (typeof deadline !== 'number' || Number.isNaN(deadline)) {
    invalid(option, 'an epoch time in ms or a function returning the ms left', deadline);
  }
}

/**
 * Milliseconds left before `deadline` (negative once it has passed).
 * Without a deadline, the current invocation's deadline is used; without either, `Infinity`.
 *
 * @param now - clock for epoch deadlines, injectable for tests.
 */
export function remainingMs(deadline: Deadline | undefined = currentDeadline(), now: () => number = Date.now): number {
  if (deadline === undefined) return Infinity;
  return typeof deadline === 'function' ? deadline() : deadline - now();
}

/**
 * Runs `fn` with `deadline` as the current deadline of everything it calls, across awaits.
 * Nested calls can only shorten the deadline, never extend the outer one. Inside an invocation
 * (see `joinInvocation`) the invocation stays the same; only the deadline in force here changes.
 */
export function withDeadline<T>(deadline: Deadline, fn: () => T): T {
  checkDeadline('deadline', deadline);
  const frame = currentFrame();
  const outer = frame?.deadline;
  const own = typeof deadline === 'function' ? deadline : () => deadline - Date.now();
  const effective = outer ? () => Math.min(outer(), own()) : own;
  return runInFrame({ invocation: frame?.invocation, deadline: effective }, fn);
}

/**
 * The deadline in force here, as a function returning the milliseconds left: the invocation's
 * (margin applied), shortened by any {@link withDeadline} around the caller; `undefined` outside
 * both. Every fleece retry and timeout honours it.
 */
export function currentDeadline(): (() => number) | undefined {
  return currentFrame()?.deadline;
}

/**
 * A deadline derived from a Lambda context: the invocation's end, minus `marginMs` kept back so
 * the handler still has time to answer (log, respond to CloudFormation, return an error).
 */
export function lambdaDeadline(context: RemainingTimeContext, marginMs = 0): () => number {
  if (typeof context?.getRemainingTimeInMillis !== 'function') {
    invalid('context', 'a Lambda context with getRemainingTimeInMillis()', context);
  }
  if (!Number.isFinite(marginMs) || marginMs < 0) invalid('marginMs', 'a finite number of milliseconds >= 0', marginMs);
  return () => context.getRemainingTimeInMillis() - marginMs;
}
