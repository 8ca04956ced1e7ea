import fc from 'fast-check';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { isTextContentType, toEvent, type IncomingRequest } from '../src/serve/events.js';
import {
  checkFunctionName,
  defaultFunctionName,
  parseAwsMode,
  parseCount,
  parseEnvPair,
  parseEventVersion,
  parseModuleRef,
  parseMs,
  parsePort,
  ServeOptionError,
} from '../src/serve/options.js';
import { gatewayAnswer, MalformedResponseError, toHttpAnswer } from '../src/serve/responses.js';
import { newTraceId, requestTrace } from '../src/serve/trace.js';
import { isIgnored, watchTree } from '../src/serve/watcher.js';
import { loadGitignore } from '../src/serve/gitignore.js';
import { project, type Project } from './serve-helpers.js';

describe('serve options', () => {
  let p: Project;
  beforeAll(async () => {
    p = await project({
      'app/package.json': JSON.stringify({ name: '@acme/Orders API!' }),
      'app/src/handler.mjs': 'export const handler = async () => 1;',
      'app/src/other.ts': 'export const main = async () => 1;',
      'app/src/readme.txt': 'not code',
      'loose/fn.cjs': 'exports.handler = async () => 1;',
      'broken/package.json': '{ not json',
      'broken/h.js': '',
    });
  });
  afterAll(() => p.remove());

  it('resolves module[#export] against the working directory, finding the extension', () => {
    expect(parseModuleRef('app/src/handler.mjs', p.dir, 'handler')).toEqual({ file: `${p.dir}/app/src/handler.mjs`, exportName: 'handler' });
    expect(parseModuleRef('app/src/handler#main', p.dir, 'handler')).toEqual({ file: `${p.dir}/app/src/handler.mjs`, exportName: 'main' });
    expect(parseModuleRef('src/other', `${p.dir}/app`, 'handler').file).toBe(`${p.dir}/app/src/other.ts`);
  });

  it('says what is wrong with a module reference', () => {
    expect(() => parseModuleRef('', p.dir, 'handler')).toThrow(ServeOptionError);
    expect(() => parseModuleRef('app/src/missing.mjs', p.dir, 'handler')).toThrow('the handler module app/src/missing.mjs does not exist');
    expect(() => parseModuleRef('app/src/handler.mjs#not-a-name', p.dir, 'handler')).toThrow('"not-a-name" after # in app/src/handler.mjs#not-a-name is not an export name');
    expect(() => parseModuleRef('app/src/readme.txt', p.dir, 'handler')).toThrow('must be a JavaScript or TypeScript module');
    expect(() => parseModuleRef('app/src', p.dir, 'setup', 'setup module')).toThrow('the setup module app/src does not exist');
  });

  it('validates every number and choice, naming the option', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    for (const bad of ['-1', '65536', 'http', '80.5', '']) expect(() => parsePort(bad)).toThrow(/^--port must be a port number/);
    expect(parseMs('--timeout', '250')).toBe(250);
    for (const bad of ['0', '900001', '1.5', '3s']) expect(() => parseMs('--timeout', bad)).toThrow(/^--timeout must be milliseconds from 1 to 900000/);
    expect(parseCount('--concurrency', '4')).toBe(4);
    for (const bad of ['0', '1001', 'many']) expect(() => parseCount('--concurrency', bad)).toThrow(/^--concurrency must be a whole number/);
    expect(parseEventVersion('v2')).toBe('v2');
    expect(() => parseEventVersion('2.0')).toThrow('--event must be v1 (REST API) or v2 (HTTP API), got "2.0"');
    expect(parseAwsMode('real')).toBe('real');
    expect(() => parseAwsMode('mock')).toThrow(/^--aws must be local/);
    expect(checkFunctionName('orders-api_2')).toBe('orders-api_2');
    expect(() => checkFunctionName('orders api')).toThrow(/^--name must be a Lambda function name/);
    expect(parseEnvPair('A_B=x=y')).toEqual(['A_B', 'x=y']);
    expect(parseEnvPair('EMPTY=')).toEqual(['EMPTY', '']);
    for (const bad of ['=x', 'NOEQUALS', '1A=x', 'A-B=x']) expect(() => parseEnvPair(bad)).toThrow(/^--env takes NAME=value/);
  });

  it('names the function after the nearest package.json, without its scope, as Lambda allows', () => {
    expect(defaultFunctionName(`${p.dir}/app/src/handler.mjs`)).toBe('Orders-API');
    // No package.json between the module and the root here: the directory name.
    expect(defaultFunctionName(`${p.dir}/loose/fn.cjs`)).toBe('loose');
    expect(defaultFunctionName(`${p.dir}/broken/h.js`)).toBe('broken');
  });
});

