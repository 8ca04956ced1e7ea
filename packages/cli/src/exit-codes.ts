/**
 * The exit codes of the `fleece` command. Stable: scripts and CI jobs may depend on them.
 */
export const EXIT_CODES = Object.freeze({
  /** Done. */
  OK: 0,
  /** An unexpected failure (a bug, or an I/O error not listed below). */
  FAILURE: 1,
  /** Bad arguments or options. */
  USAGE: 2,
  /** The input is invalid: YAML/JSON syntax (with line and column), the configuration format, Parameter Store names or values, environments.yml. */
  INVALID: 3,
  /** The stage matches no entry of `stages`, or a per-stage value has no entry for it. */
  STAGE: 4,
  /** A ciphertext failed authentication: altered, moved to another path, or under another key. */
  DECRYPT: 5,
  /** KMS, SSM or a local key file failed: access denied, unreachable, key missing. */
  KEYS: 6,
  /** `edit` was abandoned (the editor failed, or an invalid edit was not fixed); config.yml is unchanged. */
  ABORTED: 7,
  /** A file could not be read or written (config.yml missing, an output file exists, …). */
  FILE: 8,
  /** `fleece serve`: the port on 127.0.0.1 is taken by another process. */
  PORT_IN_USE: 9,
});

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
