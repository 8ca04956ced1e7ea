import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServeStartError, type RunningServe } from '../src/serve/server.js';
import { eventually, project, serve, type Project, type Recorded } from './serve-helpers.js';

// The server over real HTTP, with handler modules written to temp directories and run in worker
// threads as `fleece serve` runs them.

const ECHO = `
let invocations = 0;
const instance = Math.random().toString(36).slice(2);
const pick = (names) => Object.fromEntries(names.map((n) => [n, process.env[n]]));
export const handler = async (event, context) => {
  invocations++;
  const path = event.rawPath ?? event.path;
  const query = new URLSearchParams(event.rawQueryString ?? Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => k + '=' + v).join('&'));
  switch (path) {
    case '/throw': throw new TypeError('bad input');
    case '/sleep': await new Promise((r) => setTimeout(r, Number(query.get('ms')))); break;
    case '/barrier': await fetch(query.get('url')); break;
    case '/spin': { const end = Date.now() + 60000; while (Date.now() < end); break; }
    case '/exit': process.exit(3);
    case '/reject': Promise.reject(new Error('stray rejection')); await new Promise((r) => setTimeout(r, 1000)); break;
    case '/malformed': return { body: 'no status' };
    case '/huge': return { statusCode: 200, body: 'x'.repeat(7 * 1024 * 1024) };
    case '/bigint': return { statusCode: 200, body: 1n };
    case '/callback': return context.succeed('done');
    case '/binary': return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: event.body, isBase64Encoded: event.isBase64Encoded };
    case '/plain': return { hello: 'v2' };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-instance': instance },
    ...(event.version === '2.0' ? { cookies: ['a=1', 'b=2'] } : { multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } }),
    body: JSON.stringify({
      event,
      context: { ...context, remaining: context.getRemainingTimeInMillis() },
      invocations,
      instance,
      threadEnv: pick(['_X_AMZN_TRACE_ID', '_HANDLER', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_REGION', 'FROM_OPTION', 'FROM_SETUP', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_XRAY_DAEMON_ADDRESS']),
    }),
  };
};
`;

interface Echo {
  event: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  context: Record<string, unknown> & { remaining: number };
  invocations: number;
  instance: string;
  threadEnv: Record<string, string | undefined>;
}

let p: Project;
beforeAll(async () => {
  p = await project({ 'echo/handler.mjs': ECHO });
});
afterAll(() => p.remove());

