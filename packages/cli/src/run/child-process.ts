import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CliError } from '../errors.js';
import type { RunCredentials } from './credentials.js';

/** Variables that would make the SDKs and the AWS CLI prefer other credentials than the ones given. */
const SHADOWING = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'];

/**
 * The child's environment: the parent's, with the credentials replaced. Region and endpoint
 * variables pass through unchanged; `AWS_PROFILE` goes, because an SDK v3 client that sees it
 * ignores credentials in the environment (its region, if the variables name none, is kept as
 * `AWS_REGION` and `AWS_DEFAULT_REGION`).
 */
export function childEnvironment(env: Record<string, string | undefined>, credentials: RunCredentials, environmentName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !SHADOWING.includes(name)) out[name] = value;
  out['AWS_ACCESS_KEY_ID'] = credentials.accessKeyId;
  out['AWS_SECRET_ACCESS_KEY'] = credentials.secretAccessKey;
  if (credentials.sessionToken !== undefined) {
    out['AWS_SESSION_TOKEN'] = credentials.sessionToken;
    // boto2 and other old clients read the token from here.
    out['AWS_SECURITY_TOKEN'] = credentials.sessionToken;
  }
  if (credentials.expiration !== undefined) out['AWS_CREDENTIAL_EXPIRATION'] = credentials.expiration.toISOString();
  if (credentials.profileRegion !== undefined && out['AWS_REGION'] === undefined && out['AWS_DEFAULT_REGION'] === undefined) {
    out['AWS_REGION'] = credentials.profileRegion;
    out['AWS_DEFAULT_REGION'] = credentials.profileRegion;
  }
  out['AWS_ACCOUNT_ID'] = credentials.account;
  out['FLEECE_ENVIRONMENT'] = environmentName;
  return out;
}

/**
 * The command's exit, passed on as `fleece run`'s own: `exitCode` is the command's, or 128 + the
 * signal number when a signal ended it (as shells report it). The message is for a log; the
 * command has already said what went wrong.
 */
export class CommandExit extends CliError {
  override name = 'CommandExit';
  /** `main` need not print anything for it: the exit code is the whole message. */
  readonly silent = true;
}

/** The command could not be started at all (not found: 127; not executable: 126, as shells say). */
function startFailure(command: string, environmentName: string, error: NodeJS.ErrnoException): CliError {
  const reason = error.code === 'ENOENT' ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
  return new CliError(`environment "${environmentName}": cannot run ${command}: ${reason}`, error.code === 'ENOENT' ? 127 : 126, { cause: error });
}

/**
 * Runs `command` with `args` exactly as given (no shell, so quoting and spaces survive), on this
 * terminal (inherited stdin, stdout, stderr), and resolves when it ends. SIGTERM and SIGHUP sent
 * to fleece are passed on; Ctrl-C reaches the command from the terminal itself, so fleece only
 * waits for it rather than signalling it twice.
 *
 * @throws CommandExit when the command exits non-zero or is killed; CliError (126/127) when it cannot start.
 */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; environmentName: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: 'inherit', shell: false });
    const forward = (signal: NodeJS.Signals) => () => {
      child.kill(signal);
    };
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', forward('SIGTERM')],
      ['SIGHUP', forward('SIGHUP')],
      ['SIGINT', () => undefined],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const cleanUp = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      cleanUp();
      reject(startFailure(command, options.environmentName, error));
    });
    child.once('exit', (code, signal) => {
      cleanUp();
      if (code === 0) return resolve();
      if (signal !== null) {
        const number = constants.signals[signal] ?? 0;
        return reject(new CommandExit(`${command} was ended by ${signal}`, 128 + number));
      }
      reject(new CommandExit(`${command} exited with code ${code}`, code ?? 1));
    });
  });
}
