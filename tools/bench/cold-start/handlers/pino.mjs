// pino: a logger made at load, a child with the request id per invocation, one line.
import pino from 'pino';

const logger = pino();

export const handler = async (event, context) => {
  logger.child({ lambda_request_id: context.awsRequestId }).info({ id: event.id }, 'handled');
  return { ok: true };
};
