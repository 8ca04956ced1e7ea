// The OpenTelemetry packages are optional peers of @fleece/xray: a team on the X-Ray SDK never
// installs them. When the otel backend is chosen without them, the message names what to install.

/** A tracing backend could not load because a package it needs is not installed. */
export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError';

  constructor(
    /** The package to install, e.g. `@opentelemetry/sdk-trace-base`. */
    readonly packageName: string,
    /** The version range @fleece/xray is tested with. */
    readonly range: string,
    options: { cause: unknown },
  ) {
    super(`@fleece/xray: the otel backend needs ${packageName}; install it: npm install ${packageName}@${range}`, options);
  }
}

function isNotFound(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || (typeof message === 'string' && message.startsWith('Cannot find module'));
  // Only when the missing module is this package (or a file of it), not something it requires.
  return notFound && typeof message === 'string' && message.includes(`'${packageName}`);
}

/**
 * The rejection handler of an `import()` of `packageName`: a "module not found" for that very
 * package becomes a {@link MissingPeerError}; any other failure passes through unchanged. Written as
 * `import('pkg').catch(missingPeer('pkg', range))` on purpose: esbuild then bundles the package when
 * it is installed and, when it is not (a function on the X-Ray SDK), leaves the import to run time
 * instead of failing the build.
 */
export function missingPeer(packageName: string, range: string): (error: unknown) => never {
  return (error) => {
    if (isNotFound(error, packageName)) throw new MissingPeerError(packageName, range, { cause: error });
    throw error;
  };
}

/** `load()` (an `import()` of `packageName`), its failure passed through {@link missingPeer}. */
export function importPeer<T>(packageName: string, range: string, load: () => Promise<T>): Promise<T> {
  return load().catch(missingPeer(packageName, range));
}
