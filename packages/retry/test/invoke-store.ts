import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

const KEYS = InvokeStoreBase.PROTECTED_KEYS;

/** The ids the runtime puts in its store for one invocation. */
export interface RuntimeIds {
  requestId: string;
  traceId?: string;
  tenantId?: string;
}

/** The runtime's store, installed on `globalThis.awslambda` as the Lambda runtime does. */
export async function installInvokeStore(multi: boolean): Promise<InvokeStoreBase> {
  const store = await InvokeStore.getInstanceAsync(multi);
  expect((globalThis as { awslambda?: { InvokeStore?: unknown } }).awslambda?.InvokeStore).toBe(store);
  return store;
}

/** Runs `fn` in a runtime store context holding `ids`, as the runtime runs each invocation. */
export function runAsRuntime<T>(store: InvokeStoreBase, ids: RuntimeIds, fn: () => T): T {
  const context: Record<symbol, unknown> = { [KEYS.REQUEST_ID]: ids.requestId };
  if (ids.traceId !== undefined) context[KEYS.X_RAY_TRACE_ID] = ids.traceId;
  if (ids.tenantId !== undefined) context[KEYS.TENANT_ID] = ids.tenantId;
  return store.run(context, fn);
}
