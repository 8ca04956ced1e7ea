import type { AnnotationValue, AwsCallData, FinishedSpan, HttpCallData, InvocationData, SpanFailure } from './backend.js';
import { classifyError, type FailureFlags } from './classify.js';
import { newSpanId } from './ids.js';
import { formatTraceHeader, type TraceHeader } from './trace-header.js';

/** The trace an invocation belongs to, from its trace header. */
export class TraceRoot {
  readonly traceId: string;
  /** The Lambda function segment's id: the parent of every top-level span. */
  readonly parentId: string | undefined;
  readonly sampled: boolean;
  readonly extra: string;
  /** Spans are recorded and sent: a sampled trace with a parent to hang them from. */
  readonly recording: boolean;
  /**
   * Epoch ms at `performance.now()` zero, read once per invocation: every span of the invocation
   * is timed on the monotonic clock from this one anchor, so a child never seems to start before
   * or end after its parent (as separate `Date.now()` readings, 1 ms apart in rounding, could).
   */
  readonly clockOffset = Date.now() - performance.now();
  /** The error a span recorded last, so an enclosing span rethrowing it can point at it. */
  lastFailure: { error: unknown; spanId: string } | undefined;

  constructor(header: TraceHeader) {
    this.traceId = header.traceId;
    this.parentId = header.parentId;
    this.sampled = header.sampled === true;
    this.extra = header.extra;
    this.recording = this.sampled && this.parentId !== undefined;
  }

  /**
   * The header for a call made outside any span: the caller's decision travels on, so a service
   * downstream does not sample what we did not. Lambda's PassThrough mode (no parent) propagates nothing.
   */
  traceHeader(): string | undefined {
    if (this.parentId === undefined) return undefined;
    return formatTraceHeader(this.traceId, this.parentId, this.sampled, this.extra);
  }
}

/** Exporting is the tracer's business; a span only knows whom to hand itself to. */
export type SpanSink = (span: Span) => void;

/** One subsegment being recorded. Only ever created for a recording root. */
export class Span implements FinishedSpan {
  readonly id = newSpanId();
  readonly startTime: number;
  endTime = 0;
  annotations: Record<string, AnnotationValue> | undefined;
  metadata: Record<string, Record<string, unknown>> | undefined;
  error = false;
  fault = false;
  throttle = false;
  failure: SpanFailure | undefined;
  aws: AwsCallData | undefined;
  http: HttpCallData | undefined;
  invocation: InvocationData | undefined;
  private ended = false;

  constructor(
    readonly root: TraceRoot,
    readonly parent: Span | undefined,
    readonly name: string,
    readonly namespace: 'aws' | 'remote' | undefined,
    private readonly sink: SpanSink,
  ) {
    this.startTime = root.clockOffset + performance.now();
  }

  get traceId(): string {
    return this.root.traceId;
  }

  get parentId(): string {
    // A recording root always has a parent id.
    return this.parent?.id ?? (this.root.parentId as string);
  }

  /** The header a downstream call made inside this span carries. */
  traceHeader(): string {
    return formatTraceHeader(this.root.traceId, this.id, true, this.root.extra);
  }

  annotate(key: string, value: AnnotationValue): void {
    // Prototype-less: `__proto__` and `constructor` are ordinary annotation keys.
    (this.annotations ??= Object.create(null) as Record<string, AnnotationValue>)[key] = value;
  }

  addMetadata(key: string, value: unknown, namespace = 'default'): void {
    const metadata = (this.metadata ??= Object.create(null) as Record<string, Record<string, unknown>>);
    (metadata[namespace] ??= Object.create(null) as Record<string, unknown>)[key] = value;
  }

  /** Sets failure flags without an exception (an HTTP 404 that was answered, not thrown). */
  flag(flags: FailureFlags): void {
    this.error ||= flags.error;
    this.fault ||= flags.fault;
    this.throttle ||= flags.throttle;
  }

  /** Records a thrown value; `flags` overrides the classification derived from the value itself. */
  fail(error: unknown, remote: boolean, flags: FailureFlags = classifyError(error)): void {
    this.flag(flags);
    const last = this.root.lastFailure;
    if (last !== undefined && last.error === error && last.spanId !== this.id) {
      // A child recorded this very throw already: point at it rather than repeat the stack.
      this.failure = { error, remote, recordedBy: last.spanId };
    } else {
      this.failure = { error, remote };
    }
    this.root.lastFailure = { error, spanId: this.id };
  }

  /** Drops the span unsent (it turned out not to describe a call); later `end` calls do nothing. */
  discard(): void {
    this.ended = true;
  }

  /** Ends the span and hands it over; later calls do nothing. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.endTime = this.root.clockOffset + performance.now();
    this.sink(this);
  }
}
