import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext, LOCAL_ACCOUNT, type LocalAws, type XrayCollector } from '@fleece/testing';
import { toEvent } from './events.js';
import { CREDENTIAL_VARIABLES, startLocalEnvironment, type LocalEnvironment } from './local-env.js';
import { defaultFunctionName, type AwsMode, type EventVersion, type ModuleRef, type ServeOptions } from './options.js';
import { FunctionPool, InitError, startWorker, type InvokeOutcome, type Output } from './pool.js';
import { gatewayAnswer, MalformedResponseError, toHttpAnswer, type HttpAnswer } from './responses.js';
import { requestTrace } from './trace.js';
import { watchTree } from './watcher.js';
import { TS_HOOKS_SOURCE, type ContextData, type WorkerData, type WorkerMessage } from './worker-source.js';

/** Lambda's payload limit for synchronous invocations, request and response, in bytes. */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** API Gateway's integration timeout, ms: an HTTP request never waits longer. */
export const GATEWAY_TIMEOUT_MS = 29_000;
/** Lambda's default function timeout, ms. */
export const DEFAULT_TIMEOUT_MS = 3000;

/** Where `startServe` writes and what it reads from its surroundings. */
export interface ServeIO extends Output {
  /** Relative module paths are resolved against it. */
  cwd: string;
  /** The environment the function starts from. */
  env: Record<string, string | undefined>;
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
  /** The environment every worker of the function gets. */
  readonly env: Readonly<Record<string, string>>;
  /** Loads the handler afresh (what a file change does). @throws InitError */
  reload(): Promise<number>;
  /** Stops the server, the workers, the watcher and the local AWS. Safe to call more than once. */
  stop(): Promise<void>;
}

/** A failure to start: the port, the setup module or the handler module. */
export class ServeStartError extends Error {
  override readonly name = 'ServeStartError';
}

const SETUP_TIMEOUT_MS = 120_000;

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

  try {
    let local: LocalEnvironment | undefined;
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value;
    if (mode === 'local') {
      const started = await startLocalEnvironment();
      local = started;
      cleanups.push(() => started.stop());
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

    const pool = new FunctionPool({ module: options.handler, env, concurrency: options.concurrency ?? 10, hooks: hooksFor(options.handler.file, io.cwd), output: io });
    cleanups.push(() => pool.close());
    try {
      await pool.warm();
    } catch (error) {
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
          const outcome = await pool.invoke({ event: JSON.stringify(event), context: contextOf(context.awsRequestId), timeoutMs, traceHeader: trace.header });
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
      const invocation = pool.invoke({ event: eventJson, context, timeoutMs, traceHeader: trace.header });
      const outcome = timeoutMs <= GATEWAY_TIMEOUT_MS ? await invocation : await Promise.race([invocation, gatewayTimeout(invocation)]);
      const { answer, problem } = answerOf(outcome, version);
      const gatewayHeaders: Array<[string, string]> = version === 'v1' ? [['x-amzn-RequestId', requestId], ['X-Amzn-Trace-Id', trace.header.replace(/;Parent=[^;]*/, '')]] : [['apigw-requestid', requestId]];
      const taken = new Set(answer.headers.map(([name]) => name.toLowerCase()));
      answer.headers.push(...gatewayHeaders.filter(([name]) => !taken.has(name.toLowerCase())));
      writeAnswer(res, answer, method === 'HEAD');
      log(answer.status, answer.body.length, `${ids}${outcome === 'gateway-timeout' ? '' : timing(outcome, ' ')}${problem}`);
    }

    let reloading: Promise<unknown> = Promise.resolve();
    const reload = () => {
      const next = reloading.then(() => pool.reload());
      reloading = next.catch(() => undefined);
      return next;
    };
    if (options.watch ?? true) {
      const root = dirname(options.handler.file);
      const watching = watchTree(root, (paths) => {
        io.stderr(`${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''} changed: reloading ${relative(io.cwd, options.handler.file)}\n`);
        reload().then(
          (initMs) => io.stderr(`reloaded in ${initMs} ms\n`),
          (error: unknown) => io.stderr(`reload failed, requests get 502 until the module loads: ${describeInit(error)}\n`),
        );
      }, { onLimit: (dir) => io.stderr(`watching only the first 2000 directories under ${dir}\n`) });
      cleanups.push(() => watching.close());
      await watching.ready;
    }

    const url = `http://127.0.0.1:${port}`;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      functionName,
      invokedFunctionArn,
      aws: local?.aws,
      xray: local?.xray,
      env,
      reload,
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Runs the setup module's function once in a worker with the function's environment; resolves to the variables it returns. */
async function runSetup(setup: ModuleRef, argument: unknown, env: Record<string, string>, io: ServeIO): Promise<Record<string, string>> {
  const data: WorkerData = { mode: 'setup', file: setup.file, exportName: setup.exportName, hooks: hooksFor(setup.file, io.cwd), setupArgument: argument };
  const worker = startWorker(data, env, io);
  const where = `${relative(io.cwd, setup.file)}#${setup.exportName}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    const payload = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new ServeStartError(`setup ${where} did not finish within ${SETUP_TIMEOUT_MS} ms`)), SETUP_TIMEOUT_MS);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'setup-done') resolve(message.payload);
        else if (message.type === 'init-error') reject(new ServeStartError(`setup ${where} failed: ${describeInit(new InitError(message.error))}`));
      });
      worker.on('error', (error) => reject(new ServeStartError(`setup ${where} failed: ${error.stack ?? error.message}`)));
      worker.on('exit', (code) => reject(new ServeStartError(`setup ${where} exited with status ${code} before it finished`)));
    });
    const result = JSON.parse(payload) as unknown;
    if (result === null) return {};
    if (typeof result !== 'object' || Array.isArray(result) || !Object.values(result).every((v) => typeof v === 'string')) {
      throw new ServeStartError(`setup ${where} must return nothing or the function's environment variables (an object of strings), got ${payload.slice(0, 100)}`);
    }
    return result as Record<string, string>;
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** TypeScript loader hooks for a .ts/.mts module, esbuild found from the module, the working directory or this command. */
function hooksFor(file: string, cwd: string): WorkerData['hooks'] {
  if (!/\.m?ts$/.test(file)) return undefined;
  for (const base of [file, join(cwd, 'package.json'), process.argv[1] ?? join(cwd, 'x.js')]) {
    try {
      const esbuild = pathToFileURL(createRequire(base).resolve('esbuild')).href;
      return { url: `data:text/javascript,${encodeURIComponent(TS_HOOKS_SOURCE)}`, data: { esbuild } };
    } catch {
      // Try the next place.
    }
  }
  throw new ServeStartError(`serving TypeScript (${basename(file)}) needs esbuild: npm install --save-dev esbuild, or serve the compiled JavaScript`);
}

function describeInit(error: unknown): string {
  if (error instanceof InitError) {
    const { errorType, errorMessage, stack } = error.error;
    const where = userFrames(stack).filter((line) => !line.includes(errorMessage));
    return `${errorType}: ${errorMessage}${where.length ? `\n${where.join('\n')}` : ''}`;
  }
  return (error as Error)?.message ?? String(error);
}

/** Resolves to 'gateway-timeout' after API Gateway's 29 s, unless the invocation ends first. */
function gatewayTimeout(invocation: Promise<unknown>): Promise<'gateway-timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('gateway-timeout'), GATEWAY_TIMEOUT_MS);
    void invocation.finally(() => clearTimeout(timer));
  });
}

