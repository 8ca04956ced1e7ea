// @fleece/cfn-handler against the hand-written handler most custom resources use (the shape of AWS's
// `cfn-response` module: try the work, PUT the JSON with node:https, no retry, no size rules), both
// answering a Create with a small Data map to the same local ResponseURL server.
//
// 1. Cold start: each handler bundled and minified with esbuild as a deploy would (CommonJS, node20,
//    the AWS SDK external as the Lambda runtime provides it), loaded in fresh Node processes:
//    bundle bytes, median load time (Init) and median load + first Create answered.
// 2. Warm: both handlers in this process, interleaved rounds of sequential Creates; median time per
//    invocation (work + PUT + answer) and the ratio to the hand-written handler.
//
//   cd packages/cfn-handler && npm run build && node bench/handler.mjs [processes] [rounds] [invocations]
import { CustomResource } from '@fleece/cfn-handler';
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const processes = Number(process.argv[2] ?? 21);
const rounds = Number(process.argv[3] ?? 9);
const invocations = Number(process.argv[4] ?? 300);
const here = dirname(fileURLToPath(import.meta.url));

// The local ResponseURL: reads the body, answers 200 (what S3 does with a presigned PUT).
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const work = async (event) => ({ Value: String(Number(event.ResourceProperties.Size) * 2) });

const rawSource = `
  import http from 'node:http';
  import https from 'node:https';
  const work = ${work.toString()};
  export const handler = (event, context) => answer(event, context, false);
  export const handlerFresh = (event, context) => answer(event, context, true);
  const answer = async (event, context, FRESH) => {
    let status = 'SUCCESS', data, reason;
    try { data = await work(event); } catch (error) { status = 'FAILED'; reason = String(error && error.message); }
    const body = JSON.stringify({ Status: status, Reason: reason ?? 'See the details in CloudWatch Log Stream: ' + context.logStreamName,
      PhysicalResourceId: context.logStreamName, StackId: event.StackId, RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId, NoEcho: false, Data: data });
    const url = new URL(event.ResponseURL);
    await new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url,
        { method: 'PUT', agent: FRESH ? false : undefined, headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
        (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', reject);
      req.end(body);
    });
  };`;
const fleeceSource = `
  import { CustomResource } from '@fleece/cfn-handler';
  const work = ${work.toString()};
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const resource = new CustomResource({ logger: silent }).create(async (event) => ({ data: await work(event) }));
  export const handler = resource.handler;`;

const event = (i) => ({
  RequestType: 'Create',
  ResponseURL: `${origin}/resp-${i}?X-Amz-Signature=abc`,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/bench/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab',
  RequestId: `req-${i}`,
  LogicalResourceId: 'Thing',
  ResourceType: 'Custom::Thing',
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench', Size: '21' },
});
const context = () => {
  const end = Date.now() + 60_000;
  return {
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    functionName: 'bench',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    logStreamName: '2030/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => end - Date.now(),
  };
};

// --- 1. Cold start -------------------------------------------------------------------------------
const out = mkdtempSync(join(tmpdir(), 'fleece-cfn-cold-'));
const bundles = {};
for (const [name, contents] of Object.entries({ 'hand-written (cfn-response style)': rawSource, '@fleece/cfn-handler': fleeceSource })) {
  const outfile = join(out, `${Object.keys(bundles).length}.cjs`);
  await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    outfile,
    logLevel: 'error',
  });
  bundles[name] = { outfile, bytes: statSync(outfile).size, load: [], first: [] };
}

const probe = `
  const start = process.hrtime.bigint();
  const { handler } = require(process.argv[1]);
  const loaded = process.hrtime.bigint();
  const event = JSON.parse(process.argv[2]);
  const end = Date.now() + 60000;
  const context = { awsRequestId: 'r', functionName: 'bench', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    logStreamName: 'stream', getRemainingTimeInMillis: () => end - Date.now() };
  handler(event, context).then(() => {
    const first = process.hrtime.bigint();
    process.stdout.write(JSON.stringify({ load: Number(loaded - start) / 1e6, first: Number(first - start) / 1e6 }));
  });`;

