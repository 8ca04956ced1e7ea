// @middy/core with no middleware: the price of the engine a Powertools user usually wraps handlers in.
import middy from '@middy/core';

export const handler = middy(async (event) => ({ ok: true, id: event.id }));
