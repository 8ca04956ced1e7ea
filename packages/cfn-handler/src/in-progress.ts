/** Options of {@link inProgress} and {@link CfnLambdaExecutionTimeout}. */
export interface InProgressOptions {
  /**
   * The physical id of what exists so far. The chain answers with it when the poll function names
   * none, and a Create that fails later answers with it (instead of the marker id), so that the
   * Delete CloudFormation then sends reaches your delete function and nothing is left behind.
   */
  physicalResourceId?: string;
}

const IN_PROGRESS: unique symbol = Symbol.for('@fleece/cfn-handler.inProgress');

/** What {@link inProgress} returns: the operation goes on in a new invocation. */
export interface InProgress<S = unknown> {
  readonly [IN_PROGRESS]: true;
  /** Handed to the poll function as `event.EventState`; must be JSON-serialisable. */
  readonly state: S;
  readonly physicalResourceId?: string;
}

/**
 * Returned from a create, update, delete or poll function: the operation is not finished, keep
 * polling. The library re-invokes its own function with `EventStatus: 'Poll'` and
 * `EventState: state`, and answers CloudFormation only when a poll function returns a result.
 *
 * @example
 * resource.create(async (event) => inProgress({ jobId: await startJob(event.ResourceProperties) }));
 */
export function inProgress<S>(state: S, options: InProgressOptions = {}): InProgress<S> {
  return { [IN_PROGRESS]: true, state, physicalResourceId: options.physicalResourceId };
}

/** Whether `value` came from {@link inProgress}. */
export function isInProgress(value: unknown): value is InProgress {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[IN_PROGRESS] === true;
}

/**
 * Thrown from a create, update, delete or poll function when its invocation is about to run out
 * of time (the origin's way to ask for polling): the library re-invokes its own function with
 * `EventState: state`, exactly as if {@link inProgress} had been returned.
 */
export class CfnLambdaExecutionTimeout<S = unknown> extends Error {
  override readonly name = 'CfnLambdaExecutionTimeout';
  /** Handed to the poll function as `event.EventState`. */
  readonly state: S;
  /** See {@link InProgressOptions.physicalResourceId}. */
  readonly physicalResourceId?: string;

  constructor(state: S, options: InProgressOptions = {}) {
    super('the operation continues in a new invocation');
    this.state = state;
    this.physicalResourceId = options.physicalResourceId;
  }
}
