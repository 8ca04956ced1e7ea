import {
  ConfigError,
  ConfigFormatError,
  ConfigLoadError,
  ConfigSyntaxError,
  DecryptionError,
  EnvError,
  KeyProviderError,
  MissingStageValueError,
  ParameterError,
  ParameterStoreError,
  UnknownStageError,
} from '@fleece/config';
import { CommanderError } from 'commander';
import type { CliServices } from './context.js';
import { CliError } from './errors.js';
import { EXIT_CODES } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';
import { createProgram } from './program.js';

/** Options of {@link main}; tests inject streams and AWS clients. */
export interface MainOptions {
  io?: CliIO;
  services?: CliServices;
}

/** The exit code for an error: see {@link EXIT_CODES}. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
  if (error instanceof ConfigSyntaxError || error instanceof ConfigFormatError || error instanceof ParameterStoreError || error instanceof ConfigLoadError || error instanceof EnvError) return EXIT_CODES.INVALID;
  if (error instanceof UnknownStageError || error instanceof MissingStageValueError) return EXIT_CODES.STAGE;
  if (error instanceof DecryptionError) return EXIT_CODES.DECRYPT;
  if (error instanceof KeyProviderError || error instanceof ParameterError) return EXIT_CODES.KEYS;
  if (error instanceof ConfigError) return EXIT_CODES.INVALID;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (error as NodeJS.ErrnoException).syscall !== undefined) return EXIT_CODES.FILE;
  return EXIT_CODES.FAILURE;
}

/**
 * Runs `fleece` with the arguments after the program name and resolves to the exit code; it
 * never calls `process.exit`, and it reports errors as one line on stderr (a stack only for
 * unexpected ones, which are bugs).
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIO();
  try {
    await createProgram({ io, services: options.services ?? {} }).parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.OK;
  } catch (error) {
    const code = exitCodeOf(error);
    // commander has already printed its own usage errors and help; `run` passes its command's exit on silently.
    if (!(error instanceof CommanderError) && !(error as { silent?: boolean }).silent) {
      const known = error instanceof ConfigError || error instanceof CliError || code === EXIT_CODES.FILE;
      io.stderr(`fleece: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
    }
    return code;
  }
}
