// Powertools Logger as its docs show it with middy: injectLambdaContext middleware.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';

const logger = new Logger({ serviceName: 'handler' });

export const handler = middy(async (event) => {
  logger.info('handled', { id: event.id });
  return { ok: true };
}).use(injectLambdaContext(logger));
