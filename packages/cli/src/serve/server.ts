import { randomBytes } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, extname, relative } from 'node:path';
import { lambdaContext, LOCAL_ACCOUNT, type LocalAws, type XrayCollector } from '@fleece/testing';
import { toEvent } from './events.js';
import { CREDENTIAL_VARIABLES, startLocalEnvironment, type LocalEnvironment } from './local-env.js';
import { defaultFunctionName, type AwsMode, type EventVersion, type ServeOptions } from './options.js';
import { loadGitignore } from './gitignore.js';
import { listen, readBody, writeAnswer } from './http-io.js';
import { answerOf, describeInit, failure, GATEWAY_TIMEOUT_MS, gatewayTimeout, LAMBDA_PAYLOAD_LIMIT_BYTES, timing } from './outcome.js';
import { FunctionPool, type Output } from './pool.js';
import { gatewayAnswer } from './responses.js';
import { ServeAbortedError, ServeStartError } from './start-error.js';
import { requestTrace } from './trace.js';
import { watchTree } from './watcher.js';
import { hooksFor, runSetup } from './setup.js';
import type { ContextData } from './worker-source.js';

/** Lambda's default function timeout, ms. */
export const DEFAULT_TIMEOUT_MS = 3000;
export { GATEWAY_TIMEOUT_MS, LAMBDA_PAYLOAD_LIMIT_BYTES } from './outcome.js';
export { PortInUseError, ServeAbortedError, ServeStartError } from './start-error.js';

/** Where `startServe` writes and what it reads from its surroundings. */
export interface ServeIO extends Output {
  /** Relative module paths are resolved against it. */
  cwd: string;
  /** The environment the function starts from. */
  env: Record<string, string | undefined>;
  /** Aborting it during the start stops what has started and rejects with ServeAbortedError (the first Ctrl-C). */
  signal?: AbortSignal;
}

/** A running `fleece serve`. */
export interface RunningServe {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  /** The local AWS, with `--aws local`. */
  readonly aws: LocalAws | undefined;
  /** The X-Ray collector the function's segments go to, with `--aws local`. */
  readonly xray: XrayCollector | undefined;
  /** What the X-Ray collector received since the start (it keeps only the latest documents), with `--aws local`. */
  xrayReceived(): { subsegments: number; traces: number } | undefined;
  /** The environment every worker of the function gets. */
  readonly env: Readonly<Record<string, string>>;
  /** Loads the handler afresh (what a file change does). @throws InitError */
  reload(): Promise<number>;
  /** Stops the server, the workers, the watcher and the local AWS. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Serves a Lambda handler over HTTP on 127.0.0.1 as API Gateway would invoke it: each request
 * becomes a REST API (v1) or HTTP API (v2) proxy event, the handler runs in a worker thread with
 * a Lambda context whose remaining time counts down from the timeout (a 504 past it), and its
 * result becomes the response. With `aws: 'local'` the function's environment points the AWS
 * SDK at an embedded local AWS, whose Lambda invokes the same handler (self-invocations work).
 *
 * @throws ServeStartError when the port is taken, the setup module fails or the handler does not load.
 */
export async function startServe(options: ServeOptions, io: ServeIO): Promise<RunningServe> {
  const version: EventVersion = options.event ?? 'v1';
  const mode: AwsMode = options.aws ?? 'local';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const functionName = options.functionName ?? defaultFunctionName(options.handler.file);
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };
  // Each step of the start checks the signal; an abort also stops the pool at once, so a slow module load ends now.
  let pool: FunctionPool | undefined;
  const onAbort = () => void pool?.close();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  const checkAbort = () => {
    if (io.signal?.aborted) throw new ServeAbortedError('stopped before it started');
  };

