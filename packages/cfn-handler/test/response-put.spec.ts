import { RetryPolicy } from '@fleece/retry';
import { ResponseError, putResponse } from '../src/response-put.js';
import { recordingLogger, scriptedServer } from './support/http-server.js';

const SIGNATURE = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=deadbeefcafe';
const fast = new RetryPolicy({ base: 1, cap: 5, jitter: 'none', retries: 100 });
const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'ünïcödé ✓' });

function options(log = recordingLogger(), deadlineMs = 5000) {
  const end = Date.now() + deadlineMs;
  return { policy: fast, attemptTimeoutMs: 1000, deadline: () => end - Date.now(), logger: log.logger };
}

describe('putResponse', () => {
  it('PUTs with an empty content type and a byte-counted Content-Length, retrying a 5xx', async () => {
    const server = await scriptedServer((_, index, res) => {
      res.statusCode = index === 0 ? 503 : 200;
      res.end();
    });
    const log = recordingLogger();
    try {
      const attempts = await putResponse(new URL(`${server.url}/bucket/key?${SIGNATURE}`), body, options(log));
      expect(attempts).toBe(2);
      expect(server.seen).toHaveLength(2);
      for (const request of server.seen) {
        expect(request.method).toBe('PUT');
        expect(request.url).toBe(`/bucket/key?${SIGNATURE}`);
        expect(request.headers['content-type']).toBe('');
        expect(request.headers['content-length']).toBe(String(Buffer.byteLength(body)));
        expect(Number(request.headers['content-length'])).toBeGreaterThan(body.length);
        expect(request.body).toBe(body);
      }
      expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      expect(log.text()).not.toContain('X-Amz-Signature');
    } finally {
      await server.close();
    }
  });

  it('retries a 429, honouring Retry-After', async () => {
    const server = await scriptedServer((_, index, res) => {
      res.statusCode = index === 0 ? 429 : 200;
      if (index === 0) res.setHeader('retry-after', '0');
      res.end();
    });
    try {
      await expect(putResponse(new URL(`${server.url}/k?${SIGNATURE}`), body, options())).resolves.toBe(2);
    } finally {
      await server.close();
    }
  });

  it('does not retry another 4xx, and names the URL without its signature', async () => {
    const server = await scriptedServer((_, __, res) => {
      res.statusCode = 403;
      res.end('<Error><Code>AccessDenied</Code></Error>');
    });
    try {
      const error = await putResponse(new URL(`${server.url}/k?${SIGNATURE}`), body, options()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error).toMatchObject({ attempts: 1, status: 403, url: `${server.url}/k` });
      expect((error as Error).message).toMatch(/HTTP 403/);
      expect((error as Error).message).not.toContain('Signature');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('retries network errors until the deadline, then gives up clearly', async () => {
    const server = await scriptedServer((_, __, res) => res.socket?.destroy());
    const log = recordingLogger();
    try {
      const error = await putResponse(new URL(`${server.url}/k?${SIGNATURE}`), body, options(log, 150)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).attempts).toBeGreaterThan(2);
      expect((error as Error).message).toMatch(/deadline/);
      expect(server.seen.length).toBe((error as ResponseError).attempts);
      expect(log.text()).not.toContain('X-Amz-Signature');
    } finally {
      await server.close();
    }
  });

  it('cuts an attempt that gets no answer and tries again', async () => {
    const server = await scriptedServer((_, index, res) => {
      if (index > 0) res.end();
      // The first request is left hanging.
    });
    try {
      const started = Date.now();
      await expect(
        putResponse(new URL(`${server.url}/k`), body, { ...options(), attemptTimeoutMs: 50 }),
      ).resolves.toBe(2);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });
});
