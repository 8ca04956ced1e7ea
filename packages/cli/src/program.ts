import { Command } from 'commander';
import { registerBuildCommand } from './commands/build.js';
import { registerConfigCommand } from './commands/config.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import type { CliContext } from './context.js';
import { EXIT_CODES } from './exit-codes.js';

const EXIT_HELP = `
Exit codes:
  ${EXIT_CODES.OK}  done
  ${EXIT_CODES.FAILURE}  unexpected failure (a bug)
  ${EXIT_CODES.USAGE}  bad arguments or options
  ${EXIT_CODES.INVALID}  invalid input: YAML/JSON syntax (line:column), configuration format, parameter names or values
  ${EXIT_CODES.STAGE}  unknown stage, or no per-stage value for it
  ${EXIT_CODES.DECRYPT}  a ciphertext failed authentication (altered, moved, or another key)
  ${EXIT_CODES.KEYS}  KMS, SSM or a local key file failed
  ${EXIT_CODES.ABORTED}  edit abandoned; config.yml unchanged
  ${EXIT_CODES.FILE}  a file could not be read or written
  run: the command's own exit code; 128+N when signal N ended it, 127 when it was not found, 126 when it could not be run
`;

/**
 * The package.json version, written in by the shared build (tools/build/tsup.config.js `define`);
 * not defined when the sources run directly (jest, a bundle made from src).
 */
declare const __FLEECE_PACKAGE_VERSION__: string | undefined;

/** What `fleece --version` prints: the build's version, or from source the package.json beside src/. */
function cliVersion(): string {
  if (typeof __FLEECE_PACKAGE_VERSION__ === 'string') return __FLEECE_PACKAGE_VERSION__;
  // Only from source, where src/ sits beside package.json (the build inlines the version instead).
  return (require('../package.json') as { version: string }).version;
}

/** Adds one command (with its subcommands) to the program. Each lives in its own file under commands/. */
export type CommandRegistrar = (program: Command, context: CliContext) => void;

/** Every command of `fleece`, in help order. A new command is one file and one line here. */
export const COMMANDS: readonly CommandRegistrar[] = [registerConfigCommand, registerServeCommand, registerBuildCommand, registerRunCommand];

/**
 * The `fleece` program: commander set to throw rather than exit (so `main` owns exit codes) and
 * to write through the context's streams.
 */
export function createProgram(context: CliContext): Command {
  const program = new Command('fleece')
    .description('fleece for TypeScript: configuration, local serving, builds and runs for AWS Lambda functions')
    .version(cliVersion(), '-V, --version', 'print the version of @fleece/cli')
    .exitOverride()
    .configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr })
    .showHelpAfterError('(add --help for usage)')
    .allowExcessArguments(false)
    .addHelpText('after', EXIT_HELP);
  for (const register of COMMANDS) register(program, context);
  return program;
}
