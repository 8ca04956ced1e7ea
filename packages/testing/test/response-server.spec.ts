import { request } from 'node:http';
import { connect } from 'node:net';
import { cloudFormationEvent, startResponseServer, type ResponseServer } from '../src/index.js';

interface Sent {
  status: number;
  body: string;
}

/** PUTs like a handler would, with a correct Content-Length unless told otherwise. */
function put(url: string, body: string, headers: Record<string, string | number> = {}, method = 'PUT'): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'content-type': '', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes a raw HTTP request, so a test can lie about Content-Length. */
function raw(url: string, head: string, body: Buffer): Promise<string> {
  const { port, pathname, search } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`PUT ${pathname}${search} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${head}\r\n\r\n`);
      socket.write(body);
    });
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
  });
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('CloudFormation ResponseURL server', () => {
  let server: ResponseServer;

  beforeEach(async () => {
    server = await startResponseServer({ bodyTimeoutMs: 100 });
  });

  afterEach(async () => {
    await server.stop();
  });

  const valid = (event: ReturnType<typeof cloudFormationEvent>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      Status: 'SUCCESS',
      PhysicalResourceId: 'res-1',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: { Out: 'v' },
      ...extra,
    });

  it('accepts and records a valid response', async () => {
    const event = cloudFormationEvent('Create', { responseServer: server, ResourceProperties: { Size: 3 } });
    expect(event.ResponseURL.startsWith(`${server.origin}/`)).toBe(true);
    expect(event.ResourceProperties).toEqual({ ServiceToken: event.ServiceToken, Size: 3 });
    const sent = await put(event.ResponseURL, valid(event));
    expect(sent.status).toBe(200);
    expect(server.errors).toEqual([]);
    expect(server.responses).toHaveLength(1);
    expect(server.responses[0]!.body).toMatchObject({ Status: 'SUCCESS', Data: { Out: 'v' } });
    expect(server.responses[0]!.problems).toEqual([]);
    const name = server.responses[0]!.name;
    await expect(server.waitForResponse(name)).resolves.toBe(server.responses[0]);
    expect(server.response(name)).toBe(server.responses[0]);
  });

  const violations: Array<[string, (e: ReturnType<typeof cloudFormationEvent>) => string, RegExp]> = [
    ['a Status other than SUCCESS or FAILED', (e) => valid(e, { Status: 'success' }), /Status must be exactly/],
    ['FAILED without a Reason', (e) => valid(e, { Status: 'FAILED' }), /Reason is required/],
    ['FAILED with an empty Reason', (e) => valid(e, { Status: 'FAILED', Reason: '' }), /Reason is required/],
    ['a missing PhysicalResourceId', (e) => valid(e, { PhysicalResourceId: undefined }), /PhysicalResourceId must be a non-empty string/],
    ['an empty PhysicalResourceId', (e) => valid(e, { PhysicalResourceId: '' }), /PhysicalResourceId must be a non-empty string/],
    ['a PhysicalResourceId over 1 KB', (e) => valid(e, { PhysicalResourceId: 'é'.repeat(513) }), /PhysicalResourceId is 1026 bytes/],
    ['a StackId not echoed', (e) => valid(e, { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/other/1' }), /StackId must be echoed/],
    ['a RequestId not echoed', (e) => valid(e, { RequestId: 'other' }), /RequestId must be echoed/],
    ['a missing LogicalResourceId', (e) => valid(e, { LogicalResourceId: undefined }), /LogicalResourceId must be echoed/],
    ['a body over 4096 bytes', (e) => valid(e, { Data: { big: 'x'.repeat(4096) } }), /at most 4096/],
    ['a body that is not JSON', () => '{"Status":"SUCCESS"', /not valid JSON/],
    ['a body that is a JSON array', () => '[]', /JSON object/],
    ['Data that is not an object', (e) => valid(e, { Data: 'text' }), /Data must be a JSON object/],
    ['NoEcho that is not a boolean', (e) => valid(e, { NoEcho: 'yes' }), /NoEcho must be a boolean/],
    ['a Reason that is not a string', (e) => valid(e, { Reason: 42 }), /Reason must be a string/],
  ];

  it.each(violations)('flags %s', async (_label, makeBody, message) => {
    const event = cloudFormationEvent('Update', { responseServer: server });
    const sent = await put(event.ResponseURL, makeBody(event));
    // S3 stores any body; the violation only shows when CloudFormation reads it, so the PUT succeeds.
    expect(sent.status).toBe(200);
    expect(server.errors.map((e) => e.message)).toEqual([expect.stringMatching(message)]);
    expect(server.responses[0]!.problems).toHaveLength(1);
  });

  it('checks only presence of the echoed ids for a URL without expectations', async () => {
    const url = server.url('bare');
    await put(url, JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }));
    expect(server.errors).toEqual([]);
    const other = server.url('bare-2');
    await put(other, JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: '', RequestId: 'r', LogicalResourceId: 'l' }));
    expect(server.errors).toEqual([{ name: 'bare-2', message: expect.stringMatching(/StackId must be echoed/) }]);
  });

  it('flags a second response to the same URL', async () => {
    const event = cloudFormationEvent('Delete', { responseServer: server });
    await put(event.ResponseURL, valid(event));
    await put(event.ResponseURL, valid(event, { Status: 'FAILED', Reason: 'again' }));
    expect(server.responses).toHaveLength(2);
    expect(server.errors).toEqual([{ name: server.responses[0]!.name, message: expect.stringMatching(/second response/) }]);
  });

  it('refuses what S3 itself would refuse: wrong method, no Content-Length, a Content-Type, a dropped query', async () => {
    const event = cloudFormationEvent('Create', { responseServer: server });
    expect((await put(event.ResponseURL, valid(event), {}, 'POST')).status).toBe(405);
    expect((await put(event.ResponseURL, valid(event), { 'content-type': 'application/json' })).status).toBe(403);
    expect((await put(event.ResponseURL.split('?')[0]!, valid(event))).status).toBe(403);
    const chunked = await new Promise<number>((resolve) => {
      const req = request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.write('{"Status":');
      req.end('"SUCCESS"}');
    });
    expect(chunked).toBe(411);
    expect((await put(`${server.origin}/never-handed-out`, '{}')).status).toBe(404);
    expect(server.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/takes PUT, got POST/),
      expect.stringMatching(/Content-Type must be empty/),
      expect.stringMatching(/presigned query string/),
      expect.stringMatching(/no Content-Length/),
      expect.stringMatching(/never handed out/),
    ]);
    expect(server.responses).toEqual([]);
  });

  it('allows a Content-Type when told to', async () => {
    const lenient = await startResponseServer({ requireEmptyContentType: false });
    const event = cloudFormationEvent('Create', { responseServer: lenient });
    expect((await put(event.ResponseURL, valid(event), { 'content-type': 'application/json' })).status).toBe(200);
    expect(lenient.errors).toEqual([]);
    await lenient.stop();
  });

  it('catches a Content-Length that counts characters instead of bytes', async () => {
    const event = cloudFormationEvent('Create', { responseServer: server });
    const body = valid(event, { Reason: 'ünïcödé' });
    await raw(event.ResponseURL, `Content-Length: ${body.length}\r\nContent-Type: `, Buffer.from(body));
    await until(() => server.errors.some((e) => /count bytes/.test(e.message)));
    expect(server.errors.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/Content-Length must count bytes/)]));
  });

  it('catches a body shorter than its Content-Length', async () => {
    const event = cloudFormationEvent('Create', { responseServer: server });
    const body = Buffer.from(valid(event));
    const answer = await raw(event.ResponseURL, `Content-Length: ${body.length + 10}\r\nContent-Type: `, body);
    expect(answer).toContain('400');
    expect(server.errors.map((e) => e.message)).toEqual([expect.stringMatching(/ended before its Content-Length/)]);
  });

  it('injects failures for retry tests without recording them', async () => {
    const event = cloudFormationEvent('Create', { responseServer: server });
    server.failNext(2, 500);
    expect((await put(event.ResponseURL, valid(event))).status).toBe(500);
    expect((await put(event.ResponseURL, valid(event))).status).toBe(500);
    expect((await put(event.ResponseURL, valid(event))).status).toBe(200);
    expect(server.responses).toHaveLength(1);
    expect(server.errors).toEqual([]);
    expect(() => server.failNext(-1)).toThrow(/"count"/);
    expect(() => server.failNext(1, 200)).toThrow(/"status"/);
  });

  it('waits for a response that has not arrived yet, and times out', async () => {
    const url = server.url('later');
    const waiting = server.waitForResponse('later', 2000);
    await put(url, JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }));
    await expect(waiting).resolves.toMatchObject({ name: 'later' });
    await expect(server.waitForResponse('never', 10)).rejects.toThrow(/no response to never within 10 ms/);
  });

  it('validates names and expectations', () => {
    server.url('taken');
    expect(() => server.url('taken')).toThrow(/"name"/);
    expect(() => server.url('has space')).toThrow(/"name"/);
    expect(() => server.url(undefined, { StackId: '', RequestId: 'r', LogicalResourceId: 'l' })).toThrow(/"expect.StackId"/);
    expect(() => cloudFormationEvent('Create', {})).toThrow(/"responseServer"/);
    expect(() => cloudFormationEvent('Remove' as never, { responseServer: server })).toThrow(/"requestType"/);
  });
});