  try {
    checkAbort();
    let local: LocalEnvironment | undefined;
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value;
    if (mode === 'local') {
      const started = await startLocalEnvironment();
      local = started;
      cleanups.push(() => started.stop());
      checkAbort();
      for (const name of CREDENTIAL_VARIABLES) delete env[name];
      Object.assign(env, local.env);
    }
    const region = local?.aws.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    const accountId = local?.aws.account ?? LOCAL_ACCOUNT;
    const invokedFunctionArn = `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
    Object.assign(env, {
      AWS_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      _HANDLER: `${basename(options.handler.file, extname(options.handler.file))}.${options.handler.exportName}`,
    });
    // With a local collector every request is traced; against real AWS only when a daemon address is given.
    const sampled = mode === 'local' || env['AWS_XRAY_DAEMON_ADDRESS'] !== undefined;

    if (options.setup) {
      const started = Date.now();
      const added = await runSetup(options.setup, { aws: mode, region, functionName }, env, io);
      Object.assign(env, added);
      io.stderr(`setup ${relative(io.cwd, options.setup.file)} done in ${Date.now() - started} ms${Object.keys(added).length ? ` (sets ${Object.keys(added).join(', ')})` : ''}\n`);
    }
    Object.assign(env, options.env ?? {});
    checkAbort();

    pool = new FunctionPool({ module: options.handler, env, concurrency: options.concurrency ?? 10, hooks: hooksFor(options.handler.file, io.cwd), output: io });
    const functions = pool;
    cleanups.push(() => functions.close());
    try {
      await pool.warm();
    } catch (error) {
      checkAbort();
      throw new ServeStartError(`cannot load ${relative(io.cwd, options.handler.file)}#${options.handler.exportName}: ${describeInit(error)}`, { cause: error });
    }

    const contextOf = (awsRequestId?: string): Omit<ContextData, 'deadline'> => {
      const context = lambdaContext({ timeoutMs, functionName, region, accountId, invokedFunctionArn, ...(awsRequestId && { awsRequestId }) });
      const { functionVersion, memoryLimitInMB, logGroupName, logStreamName } = context;
      return { awsRequestId: context.awsRequestId, functionName, functionVersion, invokedFunctionArn, memoryLimitInMB, logGroupName, logStreamName };
    };

    if (local) {
      // The local Lambda runs the same handler, so `InvocationType: 'Event'` self-invokes (longRunning) work.
      // Its own timer allows for a cold start; the worker enforces the function's timeout itself.
      local.aws.lambda.register(
        functionName,
        async (event: unknown, context: { awsRequestId: string }) => {
          const trace = requestTrace(undefined, sampled);
          const outcome = await functions.invoke({ event: JSON.stringify(event), context: contextOf(context.awsRequestId), timeoutMs, traceHeader: trace.header });
          io.stderr(`${outcome.ok ? 'ok ' : 'ERR'} invoke ${functionName} ${timing(outcome)} lambda_request_id=${context.awsRequestId} trace_id=${trace.traceId}${failure(outcome)}\n`);
          if (outcome.ok) return JSON.parse(outcome.payload) as unknown;
          throw Object.assign(new Error(outcome.error.errorMessage), { name: outcome.error.errorType });
        },
        { timeoutMs: timeoutMs + 10_000 },
      );
    }

