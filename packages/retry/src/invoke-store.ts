/**
 * The Lambda runtime's own per-invocation store (`@aws/lambda-invoke-store`), as the runtime exposes
 * it on `globalThis.awslambda.InvokeStore`. Read structurally, so the kernel has no dependency: in
 * Lambda the runtime has loaded it already, and locally `@fleece/testing` installs it.
 */
export interface RuntimeInvokeStore {
  hasContext?(): boolean;
  getRequestId?(): string | undefined;
  getXRayTraceId?(): string | undefined;
  getTenantId?(): string | undefined;
}

/** The ids the runtime keeps for the invocation in progress. */
export interface RuntimeIds {
  requestId: string | undefined;
  traceId: string | undefined;
  tenantId: string | undefined;
}

/** The runtime's store when it has a context here, else `undefined`. Never throws. */
export function runtimeStore(): RuntimeInvokeStore | undefined {
  try {
    const store = (globalThis as { awslambda?: { InvokeStore?: RuntimeInvokeStore } }).awslambda?.InvokeStore;
    if (store === undefined || store === null || typeof store !== 'object') return undefined;
    if (typeof store.hasContext === 'function' && !store.hasContext()) return undefined;
    return store;
  } catch {
    // A broken runtime global must not break the function: the Lambda context still has the ids.
    return undefined;
  }
}

/** The request, trace and tenant ids of the runtime's current context, or `undefined` without one. */
export function runtimeIds(): RuntimeIds | undefined {
  const store = runtimeStore();
  if (store === undefined) return undefined;
  try {
    // The store answers "-" for a missing request id; that is no id.
    const requestId = text(store.getRequestId?.());
    return {
      requestId: requestId === '-' ? undefined : requestId,
      traceId: text(store.getXRayTraceId?.()),
      tenantId: text(store.getTenantId?.()),
    };
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
