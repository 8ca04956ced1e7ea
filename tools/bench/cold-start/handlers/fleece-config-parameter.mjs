// @fleece/config: one SSM parameter through the cache (Powertools' 5 s default age).
import { getParameter } from '@fleece/config';

export const handler = async () => ({ ok: true, value: await getParameter(process.env.BENCH_PARAMETER, { maxAge: 5000 }) });