function request(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return { method: 'GET', url: '/', headers: [['Host', '127.0.0.1:8080']], body: Buffer.alloc(0), sourceIp: '127.0.0.1', port: 8080, ...overrides };
}
const eventOptions = { region: 'eu-west-1', accountId: '123456789012', apiId: 'abc123' };

describe('toEvent', () => {
  it('makes a REST API (v1) event with every value of repeated headers and query parameters', () => {
    const { event, requestId } = toEvent(
      request({
        method: 'POST',
        url: '/pets/caf%C3%A9?tag=a&tag=b&q=x%20y&empty',
        headers: [
          ['Host', 'localhost:8080'],
          ['Accept', 'text/plain'],
          ['accept', 'application/json'],
          ['Content-Type', 'application/json'],
          ['X-Forwarded-For', '198.51.100.7'],
        ],
        body: Buffer.from('{"a":1}'),
      }),
      { ...eventOptions, version: 'v1', traceHeader: 'Root=1-00000000-000000000000000000000001;Parent=0000000000000001;Sampled=1' },
    );
    const v1 = event as APIGatewayProxyEvent;
    expect(v1.httpMethod).toBe('POST');
    expect(v1.path).toBe('/pets/café');
    expect(v1.resource).toBe('/{proxy+}');
    expect(v1.pathParameters).toEqual({ proxy: 'pets/café' });
    expect(v1.multiValueQueryStringParameters).toEqual({ tag: ['a', 'b'], q: ['x y'], empty: [''] });
    expect(v1.queryStringParameters).toEqual({ tag: 'b', q: 'x y', empty: '' });
    expect(v1.multiValueHeaders['Accept']).toEqual(['text/plain', 'application/json']);
    expect(v1.headers['Accept']).toBe('application/json');
    expect(v1.headers['X-Forwarded-For']).toBe('198.51.100.7, 127.0.0.1');
    expect(v1.headers['X-Forwarded-Port']).toBe('8080');
    expect(v1.headers['X-Forwarded-Proto']).toBe('http');
    expect(v1.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-/);
    expect(v1.body).toBe('{"a":1}');
    expect(v1.isBase64Encoded).toBe(false);
    expect(v1.requestContext).toMatchObject({ requestId, apiId: 'abc123', domainName: 'localhost', path: '/pets/café', stage: 'local', accountId: '123456789012', httpMethod: 'POST' });
    expect(v1.requestContext.identity.sourceIp).toBe('127.0.0.1');
  });

  it('gives the root path its own resource and a binary body in base64', () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const v1 = toEvent(request({ method: 'PUT', headers: [['content-type', 'image/png']], body: bytes }), { ...eventOptions, version: 'v1' }).event as APIGatewayProxyEvent;
    expect(v1.resource).toBe('/');
    expect(v1.pathParameters).toBeNull();
    expect(v1.multiValueQueryStringParameters).toBeNull();
    expect(v1.isBase64Encoded).toBe(true);
    expect(Buffer.from(v1.body!, 'base64')).toEqual(bytes);
    expect(v1.requestContext.domainName).toBe('127.0.0.1');
    expect(v1.headers['X-Amzn-Trace-Id']).toBeUndefined();
    expect(toEvent(request({ url: '/%E0%A4%A' }), { ...eventOptions, version: 'v1' }).event).toMatchObject({ path: '/%E0%A4%A' });
  });

  it('makes an HTTP API (v2) event with the raw query string, joined headers and cookies', () => {
    const v2 = toEvent(
      request({
        url: '/a/b?x=1&x=2',
        headers: [
          ['Host', 'api.local:3000'],
          ['Cookie', 'session=abc; theme=dark'],
          ['X-Multi', 'one'],
          ['x-multi', 'two'],
        ],
      }),
      { ...eventOptions, version: 'v2' },
    ).event as APIGatewayProxyEventV2;
    expect(v2.version).toBe('2.0');
    expect(v2.rawPath).toBe('/a/b');
    expect(v2.rawQueryString).toBe('x=1&x=2');
    expect(v2.queryStringParameters).toEqual({ x: '1,2' });
    expect(v2.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(v2.headers['x-multi']).toBe('one,two');
    expect(v2.headers['cookie']).toBeUndefined();
    expect(v2.requestContext).toMatchObject({ apiId: 'abc123', domainName: 'api.local', domainPrefix: 'api', http: { method: 'GET', path: '/a/b', sourceIp: '127.0.0.1' } });
    expect(v2.body).toBeUndefined();
  });

  it('keeps the target as sent: a leading // is a path, dot segments stay, odd methods pass', () => {
    const v1 = toEvent(request({ method: 'M-SEARCH', url: '//evil.example/a/../b?x=%ZZ&y=1+2' }), { ...eventOptions, version: 'v1' }).event as APIGatewayProxyEvent;
    expect(v1.path).toBe('//evil.example/a/../b');
    expect(v1.httpMethod).toBe('M-SEARCH');
    expect(v1.queryStringParameters).toEqual({ x: '%ZZ', y: '1 2' });
    const v2 = toEvent(request({ url: 'http://other:1/p?q', headers: [] }), { ...eventOptions, version: 'v2' }).event as APIGatewayProxyEventV2;
    expect(v2.rawPath).toBe('/p');
    expect(v2.rawQueryString).toBe('q');
    expect(v2.queryStringParameters).toEqual({ q: '' });
    expect((toEvent(request({ url: '*' }), { ...eventOptions, version: 'v2' }).event as APIGatewayProxyEventV2).rawPath).toBe('/');
  });

  it('treats text-like content types as text and everything else as binary', () => {
    for (const text of [undefined, '', 'text/html', 'application/json; charset=utf-8', 'application/problem+json', 'application/x-www-form-urlencoded', 'image/svg+xml', 'application/yaml']) {
      expect(isTextContentType(text)).toBe(true);
    }
    for (const binary of ['image/png', 'application/octet-stream', 'application/pdf', 'application/zip']) expect(isTextContentType(binary)).toBe(false);
  });
});

