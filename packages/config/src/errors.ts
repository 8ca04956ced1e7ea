/**
 * The base of every error `@fleece/config` throws on purpose, so a caller (the `fleece` command
 * above all) can tell a configuration problem from a bug. Messages name what is wrong and where;
 * they never carry a configuration value, because values may be secrets.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A human-readable location in a configuration tree, e.g. `config.nested.a_list[0].password1.+prod`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}

/**
 * The text is not valid YAML (or JSON). `line` and `column` are 1-based. The message never quotes
 * the offending line: in an open configuration file that line may hold a secret.
 */
export class ConfigSyntaxError extends ConfigError {
  override name = 'ConfigSyntaxError';
  constructor(
    /** What the parser objected to, without the source text. */
    readonly problem: string,
    readonly line: number,
    readonly column: number,
    /** The file or stream the text came from, for the message. */
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}:${line}:${column}: ${problem}`, options);
  }
}

/** The file parses but breaks a rule of the configuration format; `path` says where. */
export class ConfigFormatError extends ConfigError {
  override name = 'ConfigFormatError';
  constructor(
    readonly path: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(path ? `${path}: ${problem}` : problem, options);
  }
}

/** The stage given to `render` (or `loadConfig`'s artifact) matches no entry of `stages`. */
export class UnknownStageError extends ConfigError {
  override name = 'UnknownStageError';
  constructor(
    readonly stage: string,
    readonly known: readonly string[],
  ) {
    super(`unknown stage "${stage}": it matches none of the stages defined in the file (${known.length ? known.join(', ') : 'none defined'})`);
  }
}

/** A per-stage value (`+stage` keys) has no entry for the stage being rendered. */
export class MissingStageValueError extends ConfigError {
  override name = 'MissingStageValueError';
  constructor(
    readonly path: string,
    readonly stage: string,
    readonly keys: readonly string[],
  ) {
    super(`${path} has no value for stage "${stage}" (its per-stage keys are ${keys.join(', ')}); add a "+${stage}" key or a matching "+/regex/" key`);
  }
}

/**
 * A ciphertext failed authentication: it was altered, moved to another path, or belongs to another
 * data key. `path` names the value (or `artifact` for a rendered artifact).
 */
export class DecryptionError extends ConfigError {
  override name = 'DecryptionError';
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decrypt ${path}: ${reason}`, options);
  }
}

/** A key provider call failed: KMS refused or was unreachable, or a local key file is missing or invalid. */
export class KeyProviderError extends ConfigError {
  override name = 'KeyProviderError';
  constructor(
    /** The key reference as written in the file (`alias/prod`, an ARN, `local:dev.key`). */
    readonly key: string,
    readonly operation: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation} with key ${key} failed: ${reason}`, options);
  }
}

/** `loadConfig` found no artifact, or the artifact it found is not one `render --encrypt` writes. */
export class ConfigLoadError extends ConfigError {
  override name = 'ConfigLoadError';
}

/** Names or values that Parameter Store would reject; every problem is listed, none was written. */
export class ParameterStoreError extends ConfigError {
  override name = 'ParameterStoreError';
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} with the parameters:\n  - ${problems.join('\n  - ')}`, options);
  }
}

/** A Parameter Store read failed or its value could not be transformed; `parameter` names it. */
export class ParameterError extends ConfigError {
  override name = 'ParameterError';
  constructor(
    readonly parameter: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`parameter ${parameter}: ${reason}`, options);
  }
}

/** The environment does not satisfy the schema given to `env()`; `problems` lists every violation. */
export class EnvError extends ConfigError {
  override name = 'EnvError';
  constructor(readonly problems: readonly string[]) {
    super(`the environment is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}
