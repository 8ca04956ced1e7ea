// The X-Ray daemon stand-in of @fleece/testing, with the per-trace helpers these tests use.
import { startXrayCollector, type XrayCollector } from '@fleece/testing';

export interface XrayDocument {
  trace_id: string;
  id: string;
  parent_id?: string;
  type?: string;
  name: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  namespace?: string;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: string | { id?: string; working_directory?: string; exceptions: RecordedException[] };
  aws?: Record<string, unknown>;
  http?: { request?: Record<string, unknown>; response?: Record<string, unknown> };
  [key: string]: unknown;
}

export type RecordedException = { id: string; message: string; type: string; remote?: boolean; stack?: unknown[] };

export interface Collector {
  /** `127.0.0.1:<port>`, for AWS_XRAY_DAEMON_ADDRESS. */
  readonly address: string;
  /** Every document received so far, or those of one trace. */
  documents(traceId?: string): XrayDocument[];
  /** Raw datagrams received, for format checks. */
  raw(): string[];
  /** Resolves with the documents of `traceId` once there are `count` of them; rejects after `timeoutMs`. */
  waitFor(traceId: string, count: number, timeoutMs?: number): Promise<XrayDocument[]>;
  /** Stops the collector, failing if any datagram broke the daemon protocol. */
  close(): Promise<void>;
}

export async function startCollector(): Promise<Collector> {
  const collector: XrayCollector = await startXrayCollector();
  const of = (traceId?: string) =>
    (collector.documents() as unknown as XrayDocument[]).filter((d) => traceId === undefined || d.trace_id === traceId);
  return {
    address: collector.address,
    documents: of,
    raw: () => collector.raw(),
    async waitFor(traceId, count, timeoutMs = 5000) {
      try {
        await collector.waitFor(() => of(traceId).length >= count, timeoutMs);
      } catch (error) {
        throw new Error(`expected ${count} documents of ${traceId}, got ${JSON.stringify(of(traceId))}`, { cause: error });
      }
      return of(traceId);
    },
    async close() {
      await collector.stop();
      if (collector.errors.length > 0) throw new Error(`datagrams broke the daemon protocol: ${collector.errors.join('; ')}`);
    },
  };
}

/** The exceptions a document records itself (not by reference to a child's). */
export function exceptionsOf(doc: XrayDocument): RecordedException[] {
  if (typeof doc.cause !== 'object' || doc.cause === null) throw new Error(`${doc.name} records no exceptions of its own: ${JSON.stringify(doc.cause)}`);
  return doc.cause.exceptions;
}