// execFileSync blocks this event loop, so the cold-start PUTs go to a server in its own process.
const serverProcessSource = `
  const http = require('node:http');
  const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end()); });
  s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;
const serverChild = spawn(process.execPath, ['-e', serverProcessSource], { stdio: ['ignore', 'pipe', 'ignore'] });
const childPort = await new Promise((resolve) => serverChild.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))));

try {
for (let run = 0; run < processes; run++) {
  for (const bundle of Object.values(bundles)) {
    const coldEvent = { ...event(run), ResponseURL: `http://127.0.0.1:${childPort}/cold-${run}?X-Amz-Signature=abc` };
    const stdout = execFileSync(process.execPath, ['-e', probe, bundle.outfile, JSON.stringify(coldEvent)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }).toString();
    const { load, first } = JSON.parse(stdout);
    bundle.load.push(load);
    bundle.first.push(first);
  }
}
} finally {
  serverChild.kill();
}
rmSync(out, { recursive: true, force: true });

// --- 2. Warm -------------------------------------------------------------------------------------
const rawDir = mkdtempSync(join(tmpdir(), 'fleece-cfn-raw-'));
const rawModule = join(rawDir, 'raw.mjs');
writeFileSync(rawModule, rawSource);
const { handler: raw, handlerFresh: rawFresh } = await import(rawModule);
const fleece = new CustomResource({ logger: silent }).create(async (e) => ({ data: await work(e) })).handler;

// Sanity: both answered what they should (one body each).
let checked = 0;
const check = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const parsed = JSON.parse(body);
    if (parsed.Status !== 'SUCCESS' || parsed.Data.Value !== '42') throw new Error(`unexpected response ${body}`);
    if (req.headers['content-type'] !== '') throw new Error('content type not empty');
    checked++;
    res.end();
  });
});
await new Promise((resolve) => check.listen(0, '127.0.0.1', resolve));
for (const h of [raw, fleece]) await h({ ...event(0), ResponseURL: `http://127.0.0.1:${check.address().port}/x?sig=1` }, context());
check.close();
if (checked !== 2) throw new Error('sanity check failed');

// The hand-written handler reuses a keep-alive connection (Node's global agent); @fleece/cfn-handler
// opens a fresh one per answer on purpose (see src/response-put.ts), so the middle line isolates
// the cost of the connection from the cost of the library.
const warm = {
  'hand-written (cfn-response style)': { fn: raw, perCall: [] },
  'hand-written, fresh connection': { fn: rawFresh, perCall: [] },
  '@fleece/cfn-handler': { fn: fleece, perCall: [] },
};
for (let round = 0; round < rounds; round++) {
  for (const entry of Object.values(warm)) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < invocations; i++) await entry.fn(event(i), context());
    entry.perCall.push(Number(process.hrtime.bigint() - start) / 1e3 / invocations);
  }
}
server.closeAllConnections();
server.close();
rmSync(rawDir, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const base = 'hand-written (cfn-response style)';
console.log(`Node ${process.version}, ${processes} cold processes, ${rounds} warm rounds x ${invocations} Creates`);
console.log('\nCold start (esbuild --bundle --minify, CJS, node20, @aws-sdk/* external)');
console.log('handler                              bundle      load (ms)  load+first Create (ms)');
for (const [name, b] of Object.entries(bundles)) {
  console.log(
    `${name.padEnd(36)} ${`${(b.bytes / 1024).toFixed(1)} KB`.padStart(9)}  ${median(b.load).toFixed(2).padStart(9)}  ${median(b.first).toFixed(2).padStart(10)}  (x${(median(b.first) / median(bundles[base].first)).toFixed(2)})`,
  );
}
console.log('\nWarm (median per invocation, work + PUT + answer)');
for (const [name, w] of Object.entries(warm)) {
  console.log(`${name.padEnd(36)} ${median(w.perCall).toFixed(1).padStart(8)} µs  (x${(median(w.perCall) / median(warm[base].perCall)).toFixed(2)})`);
}
