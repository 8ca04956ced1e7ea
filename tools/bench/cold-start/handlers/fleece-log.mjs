// @fleece/log: a logger made at load, request ids per invocation, one line per invocation.
import { getLogger, injectRequestIds } from '@fleece/log';

const logger = getLogger('handler');

export const handler = injectRequestIds(async (event) => {
  logger.info('handled', { id: event.id });
  return { ok: true };
});