/** The HTTP answer to an invocation's outcome, and what to add to the log line when it failed. */
function answerOf(outcome: InvokeOutcome | 'gateway-timeout', version: EventVersion): { answer: HttpAnswer; problem: string } {
  if (outcome === 'gateway-timeout') return { answer: gatewayAnswer('timeout', version), problem: ` error="API Gateway's ${GATEWAY_TIMEOUT_MS} ms integration timeout (the function runs on)"` };
  if (!outcome.ok) return { answer: gatewayAnswer(outcome.reason === 'timeout' ? 'timeout' : 'error', version), problem: failure(outcome) };
  if (Buffer.byteLength(outcome.payload) > LAMBDA_PAYLOAD_LIMIT_BYTES) {
    return { answer: gatewayAnswer('error', version), problem: ` error="Function.ResponseSizeTooLarge: the response is ${Buffer.byteLength(outcome.payload)} B, over Lambda's ${LAMBDA_PAYLOAD_LIMIT_BYTES} B limit"` };
  }
  try {
    const answer = toHttpAnswer(JSON.parse(outcome.payload), version);
    return { answer, problem: answer.warnings ? ` warning="${answer.warnings.join('; ')}"` : '' };
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    return { answer: gatewayAnswer('error', version), problem: ` error="malformed Lambda proxy response: ${error.message}"` };
  }
}

/** The lines of a stack trace that point into the user's code (not this command's worker or Node's internals). */
function userFrames(stack: string | undefined): string[] {
  return (stack ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes('[worker eval]') && !line.includes('node:internal/'))
    .slice(0, 8);
}

function timing(outcome: InvokeOutcome, lead = ''): string {
  return `${lead}duration=${outcome.durationMs}ms${outcome.coldStartMs === undefined ? '' : ` init=${outcome.coldStartMs}ms`}`;
}

function failure(outcome: InvokeOutcome): string {
  if (outcome.ok) return '';
  const { errorType, errorMessage, stack } = outcome.error;
  const frames = userFrames(stack);
  const trace = frames.length ? `\n${frames.map((line) => `    ${line}`).join('\n')}` : '';
  return ` error="${errorType}: ${errorMessage}"${trace}`;
}

/** The request body, or undefined when it is over Lambda's payload limit (the rest is drained). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= LAMBDA_PAYLOAD_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > LAMBDA_PAYLOAD_LIMIT_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeAnswer(res: ServerResponse, answer: HttpAnswer, omitBody: boolean): void {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of answer.headers) {
    const entry = grouped.get(name.toLowerCase()) ?? { name, values: [] };
    entry.values.push(value);
    grouped.set(name.toLowerCase(), entry);
  }
  for (const { name, values } of grouped.values()) res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  res.setHeader('content-length', answer.body.length);
  res.statusCode = answer.status;
  res.end(omitBody ? undefined : answer.body);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ServeStartError(`port ${port} on 127.0.0.1 is in use: stop what holds it, or choose another with --port`, { cause: error }) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
