import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LAMBDA_PAYLOAD_LIMIT_BYTES } from './outcome.js';
import type { HttpAnswer } from './responses.js';
import { PortInUseError } from './start-error.js';

/** The request body, or undefined when it is over Lambda's payload limit (the rest is drained). */
export function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
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

/** Writes an answer, its header values grouped by name. */
export function writeAnswer(res: ServerResponse, answer: HttpAnswer, omitBody: boolean): void {
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

/** Listens on 127.0.0.1; resolves to the port. @throws PortInUseError */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: error }) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
