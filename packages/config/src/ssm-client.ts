import type { SSMClient } from '@aws-sdk/client-ssm';

/** The part of an SSM client this package uses; any AWS SDK v3 `SSMClient` fits. */
export type SsmClientLike = Pick<SSMClient, 'send'>;

let ssmModule: Promise<typeof import('@aws-sdk/client-ssm')> | undefined;

/**
 * The SSM SDK module, imported once: a fresh `import()` per call waits for a turn of the event
 * loop, about a millisecond on a busy loop.
 */
export function ssmSdk(): Promise<typeof import('@aws-sdk/client-ssm')> {
  ssmModule ??= import('@aws-sdk/client-ssm');
  return ssmModule;
}

let shared: Promise<SsmClientLike> | undefined;

/**
 * The container's SSM client, made by `@fleece/aws` on first use (so importing this package costs
 * no SDK import), and reused by every invocation of a warm container.
 */
export function defaultSsm(): Promise<SsmClientLike> {
  shared ??= (async () => {
    const [{ SSMClient }, { client }] = await Promise.all([ssmSdk(), import('@fleece/aws')]);
    return client(SSMClient, {});
  })();
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

/** Forgets the default SSM client. */
export function resetDefaultSsm(): void {
  shared = undefined;
}

/** Checks an optional injected client. */
export function checkSsm(ssm: unknown): void {
  if (ssm !== undefined && typeof (ssm as SsmClientLike | null)?.send !== 'function') throw new TypeError('ssm must be an AWS SDK v3 SSM client');
}
