/** CloudFormation's default and longest custom-resource ServiceTimeout: one hour, in seconds. */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
/** The longest share of the ServiceTimeout kept back for the final answer to reach CloudFormation. */
export const MAX_ANSWER_RESERVE_MS = 30_000;

/**
 * The custom resource's `ServiceTimeout`, in seconds (the protocol's unit): CloudFormation hands
 * the template's value on in `ResourceProperties.ServiceTimeout`, as a string like every property.
 * An integer from 1 to 3600; absent or unusable, CloudFormation's default of 3600 applies (it
 * validates the template, so an unusable value is not CloudFormation's, and waiting the default
 * hour is what CloudFormation would do).
 */
export function serviceTimeoutSeconds(event: { ResourceProperties?: unknown }): number {
  const properties = event.ResourceProperties;
  const raw = properties && typeof properties === 'object' ? (properties as Record<string, unknown>)['ServiceTimeout'] : undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d{1,10}\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < 1) return DEFAULT_SERVICE_TIMEOUT_SECONDS;
  return Math.min(value, DEFAULT_SERVICE_TIMEOUT_SECONDS);
}

/**
 * What is kept back from the ServiceTimeout so the last answer (a FAILED at worst) is delivered
 * while CloudFormation still waits for it: a tenth of it, at most 30 s (a one-hour timeout keeps
 * 30 s, a 60 s one keeps 6 s, a 5 s one keeps 0.5 s).
 */
export function answerReserveMs(seconds: number): number {
  return Math.min(MAX_ANSWER_RESERVE_MS, (seconds * 1000) / 10);
}

/** The window an operation must answer within, from the ServiceTimeout and when it started. */
export interface ServiceWindow {
  /** The ServiceTimeout, seconds. */
  readonly seconds: number;
  /** ms left before the work must stop so the answer still arrives in time (negative once past). */
  left(): number;
  /** The reason of the FAILED answer once the window has passed. */
  readonly reason: string;
}

/**
 * The operation's window: `startMs` (the chain's `CreationTime`, epoch ms) plus the ServiceTimeout,
 * less the answer's reserve. Every invocation of a polling chain plans within the same window.
 */
export function serviceWindow(event: { ResourceProperties?: unknown }, startMs: number, clock: () => number): ServiceWindow {
  const seconds = serviceTimeoutSeconds(event);
  const end = startMs + seconds * 1000 - answerReserveMs(seconds);
  return {
    seconds,
    left: () => end - clock(),
    reason: `timed out: the operation did not finish within the custom resource's ServiceTimeout of ${seconds} s (answering before CloudFormation gives up)`,
  };
}
