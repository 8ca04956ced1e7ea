import fc from 'fast-check';
import { Agent, request } from 'node:http';
import type { RunningServe } from '../src/serve/server.js';
import { project, serve, type Project } from './serve-helpers.js';

// Request data a stranger controls, through a real `fleece serve` on 127.0.0.1: names that are
// JavaScript's own property names, malformed escapes, odd targets. Serve itself must never crash
// or answer 5xx, the handler must see every name as an ordinary one, and Object.prototype must
// stay as it was, in the server and in the function's worker.

const ECHO = `
const before = Object.getOwnPropertyNames(Object.prototype).join(',');
export const handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ event, prototypeIntact: Object.getOwnPropertyNames(Object.prototype).join(',') === before && ({}).polluted === undefined }),
});
`;

const BUILT_IN_NAMES = [
  ...new Set([
    '__proto__',
    'prototype',
    'constructor',
    'polluted',
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Function.prototype),
    ...Object.getOwnPropertyNames(Array.prototype),
    ...Object.getOwnPropertyNames(String.prototype),
  ]),
];
// What a header name may be (RFC 9110 token); the HTTP client refuses anything else.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MALFORMED = ['%ZZ', '%', '%E0%A4%A', '%%', '%u0041', '%C0%AF', '%2', '+%'];

const builtIn = fc.constantFrom(...BUILT_IN_NAMES);
const name = fc.oneof(builtIn, builtIn, fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(...MALFORMED));
const headerName = fc.oneof(builtIn, fc.string({ minLength: 1, maxLength: 12 })).filter((n) => TOKEN.test(n));
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...MALFORMED, ...BUILT_IN_NAMES.slice(0, 10)));
const headerValue = fc.string({ maxLength: 20 }).map((v) => v.replace(/[^\x20-\x7e]/g, '').trim());
/** A query part sent as is (malformed escapes included) or encoded as a client would. */
const queryPart = fc.tuple(name, value, fc.boolean()).map(([n, v, raw]) => ({ name: n, value: v, raw, text: raw ? `${n}=${v}` : `${encodeURIComponent(n)}=${encodeURIComponent(v)}` }));
const pathSegment = fc.oneof(builtIn, fc.constantFrom(...MALFORMED), fc.string({ maxLength: 8 }).map(encodeURIComponent));

/** Characters the HTTP client refuses in a request target, escaped; everything else is sent as drawn. */
function sendable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/#/g, '%23');
}

interface Reply {
  status: number;
  body: string;
}

