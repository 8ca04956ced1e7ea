import { AsyncLocalStorage } from 'node:async_hooks';
import { CustomResource, type HandlerOutcome } from './custom-resource.js';
import { DeadlineGuard } from './deadline-guard.js';
import type { LambdaContext } from './event.js';
import { messageOf } from './messages.js';
import type { CustomResourceOptions } from './options.js';
import { isFailedCreateId } from './physical-id.js';

/** Loads the module that builds the custom resource; what it resolves to must be a {@link CustomResource}. */
export type ResourceLoader = () => Promise<CustomResource<never> | CustomResource> | CustomResource<never> | CustomResource;

const DEFAULT_MARGIN_MS = 5000;

function loadedResource(value: unknown): CustomResource<never> {
  if (!(value instanceof CustomResource) && typeof (value as { handler?: unknown } | null)?.handler !== 'function') {
    throw new TypeError('the loader did not resolve to a CustomResource');
  }
  return value as CustomResource<never>;
}

/**
 * A Lambda entry point that loads the custom resource's module on first use, so that an error
 * while loading it (a bad import, a failing top-level await, a module that takes too long) still
 * answers CloudFormation — FAILED, "could not load the custom resource: …" — instead of leaving
 * the stack waiting for an hour. A failed load is retried by the next invocation. The Delete of a
 * failed Create's marker id succeeds without loading anything.
 *
 * @param options - how failures are answered (response retry, logger, margin); the loaded
 *   resource answers everything else with its own options.
 *
 * @example
 * // index.ts, the function's entry point: nothing here can fail at import time.
 * export const handler = lazyHandler(async () => (await import('./resource.js')).resource);
 */
export function lazyHandler(
  load: ResourceLoader,
  options: CustomResourceOptions = {},
): (event: unknown, context: LambdaContext) => Promise<HandlerOutcome> {
  if (typeof load !== 'function') throw new TypeError('@fleece/cfn-handler: lazyHandler() needs a loader function');
  const failure = new AsyncLocalStorage<string>();
  const fail = async (): Promise<never> => {
    throw new Error(failure.getStore() ?? 'could not load the custom resource');
  };
  // Answers on the loader's behalf; reads no stack status and resolves no secret, as nothing will use them.
  const fallback = new CustomResource({ ...options, resolveSecrets: false, stackStatus: false })
    .create(fail)
    .update(fail)
    .delete(fail)
    .poll(fail);
  let loading: Promise<CustomResource<never>> | undefined;

  return async (event, context) => {
    const raw = event as Record<string, unknown> | null | undefined;
    if (raw?.['RequestType'] === 'Delete' && isFailedCreateId(raw['PhysicalResourceId'], String(raw['LogicalResourceId']))) {
      return fallback.handler(event, context);
    }
    if (!loading) {
      const started = Promise.resolve().then(load).then(loadedResource);
      // Not cached when it fails, so the next invocation (Lambda's retry) loads again.
      started.catch(() => {
        if (loading === started) loading = undefined;
      });
      loading = started;
    }
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : () => Infinity;
    const marginMs = options.marginMs ?? Math.min(DEFAULT_MARGIN_MS, Math.max(0, Math.floor(left() / 3)));
    const guard = new DeadlineGuard(() => left() - marginMs);
    const raced = await guard.race(() => loading as Promise<CustomResource<never>>);
    guard.stop();
    if (raced.kind === 'value') return raced.value.handler(event, context);
    const reason =
      raced.kind === 'timeout'
        ? 'could not load the custom resource: loading did not finish before the invocation ran out of time'
        : `could not load the custom resource: ${messageOf(raced.error)}`;
    return failure.run(reason, () => fallback.handler(event, context));
  };
}
