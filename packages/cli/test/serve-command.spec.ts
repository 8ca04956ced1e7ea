import { Command } from 'commander';
import { registerServeCommand } from '../src/commands/serve.js';
import type { CliContext } from '../src/context.js';
import { CliError } from '../src/errors.js';
import type { CliIO } from '../src/io.js';
import { eventually, project, serve, type Project } from './serve-helpers.js';

// `fleece serve` as a command, and the embedded local AWS: endpoints in the function's
// environment, the local Lambda invoking the same handler, X-Ray segments collected.

const SELF_INVOKING = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const handler = async (event, context) => {
  if (event.ping === 'fail') throw new RangeError('ping refused');
  if (event.ping) return { pong: event.ping, remaining: context.getRemainingTimeInMillis() > 0, fn: context.functionName };
  const { LambdaClient, InvokeCommand } = require(process.env.LAMBDA_SDK);
  const lambda = new LambdaClient({});
  const ping = event.queryStringParameters?.ping ?? 'hi';
  const out = await lambda.send(new InvokeCommand({ FunctionName: context.invokedFunctionArn, Payload: JSON.stringify({ ping }) }));
  lambda.destroy();
  const pick = (names) => Object.fromEntries(names.map((n) => [n, process.env[n]]));
  return {
    statusCode: 200,
    body: JSON.stringify({
      functionError: out.FunctionError,
      self: JSON.parse(Buffer.from(out.Payload).toString()),
      env: pick(['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_XRAY_DAEMON_ADDRESS', 'AWS_REQUEST_CHECKSUM_CALCULATION', '_X_AMZN_TRACE_ID']),
    }),
  };
};
`;

let p: Project;
beforeAll(async () => {
  p = await project({ 'app/handler.mjs': SELF_INVOKING, 'plain/handler.mjs': "export const handler = async (event) => ({ statusCode: 200, body: 'v=' + process.env.A + ' ' + (event.version ?? '1.0') });\n" });
});
afterAll(() => p.remove());

describe('--aws local', () => {
  it('points the function at the local AWS through its environment, and the local Lambda runs the same handler', async () => {
    const { running, out, url } = await serve(
      `${p.dir}/app/handler.mjs`,
      { aws: 'local', functionName: 'selfie', env: { LAMBDA_SDK: require.resolve('@aws-sdk/client-lambda') } },
      { AWS_SESSION_TOKEN: 'a-real-session-token', AWS_PROFILE: 'prod' },
    );
    try {
      const aws = running.aws!;
      const response = await fetch(url('/'));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { functionError?: string; self: unknown; env: Record<string, string | undefined> };
      expect(body.self).toEqual({ pong: 'hi', remaining: true, fn: 'selfie' });
      expect(body.env).toEqual({
        AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint('dynamodb'),
        AWS_ENDPOINT_URL_S3: aws.endpoint('s3'),
        AWS_ENDPOINT_URL_LAMBDA: aws.endpoint('lambda'),
        AWS_XRAY_DAEMON_ADDRESS: running.xray!.address,
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        _X_AMZN_TRACE_ID: expect.stringMatching(/;Sampled=1$/),
      });
      expect(aws.lambda.invocations('selfie')).toEqual([expect.objectContaining({ invocationType: 'RequestResponse', done: true, result: { pong: 'hi', remaining: true, fn: 'selfie' } })]);
      expect(out.stderr).toMatch(/ok {2}invoke selfie duration=\d+ms init=\d+ms lambda_request_id=[0-9a-f-]{36} trace_id=1-/);

      const failing = (await (await fetch(url('/?ping=fail'))).json()) as { functionError?: string; self: unknown };
      expect(failing).toMatchObject({ functionError: 'Unhandled', self: { errorType: 'RangeError', errorMessage: 'ping refused' } });
      expect(out.stderr).toMatch(/ERR invoke selfie duration=\d+ms lambda_request_id=[0-9a-f-]{36} trace_id=1-[0-9a-f-]+ error="RangeError: ping refused"/);
    } finally {
      await running.stop();
    }
    // Stopped means stopped: the local services no longer answer.
    await expect(fetch(running.aws!.endpoint('dynamodb'))).rejects.toThrow();
  }, 30_000);
});

function commandIO(cwd: string): { io: CliIO; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = {
    readStdin: async () => '',
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    ask: async () => undefined,
    cwd,
    env: { PATH: process.env['PATH'], AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stderrIsTTY: false,
    stdinIsTTY: false,
  };
  return { io, out };
}

function program(context: CliContext): Command {
  const root = new Command('fleece').exitOverride().configureOutput({ writeOut: context.io.stdout, writeErr: context.io.stderr });
  registerServeCommand(root, context);
  return root;
}

describe('fleece serve', () => {
  it('serves until SIGINT or SIGTERM, then stops everything', async () => {
    const { io, out } = commandIO(p.dir);
    const listenersBefore = process.listenerCount('SIGTERM');
    const done = program({ io, services: {} }).parseAsync(
      ['serve', 'plain/handler', '--port', '0', '--aws', 'real', '--no-watch', '--name', 'cmd', '--env', 'A=1', '--timeout', '1000', '--event', 'v2', '--concurrency', '2'],
      { from: 'user' },
    );
    const url = await eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stderr)?.[1]);
    expect(out.stderr).toContain('fleece serve: plain/handler.mjs#handler as Lambda function cmd (HTTP API v2 events, timeout 1000 ms)\nAWS: your own account, from your environment (--aws real)\n');
    expect(await (await fetch(`${url}/`)).text()).toBe('v=1 2.0');
    process.emit('SIGTERM', 'SIGTERM');
    await done;
    expect(out.stderr).toMatch(/SIGTERM: stopping\nstopped\n$/);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });

  it('prints the local AWS endpoints and what X-Ray received', async () => {
    const { io, out } = commandIO(p.dir);
    const done = program({ io, services: {} }).parseAsync(['serve', 'plain/handler.mjs#handler', '--port', '0'], { from: 'user' });
    const url = await eventually(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stderr)?.[1], 20_000);
    expect(out.stderr).toMatch(/as Lambda function plain \(REST API v1 events, timeout 3000 ms\)\nlocal AWS, reached by the function through AWS_ENDPOINT_URL_<SERVICE>:\n {2}dynamodb {8}http:\/\/127\.0\.0\.1:\d+\n/);
    expect(out.stderr).toMatch(/ {2}x-ray daemon {4}udp:\/\/127\.0\.0\.1:\d+\nreloading on changes under plain\n/);
    expect((await fetch(`${url}/`)).status).toBe(200);
    process.emit('SIGINT', 'SIGINT');
    await done;
    // The handler is not traced (no traceHandler), so nothing reached the collector.
    expect(out.stderr).toMatch(/SIGINT: stopping\nstopped \(x-ray: 0 subsegments in 0 traces received\)\n$/);
  }, 30_000);

  it('stops at the first SIGINT while the handler is still loading', async () => {
    const slow = await project({ 'slow/handler.mjs': 'await new Promise((r) => setTimeout(r, 60000));\nexport const handler = async () => ({ statusCode: 200 });\n' });
    try {
      const { io, out } = commandIO(slow.dir);
      const listeners = process.listenerCount('SIGINT');
      const done = program({ io, services: {} }).parseAsync(['serve', 'slow/handler.mjs', '--port', '0', '--aws', 'real', '--no-watch'], { from: 'user' });
      await eventually(() => (process.listenerCount('SIGINT') > listeners ? true : undefined));
      process.emit('SIGINT', 'SIGINT');
      await done;
      // Stopped, not given up after the 10 s init timeout.
      expect(out.stderr).toBe('SIGINT: stopping\nstopped\n');
      expect(process.listenerCount('SIGINT')).toBe(listeners);
    } finally {
      await slow.remove();
    }
  });

  it('refuses bad arguments with a usage error, and a module that does not load with a failure', async () => {
    const { io } = commandIO(p.dir);
    const run = (...args: string[]) => program({ io, services: {} }).parseAsync(['serve', ...args], { from: 'user' });
    const usage = await run('plain/handler.mjs', '--port', 'http').catch((e: unknown) => e);
    expect(usage).toBeInstanceOf(CliError);
    expect(usage).toMatchObject({ exitCode: 2, message: '--port must be a port number (0 for any free one), got "http"' });
    await expect(run('missing.mjs')).rejects.toMatchObject({ exitCode: 2, message: 'the handler module missing.mjs does not exist' });
    await expect(run('plain/handler.mjs', '--setup', 'nope.mjs')).rejects.toMatchObject({ exitCode: 2, message: 'the setup module nope.mjs does not exist' });
    await expect(run('plain/handler.mjs', '--env', 'oops')).rejects.toMatchObject({ exitCode: 2 });
    const listeners = process.listenerCount('SIGINT');
    await expect(run('plain/handler.mjs#main', '--aws', 'real', '--port', '0', '--no-watch')).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^cannot load plain\/handler\.mjs#main: Runtime\.HandlerNotFound/),
    });
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