describe('toHttpAnswer', () => {
  it('merges headers and multiValueHeaders of a REST API result, a value in both once', () => {
    const answer = toHttpAnswer(
      {
        statusCode: 201,
        headers: { 'Set-Cookie': 'a=1', 'X-Single': 'one', 'Content-Length': '999', 'X-Num': 5 },
        multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'], 'X-Many': ['x', 'y'] },
        body: 'created',
      },
      'v1',
    );
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['X-Many', 'x'],
      ['X-Many', 'y'],
      ['X-Single', 'one'],
      ['X-Num', '5'],
      ['Content-Type', 'application/json'],
    ]);
    expect(answer.body.toString()).toBe('created');
    expect(answer.warnings).toBeUndefined();
  });

  it('decodes base64 bodies and accepts a numeric string status', () => {
    const answer = toHttpAnswer({ statusCode: '200', headers: { 'content-type': 'image/png' }, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true }, 'v1');
    expect(answer.status).toBe(200);
    expect([...answer.body]).toEqual([1, 2, 3]);
    expect(toHttpAnswer({ statusCode: 204 }, 'v1').body.length).toBe(0);
  });

  it('turns HTTP API cookies into Set-Cookie headers and infers a 200 JSON answer for other results', () => {
    const answer = toHttpAnswer({ statusCode: 302, headers: { location: '/x' }, cookies: ['a=1; Path=/', 'b=2'] }, 'v2');
    expect(answer.headers).toEqual([
      ['location', '/x'],
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2'],
    ]);
    expect(toHttpAnswer({ hello: 'world' }, 'v2')).toEqual({ status: 200, headers: [['content-type', 'application/json']], body: Buffer.from('{"hello":"world"}') });
    expect(toHttpAnswer('plain text', 'v2').body.toString()).toBe('plain text');
    expect(toHttpAnswer(null, 'v2').body.toString()).toBe('null');
  });

  it('ignores the other payload version\'s fields with a warning, as API Gateway ignores them', () => {
    expect(toHttpAnswer({ statusCode: 200, cookies: ['a=1'] }, 'v1').warnings).toEqual(['cookies is ignored by REST APIs (v1): set cookies in multiValueHeaders["Set-Cookie"]']);
    const v2 = toHttpAnswer({ statusCode: 200, multiValueHeaders: { a: ['1'] } }, 'v2');
    expect(v2.headers).toEqual([]);
    expect(v2.warnings?.[0]).toMatch(/^multiValueHeaders is ignored by HTTP APIs/);
  });

  it('rejects what API Gateway answers with 502', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['text', /the result must be an object with a statusCode, got a string/],
      [{ body: 'x' }, /statusCode must be an HTTP status \(100-599\), got nothing/],
      [{ statusCode: 99 }, /got number 99/],
      [{ statusCode: 200, body: { a: 1 } }, /body must be a string, got an object/],
      [{ statusCode: 200, isBase64Encoded: 'yes' }, /isBase64Encoded must be a boolean/],
      [{ statusCode: 200, headers: ['a'] }, /headers must be an object/],
      [{ statusCode: 200, headers: { a: { b: 1 } } }, /headers.a must be a string, got an object/],
      [{ statusCode: 200, headers: { a: null } }, /headers.a must be a string, got null/],
      [{ statusCode: 200, multiValueHeaders: 'x' }, /multiValueHeaders must be an object of arrays/],
      [{ statusCode: 200, multiValueHeaders: { a: 'x' } }, /multiValueHeaders.a must be an array of strings/],
      [{ statusCode: 200, cookies: 'a=1' }, /cookies must be an array of strings/],
      [{ statusCode: 200, headers: { 'bad name': 'x' } }, /the header "bad name" has a name or value HTTP does not allow/],
      [{ statusCode: 200, headers: { good: 'line\nbreak' } }, /the header "good"/],
      [[1], /got an array/],
    ];
    for (const [result, message] of bad) {
      const version = (result as { cookies?: unknown })?.cookies !== undefined ? 'v2' : 'v1';
      expect(() => toHttpAnswer(result, version)).toThrow(MalformedResponseError);
      expect(() => toHttpAnswer(result, version)).toThrow(message);
    }
  });

  it('answers like API Gateway on its own', () => {
    expect(gatewayAnswer('timeout', 'v1')).toMatchObject({ status: 504 });
    expect(JSON.parse(gatewayAnswer('timeout', 'v1').body.toString())).toEqual({ message: 'Endpoint request timed out' });
    expect(JSON.parse(gatewayAnswer('error', 'v1').body.toString())).toEqual({ message: 'Internal server error' });
    expect(JSON.parse(gatewayAnswer('error', 'v2').body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(gatewayAnswer('too-large', 'v2').status).toBe(413);
  });
});