describe('a REST API (v1) server', () => {
  let running: RunningServe;
  let out: Recorded;
  let url: (path: string) => string;
  beforeAll(async () => {
    ({ running, out, url } = await serve(`${p.dir}/echo/handler.mjs`, { functionName: 'echo', timeoutMs: 2000, concurrency: 2, env: { FROM_OPTION: 'yes' } }, { AWS_REGION: 'eu-central-1' }));
  }, 30_000);
  afterAll(() => running.stop());

  it('turns a request into a v1 event, the handler\'s answer into the response, and logs one line', async () => {
    const response = await fetch(url('/orders/7?tag=a&tag=b'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-twice': 'one' }, body: '{"n":1}' });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const echo = (await response.json()) as Echo;
    expect(echo.event).toMatchObject({ httpMethod: 'POST', path: '/orders/7', body: '{"n":1}', multiValueQueryStringParameters: { tag: ['a', 'b'] } });
    const apiRequestId = response.headers.get('x-amzn-requestid');
    expect(echo.event['requestContext'].requestId).toBe(apiRequestId);
    expect(echo.context).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:echo',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/echo',
    });
    expect(echo.context.remaining).toBeLessThanOrEqual(2000);
    expect(echo.context.remaining).toBeGreaterThan(1000);
    expect(echo.threadEnv).toMatchObject({ _HANDLER: 'handler.handler', AWS_LAMBDA_FUNCTION_NAME: 'echo', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_REGION: 'eu-central-1', FROM_OPTION: 'yes' });
    // Against real AWS with no daemon address, requests are traced but not sampled.
    expect(echo.threadEnv['_X_AMZN_TRACE_ID']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(response.headers.get('x-amzn-trace-id')).toBe(echo.threadEnv['_X_AMZN_TRACE_ID']!.replace(/;Parent=[^;]*/, ''));
    const line = out.stderr.split('\n').find((l) => l.includes(apiRequestId!))!;
    expect(line).toMatch(
      new RegExp(`^200 POST /orders/7\\?tag=a&tag=b \\d+ms \\d+B api_request_id=${apiRequestId} lambda_request_id=${echo.context['awsRequestId']} trace_id=1-[0-9a-f-]+ duration=\\d+ms$`),
    );
  });

  it('reuses a warm worker: module state survives between invocations, request ids do not', async () => {
    const first = (await (await fetch(url('/'))).json()) as Echo;
    const second = (await (await fetch(url('/'))).json()) as Echo;
    expect(second.instance).toBe(first.instance);
    expect(second.invocations).toBe(first.invocations + 1);
    expect(second.context['awsRequestId']).not.toBe(first.context['awsRequestId']);
  });

  it('runs invocations side by side in separate workers, up to the concurrency', async () => {
    // Each invocation waits until both have arrived: only two workers at once can answer.
    const arrived: Array<() => void> = [];
    const barrier = createServer((_req, res) => {
      arrived.push(() => res.end('go'));
      if (arrived.length === 2) for (const release of arrived) release();
    });
    await new Promise<void>((resolve) => barrier.listen(0, '127.0.0.1', resolve));
    const at = encodeURIComponent(`http://127.0.0.1:${(barrier.address() as AddressInfo).port}/`);
    // The first invocation waits while the second worker starts: a timeout long enough for a slow start.
    const wide = await serve(`${p.dir}/echo/handler.mjs`, { timeoutMs: 60_000, concurrency: 2 });
    try {
      const answers = await Promise.all([fetch(wide.url(`/barrier?url=${at}`)), fetch(wide.url(`/barrier?url=${at}`))]);
      const instances = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as Echo).instance)));
      expect(instances.size).toBe(2);
    } finally {
      await wide.running.stop();
      barrier.closeAllConnections();
      await new Promise((resolve) => barrier.close(resolve));
    }
  });

  it('answers 502 for a throw, logging the error and where it was thrown', async () => {
    const response = await fetch(url('/throw'));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(response.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(out.stderr).toMatch(/502 GET \/throw .* error="TypeError: bad input"\n {4}TypeError: bad input\n {8}at handler \(file:\/\/.*echo\/handler\.mjs:\d+:\d+\)/);
    expect(out.stderr).not.toContain('[worker eval]');
  });

  it('answers 502 for results API Gateway cannot use: malformed, too large, not JSON, a callback', async () => {
    for (const [path, problem] of [
      ['/malformed', 'malformed Lambda proxy response: statusCode must be an HTTP status (100-599), got nothing'],
      ['/huge', 'Function.ResponseSizeTooLarge: the response is'],
      ['/bigint', 'Runtime.MarshalError: Unable to marshal response: Do not know how to serialize a BigInt'],
      ['/callback', 'TypeError: context.succeed() is not supported'],
    ]) {
      const response = await fetch(url(path!));
      expect(response.status).toBe(502);
      expect(out.stderr).toContain(`error="${problem}`);
    }
  });

  it('answers 413 for a request over Lambda\'s 6 MB payload limit, without invoking the function', async () => {
    const response = await fetch(url('/'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'y'.repeat(6 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
    expect(out.stderr).toMatch(/413 POST \/ \d+ms \d+B error="the request is over Lambda's 6291456 B payload limit"/);
    // Under the limit, but base64 inflation takes the event over it.
    const binary = await fetch(url('/'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(5 * 1024 * 1024) });
    expect(binary.status).toBe(413);
    expect(out.stderr).toContain(`error="the event is over Lambda's 6291456 B payload limit"`);
  });

  it('passes binary bodies through base64 both ways', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const response = await fetch(url('/binary'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await new Promise<{ status: number; length: string | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest(url('/'), { method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, length: res.headers['content-length'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(head.status).toBe(200);
    expect(Number(head.length)).toBeGreaterThan(0);
    expect(head.body).toBe('');
  });
});

describe('timeouts and crashes', () => {
  let running: RunningServe;
  let out: Recorded;
  let url: (path: string) => string;
  beforeAll(async () => {
    ({ running, out, url } = await serve(`${p.dir}/echo/handler.mjs`, { functionName: 'echo', timeoutMs: 400, concurrency: 1 }));
  }, 30_000);
  afterAll(() => running.stop());

  it('answers 504 past the timeout and replaces the worker, as Lambda resets a timed-out environment', async () => {
    const before = ((await (await fetch(url('/'))).json()) as Echo).instance;
    const response = await fetch(url('/sleep?ms=5000'));
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
    expect(out.stderr).toMatch(/504 GET \/sleep\?ms=5000 .*error="Sandbox\.Timedout: RequestId: [0-9a-f-]+ Error: Task timed out after 0\.40 seconds"/);
    const after = await fetch(url('/'));
    expect(((await after.json()) as Echo).instance).not.toBe(before);
    expect(out.stderr).toMatch(/200 GET \/ .* duration=\d+ms init=\d+ms\n$/);
  });

  it('stops a handler stuck in a busy loop', async () => {
    const response = await fetch(url('/spin'));
    expect(response.status).toBe(504);
    expect((await fetch(url('/'))).status).toBe(200);
  });

  it('answers 502 when the runtime exits or a rejection goes unhandled, then serves again', async () => {
    expect((await fetch(url('/exit'))).status).toBe(502);
    expect(out.stderr).toContain('error="Runtime.ExitError: Runtime exited with exit status 3"');
    expect((await fetch(url('/reject'))).status).toBe(502);
    expect(out.stderr).toContain('error="Runtime.UnhandledPromiseRejection: Error: stray rejection"');
    expect((await fetch(url('/'))).status).toBe(200);
  });
});

describe('an HTTP API (v2) server', () => {
  let running: RunningServe;
  let url: (path: string) => string;
  beforeAll(async () => {
    ({ running, url } = await serve(`${p.dir}/echo/handler.mjs`, { event: 'v2', functionName: 'echo' }));
  }, 30_000);
  afterAll(() => running.stop());

  it('sends v2 events with cookies and the raw query string, and answers cookies and inferred results', async () => {
    const response = await fetch(url('/x?a=1&a=2'), { headers: { cookie: 'session=s1; theme=dark' } });
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const { event } = (await response.json()) as Echo;
    expect(event).toMatchObject({ version: '2.0', rawPath: '/x', rawQueryString: 'a=1&a=2', cookies: ['session=s1', 'theme=dark'] });
    const plain = await fetch(url('/plain'));
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ hello: 'v2' });
    expect((await fetch(url('/throw'))).status).toBe(502);
  });
});

describe('module kinds', () => {
  let q: Project;
  beforeAll(async () => {
    q = await project({
      'cjs/fn.cjs': 'exports.main = async (event) => ({ statusCode: 200, body: "cjs " + event.path });',
      'ts/src/handler.ts': `import { greet } from './greet.js';\ninterface Event { path: string }\nexport const handler = async (event: Event): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: greet(event.path) + ' ' + import.meta.url.endsWith('handler.ts') });\n`,
      'ts/src/greet.ts': 'export const greet = (path: string): string => `ts ${path}`;\n',
      'bad/missing-export.mjs': 'export const other = 1; export default { also: 2 };',
      'bad/syntax.mjs': 'export const handler = async () => {;',
      'bad/import.mjs': "import 'no-such-package-anywhere';\nexport const handler = async () => 1;",
      'bad/top-level.mjs': "throw new RangeError('config missing');",
      'bad/callback.mjs': 'export const handler = (event, context, callback) => callback(null, { statusCode: 200 });',
      'bad/not-ready.mjs': 'await new Promise(() => setTimeout(() => {}, 100000)); export const handler = async () => 1;',
    });
  });
  afterAll(() => q.remove());

  it('serves a CommonJS module\'s named export', async () => {
    const { running, url } = await serve(`${q.dir}/cjs/fn.cjs`, { handler: { file: `${q.dir}/cjs/fn.cjs`, exportName: 'main' } });
    try {
      expect(await (await fetch(url('/c'))).text()).toBe('cjs /c');
    } finally {
      await running.stop();
    }
  });

  it('compiles a TypeScript module and what it imports on the fly, keeping import.meta.url', async () => {
    const { running, url } = await serve(`${q.dir}/ts/src/handler.ts`);
    try {
      expect(await (await fetch(url('/t'))).text()).toBe('ts /t true');
    } finally {
      await running.stop();
    }
  });

  it('refuses to start when the module does not load, saying why', async () => {
    await expect(serve(`${q.dir}/bad/missing-export.mjs`)).rejects.toThrow(/cannot load missing-export\.mjs#handler: Runtime\.HandlerNotFound: .*has no exported function "handler" \(it exports other\)/);
    await expect(serve(`${q.dir}/bad/syntax.mjs`)).rejects.toThrow(/Runtime\.UserCodeSyntaxError: SyntaxError: Unexpected/);
    await expect(serve(`${q.dir}/bad/import.mjs`)).rejects.toThrow(/Runtime\.ImportModuleError: Error: Cannot find package 'no-such-package-anywhere'/);
    const error = await serve(`${q.dir}/bad/top-level.mjs`).catch((e: unknown) => e);
    await expect(serve(`${q.dir}/bad/callback.mjs`)).rejects.toThrow(
      /^cannot load callback\.mjs#handler: Runtime\.CallbackHandlerDeprecated: "handler" in .*callback\.mjs takes a callback \(3 parameters\), and callback handlers are gone since the nodejs24\.x runtime: make it async and return the result/,
    );
    expect(error).toBeInstanceOf(ServeStartError);
    expect((error as Error).message).toMatch(/^cannot load top-level\.mjs#handler: RangeError: config missing\n.*top-level\.mjs:1/);
  });

  it('gives up on a module that takes longer than Lambda\'s init phase', async () => {
    const { FunctionPool } = await import('../src/serve/pool.js');
    const pool = new FunctionPool({ module: { file: `${q.dir}/bad/not-ready.mjs`, exportName: 'handler' }, env: {}, concurrency: 1, initTimeoutMs: 300, output: { stdout: () => undefined, stderr: () => undefined } });
    try {
      await expect(pool.warm()).rejects.toThrow('Runtime.InitTimeout: loading');
      const outcome = await pool.invoke({ event: '{}', context: { awsRequestId: 'r', functionName: 'f', functionVersion: '$LATEST', invokedFunctionArn: 'arn', memoryLimitInMB: '128', logGroupName: 'g', logStreamName: 's' }, timeoutMs: 1000 });
      expect(outcome).toMatchObject({ ok: false, reason: 'init', error: { errorType: 'Runtime.InitTimeout' } });
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  });
});

describe('reloading', () => {
  let r: Project;
  beforeAll(async () => {
    r = await project({
      'app/handler.mjs': "import { message } from './lib/message.mjs';\nexport const handler = async () => ({ statusCode: 200, body: message });\n",
      'app/lib/message.mjs': "export const message = 'one';\n",
    });
  });
  afterAll(() => r.remove());

  it('reloads the handler and everything it imports when a file under its directory changes', async () => {
    const { running, out, url } = await serve(`${r.dir}/app/handler.mjs`, { watch: true });
    const body = async () => (await fetch(url('/'))).text();
    try {
      expect(await body()).toBe('one');
      await r.write('app/lib/message.mjs', "export const message = 'two';\n");
      await eventually(async () => ((await body()) === 'two' ? true : undefined));
      expect(out.stderr).toContain('lib/message.mjs changed: reloading handler.mjs\n');
      await eventually(() => (/\nreloaded in \d+ ms\n/.test(out.stderr) ? true : undefined));

      // A new directory is watched too.
      await r.write('app/lib/deeper/note.txt', 'hello');
      await eventually(() => (out.stderr.includes('deeper') ? true : undefined));

      await r.write('app/handler.mjs', 'export const handler = async () => ({ statusCode: 200, body: ');
      await eventually(() => (out.stderr.includes('reload failed, requests get 502 until the module loads: Runtime.UserCodeSyntaxError') ? true : undefined));
      const broken = await fetch(url('/'));
      expect(broken.status).toBe(502);
      expect(out.stderr).toMatch(/502 GET \/ .*error="Runtime\.UserCodeSyntaxError/);

      const reloaded = () => out.stderr.split('reloaded in').length;
      const before = reloaded();
      await r.write('app/handler.mjs', "export const handler = async () => ({ statusCode: 200, body: 'three' });\n");
      await eventually(() => (reloaded() > before ? true : undefined));
      expect(await body()).toBe('three');

      // Dependencies and hidden directories are not watched.
      const reloads = out.stderr.split('changed: reloading').length;
      await r.write('app/node_modules/x/index.js', '1');
      await r.write('app/.cache/y', '1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(out.stderr.split('changed: reloading').length).toBe(reloads);
    } finally {
      await running.stop();
    }
  }, 20_000);

  it('reloads on request, serialising overlapping reloads', async () => {
    const { running, url } = await serve(`${r.dir}/app/handler.mjs`);
    try {
      await r.write('app/handler.mjs', "export const handler = async () => ({ statusCode: 200, body: 'four' });\n");
      const times = await Promise.all([running.reload(), running.reload()]);
      expect(times.every((ms) => ms >= 0)).toBe(true);
      expect(await (await fetch(url('/'))).text()).toBe('four');
    } finally {
      await running.stop();
    }
  });
});

describe('setup, environment and ports', () => {
  let s: Project;
  beforeAll(async () => {
    s = await project({
      'app/handler.mjs': "export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ FROM_SETUP: process.env.FROM_SETUP, CALLS: process.env.SETUP_CALLS }) });\n",
      'app/setup.mjs': "export async function setup(options) { return { FROM_SETUP: options.aws + ':' + options.functionName, SETUP_CALLS: '1' }; }\n",
      'app/default-setup.mjs': 'export default async () => undefined;\n',
      'app/failing-setup.mjs': "export async function setup() { throw new Error('no table for you'); }\n",
      'app/bad-setup.mjs': 'export async function setup() { return { PORT: 8080 }; }\n',
    });
  });
  afterAll(() => s.remove());

  it('runs the setup module once before the handler loads and gives the function the variables it returns', async () => {
    const { running, out, url } = await serve(`${s.dir}/app/handler.mjs`, { setup: { file: `${s.dir}/app/setup.mjs`, exportName: 'setup' }, functionName: 'fn' });
    try {
      expect(await (await fetch(url('/'))).json()).toEqual({ FROM_SETUP: 'real:fn', CALLS: '1' });
      expect(out.stderr).toMatch(/^setup setup\.mjs done in \d+ ms \(sets FROM_SETUP, SETUP_CALLS\)\n/);
      expect(running.env['FROM_SETUP']).toBe('real:fn');
    } finally {
      await running.stop();
    }
    const quiet = await serve(`${s.dir}/app/handler.mjs`, { setup: { file: `${s.dir}/app/default-setup.mjs`, exportName: 'setup' } });
    await quiet.running.stop();
    expect(quiet.out.stderr).toMatch(/^setup default-setup\.mjs done in \d+ ms\n/);
  });

  it('refuses to start when setup fails or returns something other than variables', async () => {
    await expect(serve(`${s.dir}/app/handler.mjs`, { setup: { file: `${s.dir}/app/failing-setup.mjs`, exportName: 'setup' } })).rejects.toThrow(
      /^setup failing-setup\.mjs#setup failed: Error: no table for you/,
    );
    await expect(serve(`${s.dir}/app/handler.mjs`, { setup: { file: `${s.dir}/app/bad-setup.mjs`, exportName: 'setup' } })).rejects.toThrow(
      'setup bad-setup.mjs#setup must return nothing or the function\'s environment variables (an object of strings), got {"PORT":8080}',
    );
  });

  it('says when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(serve(`${s.dir}/app/handler.mjs`, { port })).rejects.toThrow(`port ${port} on 127.0.0.1 is in use: stop what holds it, or choose another with --port`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
