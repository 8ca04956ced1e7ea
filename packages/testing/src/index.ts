export { lambdaContext, type LambdaContextOptions } from './context.js';
export { LOCAL_ACCOUNT, LOCAL_CREDENTIALS, type LocalCredentials } from './credentials.js';
export { apiGatewayV1Event, type ApiGatewayV1Input } from './events/api-gateway.js';
export { cloudFormationEvent, type CloudFormationEventInput } from './events/cloudformation.js';
export { functionUrlEvent, httpApiEvent, type FunctionUrlInput, type HttpApiInput } from './events/http-api.js';
export { scheduledEvent, type ScheduledEventInput } from './events/scheduled.js';
export type { HttpRequestInput, MultiValues } from './events/shared.js';
export { sqsEvent, type SqsEventInput, type SqsMessageInput } from './events/sqs.js';
export type { RequestRecord, ServiceName } from './http-service.js';
export { MalformedPreludeError, readStreamedResponse, type StreamedBytes, type StreamedHttpResponse } from './streaming/http-response.js';
export { ClientGoneError, DEFAULT_STREAM_CONTENT_TYPE, EmulatedResponseStream, HTTP_INTEGRATION_CONTENT_TYPE, HttpResponseStream, PRELUDE_DELIMITER_BYTES } from './streaming/response-stream.js';
export { awslambda, installStreamingGlobal, invokeStreaming, isStreamingHandler, type AwsLambdaGlobal, type InvokeStreamingOptions, type StreamifyOptions, type StreamingHandler, type StreamingInvocation, type StreamingOutcome } from './streaming/streaming-global.js';
export { startStreamingFunctionUrl, type StreamingFunctionUrl, type StreamingFunctionUrlOptions } from './streaming/streaming-url.js';
export {
  SERVICE_NAMES,
  startLocalAws,
  type LocalAws,
  type LocalClientConfig,
  type StartLocalAwsOptions,
} from './local-aws.js';
export {
  MAX_PHYSICAL_ID_BYTES,
  MAX_RESPONSE_BYTES,
  startResponseServer,
  type ExpectedEcho,
  type RecordedResponse,
  type ResponseProblem,
  type ResponseServer,
  type ResponseServerOptions,
} from './response-server.js';
export type { LocalCloudFormation, Stack, StackInput, StackOutput } from './services/cloudformation.js';
export type { DynamoDbOptions, LocalDynamoDb } from './services/dynamodb.js';
export type { LocalAppConfig, PublishedConfiguration } from './services/appconfigdata.js';
export type { LambdaInvocation, LocalHandler, LocalLambda, RegisterOptions } from './services/lambda.js';
export {
  decodeJsonTraceRequest,
  decodeTraceRequest,
  OtlpDecodeError,
  startOtlpReceiver,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type OtlpRequestRecord,
  type OtlpSpan,
  type OtlpValue,
} from './otlp-receiver.js';
export {
  startXrayCollector,
  type CollectedSubsegment,
  type XrayCollector,
  type XrayCollectorOptions,
  type XrayDocument,
} from './xray-collector.js';
