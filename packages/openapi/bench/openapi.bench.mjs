// Per-request overhead of @fleece/openapi (route by the document, validate and coerce parameters
// and the body, format the response) against the hand-written floor: a regex route, the same
// schemas compiled once with ajv (the validator this package uses), JSON.stringify. No OpenAPI
// router is installed as a peer (Powertools event-handler and @middy/http-router are not
// dependencies of this workspace), so the floor stands in for one. Rounds interleave the cases
// (order rotating); medians of the mean time per request, and the ratio to the floor taken within
// each round, then the median. Also: the time openapi() takes to build its handler (cold start).
//
//   cd packages/openapi && npm run build && node bench/openapi.bench.mjs [rounds] [ms-per-case-per-round] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
import { openapi } from '@fleece/openapi';
import { Ajv } from 'ajv';
import os from 'node:os';

const args = process.argv.slice(2).filter((a) => a !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 21);
const targetMs = Number(args[1] ?? 40);

const orderSchema = {
  type: 'object',
  required: ['customer', 'items'],
  additionalProperties: false,
  properties: {
    customer: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 }, tier: { type: 'string', enum: ['gold', 'silver', 'bronze'] } } },
    items: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, price: { type: 'number' } } },
    },
    express: { type: 'boolean' },
  },
};
const limitSchema = { type: 'integer', minimum: 1, maximum: 100, default: 10 };
const spec = {
  openapi: '3.0.3',
  info: { title: 'bench', version: '1.0' },
  paths: {
    '/items/{id}': {
      get: {
        operationId: 'getItem',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 40 } },
          { name: 'limit', in: 'query', schema: limitSchema },
        ],
        responses: { 200: { description: 'an item' } },
      },
    },
    '/orders': {
      post: {
        operationId: 'createOrder',
        requestBody: { required: true, content: { 'application/json': { schema: orderSchema } } },
        responses: { 200: { description: 'the order' } },
      },
    },
  },
};

const buildStart = process.hrtime.bigint();
const fleece = openapi(spec, {
  handlers: {
    getItem: ({ params }) => ({ id: params.path.id, limit: params.query.limit }),
    createOrder: ({ body }) => ({ accepted: true, lines: body.items.length }),
  },
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});
const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;

// The floor: what a careful hand-written handler does for the same two operations.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: 'array' });
const exact = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: false });
const validateQuery = ajv.compile({ type: 'object', properties: { limit: limitSchema } });
const validatePath = ajv.compile({ type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 40 } } });
const validateOrder = exact.compile(orderSchema);
const jsonHeaders = { 'content-type': 'application/json' };
const bad = (statusCode, message) => ({ statusCode, headers: jsonHeaders, body: JSON.stringify({ message }) });
const itemRoute = /^\/items\/([^/]+)$/;
const handwritten = async (event) => {
  const item = itemRoute.exec(event.path);
  if (item && event.httpMethod === 'GET') {
    const path = { id: decodeURIComponent(item[1]) };
    const query = { ...event.queryStringParameters };
    if (!validatePath(path) || !validateQuery(query)) return bad(400, 'request validation failed');
    return { statusCode: 200, headers: jsonHeaders, body: JSON.stringify({ id: path.id, limit: query.limit }) };
  }
  if (event.path === '/orders' && event.httpMethod === 'POST') {
    if (!/^application\/json\b/i.test(event.headers?.['content-type'] ?? '')) return bad(415, 'unsupported media type');
    let body;
    try {
      body = JSON.parse(event.body);
    } catch {
      return bad(400, 'invalid JSON');
    }
    if (!validateOrder(body)) return bad(400, 'request validation failed');
    return { statusCode: 200, headers: jsonHeaders, body: JSON.stringify({ accepted: true, lines: body.items.length }) };
  }
  return bad(404, 'no route');
};

