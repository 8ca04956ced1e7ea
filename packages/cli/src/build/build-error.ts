/** A build that failed on the user's input: bad options, a missing entry, a compile error. */
export class BuildError extends Error {
  override name = 'BuildError';
  constructor(
    message: string,
    /** What went wrong: an option, a missing file, or the bundler's errors. */
    readonly kind: 'options' | 'file' | 'bundle',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
