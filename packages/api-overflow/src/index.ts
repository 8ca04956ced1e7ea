export { ASYNC_PAYLOAD_LIMIT_BYTES } from './job-payload.js';
export { longRunning, type Logger, type LongRunningContext, type LongRunningOptions } from './long-running.js';
export { overflow, OverflowError, serializedSize, DEFAULT_MARGIN_BYTES, LAMBDA_RESPONSE_LIMIT_BYTES, type OverflowOptions } from './overflow.js';
export type { HttpEvent, HttpResult } from './http-result.js';
export { StreamingError, type ResponseStreamLike, type StreamingBody } from './streaming-body.js';
export {
  streamingResponse,
  STREAMING_RESPONSE_LIMIT_BYTES,
  type StreamingContext,
  type StreamingLogger,
  type StreamingResponseOptions,
  type StreamingResult,
} from './streaming-response.js';
