import { remainingMs } from '@fleece/retry';
import { resolveOptions, type IdempotencyOptions } from './options.js';
import { IdempotencyRunner } from './runner.js';
import { invalid } from './validate.js';

/** The part of a Lambda context idempotency uses. */
export interface IdempotencyContext {
  /** Names the key prefix (`my-function#…`). */
  functionName?: string;
  /** Bounds the claim: a duplicate may take the key over once this invocation must be dead. */
  getRemainingTimeInMillis?(): number;
}

/** An async Lambda handler. */
export type AsyncHandler<E, C, R> = (event: E, context: C) => Promise<R>;

/**
 * Makes a Lambda handler run once per key: the first call with a key claims it, runs the handler
 * and stores its result; a repeat within `expiresAfterSeconds` returns the stored result without
 * running the handler; a repeat while the first still runs throws
 * {@link IdempotencyAlreadyInProgressError} (or waits, with `onInProgress: 'wait'`).
 *
 * The claim lapses when the invocation's remaining time is up, so a function killed mid-work
 * frees its key for the retry; a handler that throws frees it at once. Results are stored as
 * JSON: a replay returns the JSON round trip of the first result (a Date comes back a string).
 *
 * @example
 * const persistence = new DynamoDBPersistence({ tableName: process.env.IDEMPOTENCY_TABLE! });
 * export const handler = idempotent(async (event: APIGatewayProxyEvent) => charge(event), {
 *   persistence,
 *   key: 'headers."idempotency-key"',
 *   throwOnNoKey: true,
 * });
 *
 * @throws TypeError naming the option when an option is invalid (here, not at the first call).
 */
export function idempotent<E, C extends IdempotencyContext | undefined, R>(
  handler: AsyncHandler<E, C, R>,
  options: IdempotencyOptions<[E, C]>,
): AsyncHandler<E, C, R> {
  if (typeof handler !== 'function') invalid('handler', 'an async function', handler);
  const resolved = resolveOptions(options);
  const runner = new IdempotencyRunner(resolved);
  const fallbackName = handler.name || 'handler';
  return async function idempotentHandler(event: E, context: C): Promise<R> {
    const name =
      resolved.name ?? (context?.functionName || process.env['AWS_LAMBDA_FUNCTION_NAME'] || fallbackName);
    const remaining = (): number => {
      const own = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
      return Math.min(own, remainingMs());
    };
    return runner.run([event, context], { name, remaining }, () => handler(event, context));
  };
}

/**
 * Makes any async function run once per key. The key (a JMESPath expression over the first
 * argument, or a function of all of them) defaults to the first argument.
 *
 * The claim lapses at the current invocation's deadline (`withDeadline(lambdaDeadline(context), …)`
 * from @fleece/retry); outside any deadline it lasts until the record expires, so set one in
 * Lambda.
 *
 * @example
 * const chargeOnce = idempotentFunction(async (order: Order) => payments.charge(order), {
 *   persistence,
 *   key: 'orderId',
 *   name: 'charge',
 * });
 *
 * @throws TypeError naming the option when an option is invalid, or when the function has no
 *   name and `name` is not given (the name keeps different functions' keys apart).
 */
export function idempotentFunction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: IdempotencyOptions<A>,
): (...args: A) => Promise<R> {
  if (typeof fn !== 'function') invalid('fn', 'an async function', fn);
  const resolved = resolveOptions(options);
  if (resolved.name === undefined && !fn.name) {
    invalid('name', 'given for an anonymous function (it prefixes the keys)', undefined);
  }
  const runner = new IdempotencyRunner(resolved);
  return async function idempotentWrapper(this: unknown, ...args: A): Promise<R> {
    const lambdaName = process.env['AWS_LAMBDA_FUNCTION_NAME'];
    const name = resolved.name ?? (lambdaName ? `${lambdaName}.${fn.name}` : fn.name);
    return runner.run(args, { name, remaining: () => remainingMs() }, () => fn.apply(this, args));
  };
}
