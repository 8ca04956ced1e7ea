// @fleece/xray: a traced handler calling one traced function.
import { traceHandler, traceSubsegment } from '@fleece/xray';

const load = traceSubsegment(async (id) => ({ id, loaded: true }), { name: 'load' });

export const handler = traceHandler(async (event) => load(event.id));