describe('requestTrace', () => {
  it('starts a sampled trace, or continues the caller\'s with its decision, under a new parent', () => {
    const fresh = requestTrace(undefined, true, Date.UTC(2026, 0, 1));
    expect(fresh.traceId).toMatch(/^1-6955b900-[0-9a-f]{24}$/); // 2026-01-01T00:00:00Z is 0x6955b900 s
    expect(fresh.header).toMatch(new RegExp(`^Root=${fresh.traceId};Parent=[0-9a-f]{16};Sampled=1$`));
    expect(requestTrace(undefined, false).header).toMatch(/;Sampled=0$/);
    const root = '1-5759e988-bd862e3fe1be46a994272793';
    const continued = requestTrace(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=0`, true);
    expect(continued.traceId).toBe(root);
    expect(continued.header).toMatch(new RegExp(`^Root=${root};Parent=(?!53995c3f42cd8ad8)[0-9a-f]{16};Sampled=0$`));
    expect(requestTrace(`Root=${root.toUpperCase()}`, true).header).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`));
  });

  it('always gives a well-formed header, whatever the caller sent', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.boolean(), (incoming, sampled) => {
        const { traceId, header } = requestTrace(incoming, sampled);
        expect(traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
        expect(header).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$/);
      }),
    );
    expect(newTraceId()).not.toBe(newTraceId());
  });
});

