export { appendKeys, injectRequestIds, type InjectRequestIdsOptions, type RequestIdContext } from './context.js';
export { fleeceFormat, type FleeceFormat, type FleeceFormatOptions } from './format.js';
export { LEVELS, type LogLevel } from './levels.js';
export { getLogger, Logger, type LogMeta } from './logger.js';
export { DEFAULT_REDACT, DEFAULT_REDACT_VALUES, REDACTED, VALUE_RULES, type ValueRuleName } from './redact.js';
export {
  LogDeliveryError,
  RetryTransport,
  type LogDeliveryReason,
  type LogFormat,
  type RetryTransportOptions,
  type WinstonTransport,
} from './retry-transport.js';
export { flushLogs, transportFailures, type LogInfo, type LogStream, type LogTransport } from './root.js';
export { setupRootLogger, type RootLoggerOptions } from './setup.js';
