export { captureAwsSdk, captureClient, type CapturableClient } from './capture-aws.js';
export { captureHttp, gotTracingHooks, type GotTracingHooks } from './capture-http.js';
export { addAnnotation, addMetadata, currentTraceHeader } from './current.js';
export { traceHandler, type TraceHandlerOptions } from './trace-handler.js';
export { traceSubsegment, type TraceMethodDecorator, type TraceOptions } from './trace-subsegment.js';
export { configureXray, tracingStatus, type BackendState, type TracingStatus, type XrayConfiguration, type XrayLogger } from './tracer.js';
export type { AnnotationValue } from './backend.js';