describe('watchTree', () => {
  it('watches at most maxDirectories and says so once; a closed watch reports nothing', async () => {
    const w = await project({ 'a/x.js': '', 'b/y.js': '', 'c/z.js': '' });
    const limits: string[] = [];
    const changes: string[][] = [];
    const watcher = watchTree(w.dir, (paths) => changes.push(paths), { maxDirectories: 2, debounceMs: 20, onLimit: (dir) => limits.push(dir) });
    try {
      await watcher.ready;
      expect(limits).toEqual([w.dir]);
      watcher.close();
      await w.write('new.js', '1');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(changes).toEqual([]);
    } finally {
      watcher.close();
      await w.remove();
    }
  });

  it('ignores dependencies, hidden entries and editor droppings', () => {
    for (const name of ['node_modules', '.git', '.fleece', 'handler.mjs~', '4913', 'coverage', 'serve.log']) expect(isIgnored(name)).toBe(true);
    for (const name of ['src', 'handler.mjs', 'api.yaml']) expect(isIgnored(name)).toBe(false);
  });
});

describe('loadGitignore', () => {
  it('applies the .gitignore files of the folder and its parents up to the repository root, as git does', async () => {
    const g = await project({
      'outside/.gitignore': 'everything\n',
      'outside/repo/.git/HEAD': '',
      'outside/repo/.gitignore': '# comment\n/build\ndist/\n*.tmp\n!keep.tmp\nsecrets/**/key?.pem\n\\#hash\nlogs/\n!logs/kept.txt\n[ab].bak\n',
      'outside/repo/app/.gitignore': 'local-only.js\n/only-here\n',
    });
    try {
      const app = `${g.dir}/outside/repo/app`;
      const ignored = loadGitignore(app);
      const at = (rel: string, isDir = false) => ignored(`${app}/${rel}`, isDir);
      expect(at('handler.mjs')).toBe(false);
      expect(at('dist', true)).toBe(true);
      expect(at('dist/out.js')).toBe(true);
      expect(at('dist')).toBe(false); // a file named dist is not the folder dist/
      expect(at('x/y.tmp')).toBe(true);
      expect(at('keep.tmp')).toBe(false);
      // A pattern with a slash is anchored to its .gitignore's folder.
      expect(ignored(`${g.dir}/outside/repo/secrets/a/b/key1.pem`, false)).toBe(true);
      expect(ignored(`${g.dir}/outside/repo/secrets/key1.pem`, false)).toBe(true);
      expect(ignored(`${g.dir}/outside/repo/secrets/key10.pem`, false)).toBe(false);
      expect(at('secrets/a/key1.pem')).toBe(false);
      expect(at('#hash')).toBe(true);
      expect(at('logs/kept.txt')).toBe(true); // an ignored folder hides what is in it
      expect(at('a.bak')).toBe(true);
      expect(at('c.bak')).toBe(false);
      expect(at('local-only.js')).toBe(true);
      expect(at('only-here')).toBe(true);
      expect(at('sub/only-here')).toBe(false);
      // /build is anchored to the repository root, not to app/.
      expect(at('build', true)).toBe(false);
      expect(ignored(`${g.dir}/outside/repo/build`, true)).toBe(true);
      // Above the repository root nothing applies.
      expect(at('everything')).toBe(false);
      expect(loadGitignore(`${g.dir}/outside/repo/.git`)(`${g.dir}/elsewhere/x`, false)).toBe(false);
    } finally {
      await g.remove();
    }
  });
});
