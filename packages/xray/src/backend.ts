// The seam between what this package records and the library that ships it.
//
// Spans are recorded by plain code in this package (ids, timing, nesting, errors) and handed over
// finished. A backend only turns a finished span into whatever its wire wants: aws-xray-sdk-core
// (src/backends/xray-sdk.ts) or OpenTelemetry over OTLP/HTTP (src/backends/otel.ts); X-Ray trace
// and span ids map one to one onto OpenTelemetry's, so the public API is the same for both.
// Nothing here is exported from src/index.ts.

/** Scalar values X-Ray can index and filter on. */
export type AnnotationValue = string | number | boolean;

/** The downstream call an AWS SDK subsegment describes. */
export interface AwsCallData {
  /** e.g. `DynamoDB`, as in the client's class name without `Client`. */
  service: string;
  /** e.g. `GetItem`. */
  operation: string;
  region?: string;
  requestId?: string;
  /** `x-amz-id-2`, S3 only. */
  extendedRequestId?: string;
  /** Attempts after the first one. */
  retries: number;
  /** The command's input, for the backend's own allow-list of parameters (table name, queue URL…). */
  input?: Record<string, unknown>;
  /** The command's output when it succeeded, for the same allow-list. */
  output?: Record<string, unknown>;
}

/** The HTTP exchange a subsegment describes. */
export interface HttpCallData {
  method?: string;
  /** Without query string or credentials. */
  url?: string;
  status?: number;
  contentLength?: number;
  /** The downstream service was sent a trace header. */
  traced?: boolean;
}

/** What went wrong in a span. */
export interface SpanFailure {
  /** The thrown value, exactly as thrown. */
  error: unknown;
  /** The error came from a remote service (an AWS or HTTP call) rather than local code. */
  remote: boolean;
  /**
   * Set when a child span already recorded this very error: the backend should point at that
   * child instead of repeating the exception.
   */
  recordedBy?: string;
}

/** What the handler's span knows about the invocation it measures. */
export interface InvocationData {
  /** The container's first invocation (never under provisioned concurrency or SnapStart). */
  coldStart: boolean;
  /** Lambda's request id. */
  requestId?: string;
}

/** A span as handed to a backend: complete, never changed afterwards. */
export interface FinishedSpan {
  /** `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`. */
  readonly traceId: string;
  /** 16 hex digits. */
  readonly id: string;
  /** The enclosing span's id, or the Lambda function segment's id from the trace header. */
  readonly parentId: string;
  readonly name: string;
  /** `aws` for AWS SDK calls, `remote` for other HTTP calls, absent for local code. */
  readonly namespace?: 'aws' | 'remote';
  /** Epoch ms (fractional). */
  readonly startTime: number;
  /** Epoch ms (fractional). */
  readonly endTime: number;
  readonly annotations?: Readonly<Record<string, AnnotationValue>>;
  /** namespace → key → JSON-safe value. */
  readonly metadata?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Client-side failure (4xx). */
  readonly error: boolean;
  /** Server-side or unclassified failure (5xx, a throw in local code). */
  readonly fault: boolean;
  /** Throttled (429 or a throttling error); always comes with `error`. */
  readonly throttle: boolean;
  readonly failure?: SpanFailure;
  readonly aws?: AwsCallData;
  readonly http?: HttpCallData;
  /** Set on the handler's span only (`traceHandler`). */
  readonly invocation?: InvocationData;
}

/** Where finished spans go. Implementations must never throw from `export`. */
export interface TracingBackend {
  /** For `tracingStatus()` and messages. */
  readonly name: string;
  /** Sends one finished span; sending may complete asynchronously, failures are the backend's to report. */
  export(span: FinishedSpan): void;
  /**
   * Sends what is still buffered, settling within `timeoutMs` whatever the wire does; never rejects.
   * Absent for a backend that sends each span as it ends.
   */
  flush?(timeoutMs: number): Promise<void>;
  /** Releases sockets and timers (tests, `resetTracer`). Never rejects. */
  shutdown?(): Promise<void>;
}

/** What the tracer lends a backend to report spans it lost after taking them. */
export interface BackendHooks {
  /** `count` spans taken by `export` were not delivered, because of `error`. */
  dropped(count: number, error: unknown): void;
}

/** Loads a backend; called at most once per process, on the first span that is recorded. */
export type BackendLoader = (hooks: BackendHooks) => Promise<TracingBackend>;
