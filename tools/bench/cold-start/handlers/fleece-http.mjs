// @fleece/http: one GET with the default connect/read timeouts and retries.
import { get } from '@fleece/http';

export const handler = async () => {
  const response = await get(process.env.BENCH_HTTP_URL);
  return { ok: response.statusCode === 200 };
};
