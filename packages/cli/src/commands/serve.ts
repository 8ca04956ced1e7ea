import { dirname, relative } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import {
  checkFunctionName,
  parseAwsMode,
  parseCount,
  parseEnvPair,
  parseEventVersion,
  parseModuleRef,
  parseMs,
  parsePort,
  ServeOptionError,
  type ServeOptions,
} from '../serve/options.js';
import { PortInUseError, ServeAbortedError, ServeStartError, startServe, type RunningServe } from '../serve/server.js';
import { untilSignal } from '../serve/signals.js';

interface ServeCommandOptions {
  port: string;
  event: string;
  aws: string;
  timeout: string;
  concurrency: string;
  name?: string;
  setup?: string;
  env?: string[];
  watch: boolean;
}

const HELP = `
Each request becomes an API Gateway proxy event (REST API v1 with multiValueHeaders and
multiValueQueryStringParameters, or HTTP API v2 with rawQueryString and cookies) and the handler
runs in a worker thread, one invocation at a time per worker as in a Lambda execution environment,
with a context whose getRemainingTimeInMillis() counts down from --timeout. Past it the worker is
stopped and the client gets 504. A throw, a malformed result or a response over Lambda's 6 MB
payload limit gets 502, as from API Gateway. One line per request goes to stderr, with the ids the
handler logs (api_request_id, lambda_request_id, trace_id).

--aws local (the default) starts a local AWS (DynamoDB, S3, KMS, SSM, Secrets Manager, STS, Lambda,
CloudFormation) and an X-Ray daemon on 127.0.0.1 and points the function's SDK at them through
AWS_ENDPOINT_URL_<SERVICE>, AWS_XRAY_DAEMON_ADDRESS and local credentials: no code change. The
local Lambda serves the function under its name, so self-invocations (InvocationType Event) run
it too. Nothing persists after the command stops. --aws real keeps your environment (AWS_PROFILE,
AWS_REGION, ...) as it is.

--setup runs a module once, with the function's environment, before the handler loads: create
tables and buckets there. It may return an object of environment variables for the function.

The handler reloads when a file under its directory changes; node_modules, hidden entries
(.git), *.log, what .gitignore names and the files this command's output is redirected to are
ignored. A port already in use ends the command with exit code 9. The first Ctrl-C stops it. TypeScript modules (.ts, .mts) are compiled on the fly with esbuild.

Examples:
  fleece serve src/handler.mjs                      export "handler", REST API events, port 8080
  fleece serve src/handler.ts#main --event v2 --port 3000 --timeout 10000
  fleece serve src/handler.mjs --setup src/local-setup.mjs --env LOG_LEVEL=debug
`;

/** Turns the command line into {@link ServeOptions}. @throws ServeOptionError */
export function serveOptions(handler: string, options: ServeCommandOptions, cwd: string): ServeOptions {
  const env: Record<string, string> = {};
  for (const pair of options.env ?? []) {
    const [name, value] = parseEnvPair(pair);
    env[name] = value;
  }
  return {
    handler: parseModuleRef(handler, cwd, 'handler'),
    port: parsePort(options.port),
    event: parseEventVersion(options.event),
    aws: parseAwsMode(options.aws),
    timeoutMs: parseMs('--timeout', options.timeout),
    concurrency: parseCount('--concurrency', options.concurrency),
    ...(options.name !== undefined && { functionName: checkFunctionName(options.name) }),
    ...(options.setup !== undefined && { setup: parseModuleRef(options.setup, cwd, 'setup', 'setup module') }),
    watch: options.watch,
    env,
  };
}

/** The lines printed once the server listens. */
export function banner(running: RunningServe, options: ServeOptions, cwd: string): string {
  const lines = [
    `fleece serve: ${relative(cwd, options.handler.file)}#${options.handler.exportName} as Lambda function ${running.functionName}` +
      ` (${options.event === 'v2' ? 'HTTP API v2' : 'REST API v1'} events, timeout ${options.timeoutMs} ms)`,
  ];
  if (running.aws) {
    lines.push('local AWS, reached by the function through AWS_ENDPOINT_URL_<SERVICE>:');
    for (const service of running.aws.services) lines.push(`  ${service.padEnd(15)} ${running.aws.endpoint(service)}`);
    if (running.xray) lines.push(`  ${'x-ray daemon'.padEnd(15)} udp://${running.xray.address}`);
  } else {
    lines.push('AWS: your own account, from your environment (--aws real)');
  }
  if (options.watch !== false) lines.push(`reloading on changes under ${relative(cwd, dirname(options.handler.file)) || '.'}`);
  lines.push(`listening on ${running.url}  (Ctrl-C stops)`);
  return `${lines.join('\n')}\n`;
}

/** What the X-Ray collector received, for the last line. */
function traceSummary(running: RunningServe): string {
  const received = running.xrayReceived();
  if (!received) return '';
  const { subsegments, traces } = received;
  return ` (x-ray: ${subsegments} subsegment${subsegments === 1 ? '' : 's'} in ${traces} trace${traces === 1 ? '' : 's'} received)`;
}

/** Adds `fleece serve` to the program. */
export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('serve a Lambda handler over HTTP as API Gateway invokes it, with an embedded local AWS')
    .argument('<handler>', 'the handler module and export, module[#export] (export default "handler")')
    .option('-p, --port <port>', 'the port on 127.0.0.1 (0: any free one)', '8080')
    .option('--event <version>', 'v1 (REST API) or v2 (HTTP API) events', 'v1')
    .option('--aws <mode>', 'local (an embedded local AWS) or real (your AWS credentials)', 'local')
    .option('--timeout <ms>', 'the function timeout, ms (Lambda\'s default 3 s is 3000)', '3000')
    .option('--concurrency <n>', 'invocations at once, a worker each; more wait', '10')
    .option('--name <function>', 'the function name (default: package.json name without scope)')
    .option('--setup <module>', 'module[#export] run once before the handler loads (export default "setup", else the default export)')
    .option('--env <NAME=value...>', 'environment variables for the function')
    .option('--no-watch', 'do not reload the handler when its files change')
    .addHelpText('after', HELP)
    .action(async (handler: string, raw: ServeCommandOptions) => {
      const { io } = context;
      let options: ServeOptions;
      try {
        options = serveOptions(handler, raw, io.cwd);
      } catch (error) {
        if (error instanceof ServeOptionError) throw new CliError(error.message, EXIT_CODES.USAGE, { cause: error });
        throw error;
      }
      // Listening before starting: the first Ctrl-C during a slow start (the local AWS, a cold module) stops it at once.
      const stopSignal = untilSignal();
      const abort = new AbortController();
      void stopSignal.received.then((signal) => {
        if (abort.signal.aborted) return;
        io.stderr(`${signal}: stopping\n`);
        abort.abort();
      });
      let running: RunningServe;
      try {
        running = await startServe(options, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, env: io.env, signal: abort.signal });
      } catch (error) {
        stopSignal.cancel();
        if (error instanceof ServeAbortedError) return io.stderr('stopped\n');
        if (error instanceof PortInUseError) throw new CliError(error.message, EXIT_CODES.PORT_IN_USE, { cause: error });
        if (error instanceof ServeStartError) throw new CliError(error.message, EXIT_CODES.FAILURE, { cause: error });
        throw error;
      }
      io.stderr(banner(running, options, io.cwd));
      await stopSignal.received;
      await running.stop();
      io.stderr(`stopped${traceSummary(running)}\n`);
    });
}
