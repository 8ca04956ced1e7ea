// Powertools parameters: one SSM parameter through its cache (default 5 s).
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';

export const handler = async () => ({ ok: true, value: await getParameter(process.env.BENCH_PARAMETER) });
