// Cold start on a large document: a generated OpenAPI 3.0 document with 1,000 operations (500
// paths × GET and POST) and 500 component schemas, about 4–5 MB of JSON. Each case runs in a fresh
// Node process (so memory is the document's, not a previous case's): openapi() construction time
// (wall and CPU), the heap and RSS it added, and the first request to one operation. `lazy` is the
// default (each operation compiled on first use); `eager` compiles all 1,000 at construction.
//
//   cd packages/openapi && npm run build && nice node bench/large-document.bench.mjs [runs] [--json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2).filter((a) => a !== '--json');
const runs = Number(args[0] ?? 3);
const OPERATIONS = 1000;

function generate() {
  const schemas = {};
  const paths = {};
  const words = 'the quick brown fox jumps over the lazy dog while the API documents every field it has'.split(' ');
  const text = (i, n) => Array.from({ length: n }, (_, k) => words[(i + k) % words.length]).join(' ');
  // Shared schemas many others refer to (an address, an amount of money, …), one of them recursive.
  for (let c = 0; c < 20; c++) {
    schemas[`Common${c}`] = { type: 'object', properties: { name: { type: 'string' }, amount: { type: 'number' }, parent: { $ref: `#/components/schemas/Common${c}` } } };
  }
  for (let i = 0; i < OPERATIONS / 2; i++) {
    const properties = {};
    for (let p = 0; p < 24; p++) {
      const kind = p % 6;
      properties[`field${p}`] =
        kind === 0 ? { type: 'string', maxLength: 200, description: text(i + p, 40), example: text(p, 3) }
        : kind === 1 ? { type: 'integer', format: 'int32', minimum: 0, description: text(i * p, 30) }
        : kind === 2 ? { type: 'string', enum: ['a', 'b', 'c', 'd'], description: text(p, 25) }
        : kind === 3 ? { nullable: true, allOf: [{ $ref: `#/components/schemas/Common${(i + p) % 20}` }], description: text(i, 20) }
        : kind === 4 ? { type: 'array', items: { type: 'string', format: 'date-time' }, description: text(p + 3, 30) }
        : { type: 'number', minimum: 0, exclusiveMinimum: true, description: text(i + 7, 35) };
    }
    schemas[`Thing${i}`] = { type: 'object', required: ['field0', 'field1'], description: text(i, 60), properties };
    paths[`/things${i}/{id}`] = {
      get: {
        operationId: `getThing${i}`,
        description: text(i, 80),
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 40 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } },
          { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object', properties: { state: { type: 'string' } } } },
        ],
        responses: { 200: { description: text(i, 20), content: { 'application/json': { schema: { $ref: `#/components/schemas/Thing${i}` } } } } },
      },
      post: {
        operationId: `putThing${i}`,
        description: text(i + 1, 80),
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/Thing${i}` } } } },
        responses: { 200: { description: text(i, 20) } },
      },
    };
  }
  return { openapi: '3.0.3', info: { title: 'large', version: '1' }, paths, components: { schemas } };
}

const dir = mkdtempSync(join(os.tmpdir(), 'openapi-large-'));
const file = join(dir, 'large.json');
const text = JSON.stringify(generate());
writeFileSync(file, text);

// The child: build the handler from the file, report construction and first-request figures.
const child = `
const [entry, file, compile] = process.argv.slice(-3);
const { openapi } = await import(entry);
const handlers = new Proxy({}, { get: () => () => ({ ok: true }), has: () => true, ownKeys: () => [], getOwnPropertyDescriptor: () => undefined });
globalThis.gc?.();
const heap0 = process.memoryUsage().heapUsed, rss0 = process.memoryUsage().rss, cpu0 = process.cpuUsage(), t0 = performance.now();
const api = openapi(file, { handlers, compile, logger: { debug() {}, info() {}, warn() {}, error: (...a) => console.error(...a) } });
const buildMs = performance.now() - t0, cpu1 = process.cpuUsage(cpu0);
globalThis.gc?.();
const heap1 = process.memoryUsage().heapUsed, rss1 = process.memoryUsage().rss;
const event = { httpMethod: 'POST', path: '/things7/x', headers: { 'content-type': 'application/json' }, multiValueHeaders: null, queryStringParameters: null, multiValueQueryStringParameters: null, body: JSON.stringify({ field0: 'a', field1: 1 }), isBase64Encoded: false, requestContext: {} };
const t1 = performance.now();
const result = await api(event, { awsRequestId: 'r' });
const firstMs = performance.now() - t1;
if (result.statusCode !== 200) throw new Error('first request answered ' + result.statusCode + ' ' + result.body);
console.log(JSON.stringify({ buildMs, buildCpuMs: (cpu1.user + cpu1.system) / 1000, heapMB: (heap1 - heap0) / 2 ** 20, rssMB: (rss1 - rss0) / 2 ** 20, firstMs }));
`;
const childFile = join(dir, 'child.mjs');
// The child lives in a temporary folder; it is told where this package's build is.
const entry = import.meta.resolve('@fleece/openapi');
writeFileSync(childFile, child);

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const report = { bench: 'openapi/large-document', node: process.version, operations: OPERATIONS, bytes: text.length, runs, cases: {} };
console.log(`node ${process.version}; a generated document of ${OPERATIONS} operations, ${(text.length / 2 ** 20).toFixed(1)} MiB of JSON; medians of ${runs} fresh processes; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
console.log('| compile | openapi() wall | openapi() CPU | heap added | RSS added | first request |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const mode of ['lazy', 'eager']) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, ['--expose-gc', childFile, entry, file, mode], { encoding: 'utf8' });
    samples.push(JSON.parse(out.trim().split('\n').at(-1)));
  }
  const pick = (key) => median(samples.map((s) => s[key]));
  report.cases[mode] = Object.fromEntries(['buildMs', 'buildCpuMs', 'heapMB', 'rssMB', 'firstMs'].map((k) => [k, pick(k)]));
  const c = report.cases[mode];
  console.log(`| ${mode} | ${c.buildMs.toFixed(0)} ms | ${c.buildCpuMs.toFixed(0)} ms | ${c.heapMB.toFixed(1)} MB | ${c.rssMB.toFixed(1)} MB | ${c.firstMs.toFixed(1)} ms |`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(report));