function send(url: string, agent: Agent, target: string, headers: Array<[string, string]>, cookie: string | undefined): Promise<Reply> {
  const outgoing: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [n, v] of headers) (outgoing[n] ??= []).push(v);
  if (cookie !== undefined) outgoing['cookie'] = [cookie];
  return new Promise((resolve, reject) => {
    const req = request(`${url}${target}`, { agent, headers: outgoing }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let p: Project;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
beforeAll(async () => {
  p = await project({ 'echo/handler.mjs': ECHO });
});
afterAll(() => p.remove());

describe.each(['v1', 'v2'] as const)('fleece serve with %s events and hostile request names', (version) => {
  let running: RunningServe;
  let stderr: () => string;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    const started = await serve(`${p.dir}/echo/handler.mjs`, { event: version, timeoutMs: 10_000, concurrency: 2 });
    running = started.running;
    stderr = () => started.out.stderr;
  }, 30_000);
  afterAll(async () => {
    agent.destroy();
    await running.stop();
  });

  it('answers every request without a 5xx, and the handler sees each name as an ordinary one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pathSegment, { maxLength: 3 }),
        fc.array(queryPart, { maxLength: 4 }),
        fc.uniqueArray(fc.tuple(headerName, headerValue), { maxLength: 4, selector: ([n]) => n.toLowerCase() }),
        fc.array(fc.tuple(builtIn, fc.string({ maxLength: 6 }).map((v) => v.replace(/[^\x21-\x7e]|;/g, ''))), { maxLength: 3 }),
        async (segments, query, headers, cookies) => {
          const reserved = new Set(['host', 'cookie', 'content-length', 'transfer-encoding', 'connection', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id', 'expect', 'upgrade', 'keep-alive']);
          const sent = headers.filter(([n]) => !reserved.has(n.toLowerCase()));
          const target = sendable(`/${segments.join('/')}${query.length ? `?${query.map((q) => q.text).join('&')}` : ''}`);
          const cookie = cookies.length ? cookies.map(([n, v]) => `${n}=${v}`).join('; ') : undefined;
          const reply = await send(running.url, agent, target, sent, cookie);
          expect(reply.status).toBe(200);
          const { event, prototypeIntact } = JSON.parse(reply.body) as { event: Record<string, any>; prototypeIntact: boolean }; // eslint-disable-line @typescript-eslint/no-explicit-any
          expect(prototypeIntact).toBe(true);
          // A part sent encoded arrives decoded, whatever its name; one sent raw only has to do no harm.
          const params = (version === 'v1' ? event['multiValueQueryStringParameters'] : event['queryStringParameters']) as Record<string, string[] | string>;
          for (const q of query.filter((q) => !q.raw)) {
            expect(Object.prototype.hasOwnProperty.call(params, q.name)).toBe(true);
            const values = params[q.name]!;
            expect(version === 'v1' ? values : String(values).split(',')).toEqual(expect.arrayContaining(version === 'v1' ? [q.value] : q.value.split(',')));
          }
          const eventHeaders = (version === 'v1' ? event['multiValueHeaders'] : event['headers']) as Record<string, unknown>;
          const received = new Set(Object.keys(eventHeaders).map((n) => n.toLowerCase()));
          for (const [n] of sent) expect(received.has(n.toLowerCase())).toBe(true);
          if (version === 'v2' && cookie !== undefined) expect(event['cookies']).toEqual(cookie.split('; ').filter(Boolean));
          if (version === 'v1' && cookie !== undefined) expect(eventHeaders[Object.keys(eventHeaders).find((n) => n.toLowerCase() === 'cookie')!]).toEqual(version === 'v1' ? [cookie] : cookie);
        },
      ),
      { numRuns: 60 },
    );
    expect(stderr()).not.toMatch(/fleece serve: .*Error/);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  }, 60_000);

  it('takes __proto__, constructor and toString as query, header and cookie names, and %ZZ as sent', async () => {
    const reply = await send(
      running.url,
      agent,
      '/pets/%ZZ/toString?constructor=1&__proto__=2&toString=3&hasOwnProperty=4&valueOf=5&a=%ZZ&%ZZ=b',
      [
        ['constructor', 'c'],
        ['__proto__', 'p'],
        ['toString', 't'],
      ],
      '__proto__=x; constructor=y',
    );
    expect(reply.status).toBe(200);
    const { event } = JSON.parse(reply.body) as { event: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const query = version === 'v1' ? event['queryStringParameters'] : event['queryStringParameters'];
    expect(Object.entries(query)).toEqual(
      expect.arrayContaining([
        ['constructor', '1'],
        ['__proto__', '2'],
        ['toString', '3'],
        ['hasOwnProperty', '4'],
        ['valueOf', '5'],
        ['a', '%ZZ'],
        ['%ZZ', 'b'],
      ]),
    );
    if (version === 'v1') {
      expect(event['path']).toBe('/pets/%ZZ/toString');
      expect(Object.entries(event['headers'])).toEqual(expect.arrayContaining([['constructor', 'c'], ['__proto__', 'p'], ['toString', 't']]));
      expect(event['multiValueQueryStringParameters']['constructor']).toEqual(['1']);
    } else {
      expect(event['rawPath']).toBe('/pets/%ZZ/toString');
      expect(event['rawQueryString']).toBe('constructor=1&__proto__=2&toString=3&hasOwnProperty=4&valueOf=5&a=%ZZ&%ZZ=b');
      expect(event['cookies']).toEqual(['__proto__=x', 'constructor=y']);
      expect(Object.entries(event['headers'])).toEqual(expect.arrayContaining([['constructor', 'c'], ['__proto__', 'p'], ['tostring', 't']]));
    }
  });
});
