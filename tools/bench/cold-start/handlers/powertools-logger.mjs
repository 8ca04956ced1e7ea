// Powertools Logger used without middy: context added by hand, one line per invocation.
import { Logger } from '@aws-lambda-powertools/logger';

const logger = new Logger({ serviceName: 'handler' });

export const handler = async (event, context) => {
  logger.addContext(context);
  logger.info('handled', { id: event.id });
  return { ok: true };
};
