export { EXIT_CODES, type ExitCode } from './exit-codes.js';
export { CliError } from './errors.js';
export { main, exitCodeOf, type MainOptions } from './main.js';
export { createProgram, COMMANDS, type CommandRegistrar } from './program.js';
export { processIO, type CliIO } from './io.js';
export type { CliContext, CliServices } from './context.js';
export { startServe, ServeStartError, type RunningServe, type ServeIO } from './serve/server.js';
export type { ServeOptions } from './serve/options.js';
