// The Lambda handler of the greeting API: the same code in Lambda and under `fleece serve`. Nothing
// here knows about the local AWS; the environment points the AWS SDK at it when served locally.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { longRunning, overflow } from '@fleece/api-overflow';
import { env, loadConfig } from '@fleece/config';
import { DynamoDBPersistence, idempotencyErrorResponse, idempotentFunction } from '@fleece/idempotency';
import { getLogger, injectRequestIds, setupRootLogger } from '@fleece/log';
import { openapi } from '@fleece/openapi';
import { captureAwsSdk, traceHandler, traceSubsegment } from '@fleece/xray';

setupRootLogger(); // JSON lines on stdout; LOG_LEVEL sets the level
captureAwsSdk(); // every client @fleece/aws makes (DynamoDB, S3, Lambda, KMS) gets an X-Ray subsegment
const logger = getLogger('greeting-api');

// A bad deployment fails the cold start, not the Nth request.
const ENV = await env({
  type: 'object',
  required: ['IDEMPOTENCY_TABLE', 'BUCKET'],
  properties: {
    IDEMPOTENCY_TABLE: { type: 'string', minLength: 3 },
    BUCKET: { type: 'string', minLength: 3 },
    // How long GET /slow waits before answering 303; API Gateway cuts requests at 29 s, so up to about 25000 in production.
    SLOW_WAIT_MS: { type: 'integer', minimum: 0, maximum: 25000, default: 1000 },
  },
});

// Where `local:` key files of the configuration are found (KMS keys in production need none).
const appRoot = fileURLToPath(new URL('..', import.meta.url));
const PRICES = { tea: 350, coffee: 400, scone: 275 };

// Only the write is idempotent: a retry with the same Idempotency-Key and body gets the first
// order back (from DynamoDB) instead of a second order; the same key with another body is a 422.
const placeOrder = idempotentFunction(
  async ({ order }) => {
    const items = order.items.map(({ sku, quantity }) => ({ sku, quantity, priceCents: PRICES[sku] }));
    const placed = {
      orderId: randomUUID(),
      items,
      totalCents: items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0),
      createdAt: new Date().toISOString(),
    };
    logger.info('order placed', { orderId: placed.orderId, totalCents: placed.totalCents });
    return placed;
  },
  {
    persistence: new DynamoDBPersistence({ tableName: ENV.IDEMPOTENCY_TABLE }),
    key: 'key',
    payloadValidation: 'order',
    name: 'placeOrder',
    expiresAfterSeconds: 3600,
    logger,
  },
);

// A report of `rows` lines of about 40 bytes: the default 200 000 rows make 8.2 MB, over Lambda's 6 MB.
const buildReport = traceSubsegment(
  async (rows) => {
    const lines = ['order,day,sku,quantity,unit_cents,total_cents'];
    const skus = Object.keys(PRICES);
    for (let i = 1; i <= rows; i++) {
      const sku = skus[i % skus.length];
      const quantity = (i % 7) + 1;
      const day = `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
      lines.push(`order-${String(i).padStart(7, '0')},${day},${sku},${quantity},${PRICES[sku]},${quantity * PRICES[sku]}`);
    }
    return `${lines.join('\n')}\n`;
  },
  { name: 'buildReport' },
);

const handlers = {
  getGreeting: async ({ params }) => {
    const config = await loadConfig({ baseDir: appRoot }); // one decryption per container, then cached
    const name = params.query.name ?? config.greeting.defaultName;
    logger.info('greeting', { name });
    return { message: config.greeting.template.replaceAll('{name}', name) };
  },

  createOrder: async ({ params, body }) => {
    try {
      const order = await placeOrder({ key: params.header['Idempotency-Key'], order: body });
      return { statusCode: 201, headers: { 'content-type': 'application/json', location: `/orders/${order.orderId}` }, body: order };
    } catch (error) {
      // 409 while the first request with the key runs, 422 for a key reused with another body.
      const answer = idempotencyErrorResponse(error);
      if (answer) return answer;
      throw error;
    }
  },

  getReport: async ({ params }) => {
    const csv = await buildReport(params.query.rows);
    logger.info('report built', { rows: params.query.rows, bytes: Buffer.byteLength(csv) });
    return { statusCode: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: csv };
  },

  getSlow: async ({ params }) => {
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, params.query.ms));
    logger.info('slow work done', { ms: params.query.ms });
    return { done: true, tookMs: Date.now() - started };
  },
};

const api = openapi(fileURLToPath(new URL('./api.yaml', import.meta.url)), { handlers, logger, cors: true });

// GET /slow runs in an asynchronous invocation of this same function; the client is redirected
// to /_jobs/{jobId} until the result is there. Every other route answers directly.
const slow = longRunning(api, { bucket: ENV.BUCKET, keyPrefix: 'jobs/', waitMs: ENV.SLOW_WAIT_MS, firstPollMs: 1000, logger });

function route(event, context) {
  const isHttp = typeof event?.httpMethod === 'string' || event?.version === '2.0';
  const path = isHttp ? (event.rawPath ?? event.path) : undefined;
  // Anything but an HTTP request is the asynchronous invocation that runs a /slow job.
  if (!isHttp || path === '/slow' || path.startsWith('/_jobs/')) return slow(event, context);
  return api(event, context);
}

// Outermost first: an X-Ray subsegment per invocation, the request ids on every log line (and the
// invocation deadline for every retry inside), then responses over 6 MB moved to S3.
export const handler = traceHandler(injectRequestIds(overflow(route, { bucket: ENV.BUCKET, keyPrefix: 'overflow/' })));
