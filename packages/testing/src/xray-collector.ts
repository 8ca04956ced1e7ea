import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { checkMs, checkObject, checkPort, invalid } from './validate.js';

/** A segment or subsegment document as the X-Ray daemon receives it. */
export interface XrayDocument {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  start_time?: number;
  end_time?: number;
  in_progress?: boolean;
  /** `'subsegment'` for a subsegment sent on its own. */
  type?: string;
  subsegments?: XrayDocument[];
  [key: string]: unknown;
}

/** A subsegment, wherever it arrived (nested or on its own), with its parent and trace filled in. */
export interface CollectedSubsegment extends XrayDocument {
  parent_id: string;
  trace_id: string;
}

/** Options of {@link startXrayCollector}. */
export interface XrayCollectorOptions {
  /** Default 0: a random free UDP port on 127.0.0.1. */
  port?: number;
}

/** A local X-Ray daemon stand-in that records what the SDK sends. */
export interface XrayCollector {
  /** `127.0.0.1:<port>`: the value for `AWS_XRAY_DAEMON_ADDRESS` or `AWSXRay.setDaemonAddress()`. */
  readonly address: string;
  readonly port: number;
  /** Segments (not subsegments sent alone), the latest version of each id, in order of arrival. */
  segments(): XrayDocument[];
  /** Every subsegment, nested or sent alone, flattened, the latest version of each id. */
  subsegments(): CollectedSubsegment[];
  /** The direct children (subsegments) of the segment or subsegment `id`. */
  children(id: string): CollectedSubsegment[];
  /** Every document as it arrived, in order. */
  documents(): XrayDocument[];
  /** Every datagram as text, header included, valid or not: for asserting what never goes on the wire (secrets). */
  raw(): string[];
  /** Datagrams that broke the daemon protocol (bad header, not JSON, no id/name). */
  readonly errors: string[];
  /** Resolves once `predicate` holds (checked now and on every datagram); rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: (collector: XrayCollector) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets everything received. */
  reset(): void;
  /** Closes the socket. Safe to call more than once. */
  stop(): Promise<void>;
}

const HEADER = { format: 'json', version: 1 };

/**
 * Starts a UDP collector speaking the X-Ray daemon protocol: each datagram is the header
 * `{"format":"json","version":1}`, a newline, and one segment or subsegment document.
 */
export async function startXrayCollector(options: XrayCollectorOptions = {}): Promise<XrayCollector> {
  checkObject('options', options);
  checkPort('port', options.port);
  const socket = createSocket('udp4');
  const documents: XrayDocument[] = [];
  const datagrams: string[] = [];
  const errors: string[] = [];
  const waiters = new Set<() => void>();

  socket.on('message', (message) => {
    const text = message.toString('utf8');
    datagrams.push(text);
    const newline = text.indexOf('\n');
    if (newline < 0) {
      errors.push(`datagram has no header line: ${text.slice(0, 80)}`);
    } else {
      let header: unknown;
      try {
        header = JSON.parse(text.slice(0, newline));
      } catch {
        header = undefined;
      }
      const h = header as Record<string, unknown> | undefined;
      if (!h || h['format'] !== HEADER.format || h['version'] !== HEADER.version) {
        errors.push(`daemon header must be {"format":"json","version":1}, got ${text.slice(0, newline).slice(0, 80)}`);
      } else {
        try {
          const document = JSON.parse(text.slice(newline + 1)) as XrayDocument;
          if (typeof document?.id !== 'string' || typeof document.name !== 'string') errors.push('document has no id or name');
          else documents.push(document);
        } catch {
          errors.push(`document is not valid JSON: ${text.slice(newline + 1, newline + 81)}`);
        }
      }
    }
    for (const wake of [...waiters]) wake();
  });
  socket.on('error', (error) => errors.push(`socket error: ${error.message}`));

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = (socket.address() as AddressInfo).port;

  const latest = <T extends XrayDocument>(list: T[]): T[] => {
    const byId = new Map<string, T>();
    for (const doc of list) {
      byId.delete(doc.id);
      byId.set(doc.id, doc);
    }
    const firstSeen = list.map((d) => d.id).filter((id, i, all) => all.indexOf(id) === i);
    return firstSeen.map((id) => byId.get(id) as T);
  };

  const flatten = (): CollectedSubsegment[] => {
    const out: CollectedSubsegment[] = [];
    const walk = (parent: XrayDocument, traceId: string) => {
      for (const child of parent.subsegments ?? []) {
        out.push({ ...child, parent_id: child.parent_id ?? parent.id, trace_id: child.trace_id ?? traceId });
        walk(child, child.trace_id ?? traceId);
      }
    };
    for (const doc of documents) {
      if (doc.type === 'subsegment') {
        out.push({ ...doc, parent_id: doc.parent_id ?? '', trace_id: doc.trace_id ?? '' });
      }
      walk(doc, doc.trace_id ?? '');
    }
    return latest(out);
  };

  let stopping: Promise<void> | undefined;
  const collector: XrayCollector = {
    address: `127.0.0.1:${port}`,
    port,
    segments: () => latest(documents.filter((d) => d.type !== 'subsegment')),
    subsegments: flatten,
    children: (id) => flatten().filter((s) => s.parent_id === id),
    documents: () => [...documents],
    raw: () => [...datagrams],
    errors,
    waitFor(predicate, timeoutMs = 2000) {
      if (typeof predicate !== 'function') invalid('predicate', 'a function', predicate);
      checkMs('timeoutMs', timeoutMs);
      if (predicate(collector)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (!predicate(collector)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`@fleece/testing: X-Ray collector condition not met within ${timeoutMs} ms (${documents.length} documents received)`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
      });
    },
    reset() {
      documents.length = 0;
      datagrams.length = 0;
      errors.length = 0;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return stopping;
    },
  };
  return collector;
}