const v1 = (method, path, { query, body } = {}) => ({
  resource: path,
  path,
  httpMethod: method,
  headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
  multiValueHeaders: { accept: ['application/json'], ...(body ? { 'content-type': ['application/json'] } : {}) },
  queryStringParameters: query ?? null,
  multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
  pathParameters: null,
  stageVariables: null,
  requestContext: { requestId: 'api-1', stage: 'prod', path: `/prod${path}`, httpMethod: method, identity: { sourceIp: '127.0.0.1' } },
  body: body ? JSON.stringify(body) : null,
  isBase64Encoded: false,
});
const context = { awsRequestId: 'r', functionName: 'bench', getRemainingTimeInMillis: () => 30_000 };
const events = {
  'GET /items/{id}?limit=5 (path + query)': v1('GET', '/items/o-8f14e45f', { query: { limit: '5' } }),
  'POST /orders (JSON body, 2 items)': v1('POST', '/orders', {
    body: { customer: { id: 'c-1234', tier: 'gold' }, items: [{ sku: 'sku-1', quantity: 2, price: 9.99 }, { sku: 'sku-2', quantity: 1, price: 24.5 }], express: true },
  }),
};

// Both must give the same answers, or the comparison means nothing.
for (const [name, event] of Object.entries(events)) {
  const [a, b] = [await fleece(event, context), await handwritten(event, context)];
  if (a.statusCode !== 200 || b.statusCode !== 200 || JSON.parse(a.body).limit !== JSON.parse(b.body).limit) {
    throw new Error(`${name}: the two handlers disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
}

const FLOOR = 'hand-written (regex route + ajv)';
const implementations = { '@fleece/openapi': fleece, [FLOOR]: handwritten };

async function timeCalls(fn, event, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(event, context);
  return Number(process.hrtime.bigint() - start) / n;
}

const calls = {};
for (const [scenario, event] of Object.entries(events)) {
  for (const [name, fn] of Object.entries(implementations)) {
    // Warm up (JIT) for about a round's time, then size the batch from a steady measurement.
    for (const until = performance.now() + targetMs; performance.now() < until; ) await timeCalls(fn, event, 16);
    let n = 16;
    let ns = await timeCalls(fn, event, n);
    while (n * ns < targetMs * 1e5) ns = await timeCalls(fn, event, (n *= 2));
    calls[`${scenario}/${name}`] = Math.max(20, Math.round((targetMs * 1e6) / ns));
  }
}

const samples = Object.fromEntries(Object.keys(events).map((s) => [s, Object.fromEntries(Object.keys(implementations).map((n) => [n, []]))]));
for (let round = 0; round < rounds; round++) {
  for (const [scenario, event] of Object.entries(events)) {
    const names = Object.keys(implementations);
    const order = round % 2 ? names.slice().reverse() : names;
    for (const name of order) samples[scenario][name].push(await timeCalls(implementations[name], event, calls[`${scenario}/${name}`]));
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`);

const report = { bench: 'openapi/openapi', node: process.version, rounds, targetMs, floor: FLOOR, buildMs, scenarios: {} };
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${rounds} rounds, about ${targetMs} ms per case per round; medians`);
console.log('| request | @fleece/openapi | hand-written (regex route + ajv) | ratio (same round) |');
console.log('|---|---:|---:|---:|');
for (const [scenario, group] of Object.entries(samples)) {
  const ours = median(group['@fleece/openapi']);
  const floor = median(group[FLOOR]);
  const ratio = median(group['@fleece/openapi'].map((v, r) => v / group[FLOOR][r]));
  report.scenarios[scenario] = { oursNs: ours, floorNs: floor, ratio };
  console.log(`| ${scenario} | ${fmt(ours)} | ${fmt(floor)} | ${ratio.toFixed(2)} |`);
}
console.log(`\nopenapi() built the handler (document read and checked; schemas compile on each operation's first request) in ${buildMs.toFixed(1)} ms, once per container.`);
if (json) console.log(JSON.stringify(report));