    const apiId = randomBytes(5).toString('hex');
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        io.stderr(`fleece serve: ${(error as Error)?.stack ?? String(error)}\n`);
        if (!res.headersSent) writeAnswer(res, gatewayAnswer('error', version), false);
        else res.destroy();
      });
    });
    const port = await listen(server, options.port ?? 8080);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const started = Date.now();
      const body = await readBody(req);
      const target = req.url ?? '/';
      const method = req.method ?? 'GET';
      const log = (status: number, bytes: number, extra: string) => io.stderr(`${status} ${method} ${target} ${Date.now() - started}ms ${bytes}B${extra}\n`);
      if (body === undefined) {
        const answer = gatewayAnswer('too-large', version);
        writeAnswer(res, answer, false);
        return log(answer.status, answer.body.length, ` error="the request is over Lambda's ${LAMBDA_PAYLOAD_LIMIT_BYTES} B payload limit"`);
      }
      const incomingTrace = req.headers['x-amzn-trace-id'];
      const trace = requestTrace(typeof incomingTrace === 'string' ? incomingTrace : undefined, sampled);
      const headers: Array<[string, string]> = [];
      const raw = req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] ?? '', raw[i + 1] ?? '']);
      const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      const { event, requestId } = toEvent({ method, url: target, headers, body, sourceIp, port }, { version, region, accountId, apiId, traceHeader: trace.header });
      const eventJson = JSON.stringify(event);
      const context = contextOf();
      const ids = ` api_request_id=${requestId} lambda_request_id=${context.awsRequestId} trace_id=${trace.traceId}`;
      if (Buffer.byteLength(eventJson) > LAMBDA_PAYLOAD_LIMIT_BYTES) {
        const answer = gatewayAnswer('too-large', version);
        writeAnswer(res, answer, false);
        return log(answer.status, answer.body.length, `${ids} error="the event is over Lambda's ${LAMBDA_PAYLOAD_LIMIT_BYTES} B payload limit"`);
      }
      const invocation = functions.invoke({ event: eventJson, context, timeoutMs, traceHeader: trace.header });
      const outcome = timeoutMs <= GATEWAY_TIMEOUT_MS ? await invocation : await Promise.race([invocation, gatewayTimeout(invocation)]);
      const { answer, problem } = answerOf(outcome, version);
      const gatewayHeaders: Array<[string, string]> = version === 'v1' ? [['x-amzn-RequestId', requestId], ['X-Amzn-Trace-Id', trace.header.replace(/;Parent=[^;]*/, '')]] : [['apigw-requestid', requestId]];
      const taken = new Set(answer.headers.map(([name]) => name.toLowerCase()));
      answer.headers.push(...gatewayHeaders.filter(([name]) => !taken.has(name.toLowerCase())));
      writeAnswer(res, answer, method === 'HEAD');
      log(answer.status, answer.body.length, `${ids}${outcome === 'gateway-timeout' ? '' : timing(outcome, ' ')}${problem}`);
    }

    let stopping: Promise<void> | undefined;
    let reloading: Promise<unknown> = Promise.resolve();
    const reload = () => {
      const next = reloading.then(() => functions.reload());
      reloading = next.catch(() => undefined);
      return next;
    };
    if (options.watch ?? true) {
      const root = dirname(options.handler.file);
      const watching = watchTree(root, (paths) => {
        io.stderr(`${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''} changed: reloading ${relative(io.cwd, options.handler.file)}\n`);
        reload().then(
          (initMs) => io.stderr(`reloaded in ${initMs} ms\n`),
          (error: unknown) => stopping ?? io.stderr(`reload failed, requests get 502 until the module loads: ${describeInit(error)}\n`),
        );
      }, {
        onLimit: (dir) => io.stderr(`watching only the first 2000 directories under ${dir}\n`),
        ignore: loadGitignore(root),
        // `fleece serve handler.mjs > serve.log` in the handler's folder: writing the log must not reload the handler.
        ignoreFiles: ownOutputFiles(),
      });
      cleanups.push(() => watching.close());
      await watching.ready;
    }

    const url = `http://127.0.0.1:${port}`;
    io.signal?.removeEventListener('abort', onAbort);
    return {
      url,
      port,
      functionName,
      invokedFunctionArn,
      aws: local?.aws,
      xray: local?.xray,
      xrayReceived: () => local?.received(),
      env,
      reload,
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    io.signal?.removeEventListener('abort', onAbort);
    await cleanup();
    throw error;
  }
}

/** The files this process's stdout and stderr are redirected to, by device and inode. */
function ownOutputFiles(): Array<{ dev: number; ino: number }> {
  const files: Array<{ dev: number; ino: number }> = [];
  for (const fd of [1, 2]) {
    try {
      const found = fstatSync(fd);
      if (found.isFile()) files.push({ dev: found.dev, ino: found.ino });
    } catch {
      // No such descriptor: nothing to ignore.
    }
  }
  return files;
}
