// @fleece/api-overflow: a response checked against Lambda's payload limit (small here: no S3 call).
import { overflow } from '@fleece/api-overflow';

export const handler = overflow(async (event) => ({ statusCode: 200, body: JSON.stringify({ id: event.requestContext.requestId }) }), {
  bucket: process.env.BENCH_BUCKET,
});
