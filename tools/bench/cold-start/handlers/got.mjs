// Raw got 14: one GET as most code writes it.
import got from 'got';

export const handler = async () => {
  const response = await got(process.env.BENCH_HTTP_URL);
  return { ok: response.statusCode === 200 };
};
