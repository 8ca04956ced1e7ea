// Cost of one traced call: @fleece/xray vs Powertools Tracer vs no tracing, in one run.
//
//   cd packages/xray && npm run build && node bench/overhead.mjs [rounds=7] [calls=20000]
//
// Each (case, round) runs in a fresh Node process with a Lambda-like environment (LAMBDA_TASK_ROOT,
// a sampled _X_AMZN_TRACE_ID, AWS_XRAY_DAEMON_ADDRESS pointing at a UDP sink in this process), the
// calls made inside one invocation of the tracer's handler wrapper,
// because loading Powertools' aws-xray-sdk-core entry point turns on cls-hooked's async hooks for
// the whole process, which would tax every other case run after it. Rounds interleave the cases;
// the table shows medians over rounds of the mean ns per call, and ratios to the untraced call.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);

const CASES = {
  untraced: 'plain async function, no tracing library loaded',
  'untraced-with-powertools': 'plain async function, Powertools Tracer loaded (async hooks on)',
  'fleece-skipArgs': '@fleece/xray traceSubsegment, skipArgs',
  'fleece-args': '@fleece/xray traceSubsegment, default (args recorded)',
  powertools: 'Powertools tracer.captureMethod, captureResponse off',
  'fleece-unsampled': '@fleece/xray traceSubsegment, Sampled=0',
  'powertools-unsampled': 'Powertools tracer.captureMethod, Sampled=0',
};

// The loop runs inside one invocation of a traced handler, as traced code does in Lambda: the
// handler wrapper has loaded the tracer and pinned the invocation's trace before the first call.
async function worker(kind, calls) {
  const body = async (order) => ({ order, ok: true });
  const order = { id: 'o-1', items: [1, 2, 3] };
  let fn = body;
  let wrapHandler = (handler) => handler;
  if (kind.startsWith('fleece')) {
    const { traceHandler, traceSubsegment } = await import('@fleece/xray');
    fn = traceSubsegment(body, { name: 'body', skipArgs: kind !== 'fleece-args' });
    wrapHandler = (handler) => traceHandler(handler);
  } else if (kind.startsWith('powertools') || kind === 'untraced-with-powertools') {
    const { Tracer } = await import('@aws-lambda-powertools/tracer');
    const tracer = new Tracer({ serviceName: 'bench', captureHTTPsRequests: false });
    if (kind !== 'untraced-with-powertools') {
      const method = { value: body };
      tracer.captureMethod({ subSegmentName: 'body', captureResponse: false })({}, 'body', method);
      fn = method.value;
      wrapHandler = (handler) => {
        const descriptor = { value: handler };
        tracer.captureLambdaHandler({ captureResponse: false })({}, 'handler', descriptor);
        return descriptor.value;
      };
    }
  }
  const handler = wrapHandler(async () => {
    // Warm up: JIT, socket creation.
    for (let i = 0; i < 2000; i++) await fn(order);
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await fn(order);
    return Number(process.hrtime.bigint() - start);
  });
  const elapsed = await handler({}, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900_000 });
  process.stdout.write(JSON.stringify({ nsPerCall: elapsed / calls }));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  const rounds = Number(process.argv[2] ?? 7);
  const calls = Number(process.argv[3] ?? 20000);
  const sink = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  let received = 0;
  sink.on('message', () => received++);
  await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${sink.address().port}`;
  const results = Object.fromEntries(Object.keys(CASES).map((kind) => [kind, []]));
  const documents = Object.fromEntries(Object.keys(CASES).map((kind) => [kind, 0]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of Object.keys(CASES)) {
      const sampled = kind.endsWith('unsampled') ? 0 : 1;
      const before = received;
      const { stdout } = await run(process.execPath, [self, '--worker', kind, String(calls)], {
        env: {
          PATH: process.env.PATH ?? '',
          LAMBDA_TASK_ROOT: '/var/task',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
          AWS_LAMBDA_FUNCTION_NAME: 'bench',
          AWS_XRAY_DAEMON_ADDRESS: address,
          AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
          _HANDLER: 'index.handler',
          _X_AMZN_TRACE_ID: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=${sampled}`,
        },
        maxBuffer: 1 << 20,
      });
      results[kind].push(JSON.parse(stdout).nsPerCall);
      // Let the sink drain what the worker sent before counting.
      await new Promise((resolve) => setTimeout(resolve, 100));
      documents[kind] += received - before;
    }
  }
  sink.close();
  const base = median(results.untraced);
  console.log(`node ${process.version}, ${rounds} rounds x ${calls} calls per case, medians of per-round means\n`);
  console.log('| case | ns per call | vs untraced | documents received per call |');
  console.log('|---|---:|---:|---:|');
  for (const [kind, label] of Object.entries(CASES)) {
    const m = median(results[kind]);
    // Two thousand warm-up calls and the handler's own subsegment were sent too.
    const perCall = documents[kind] / (rounds * (calls + 2001));
    console.log(`| ${label} | ${m.toFixed(0)} | ${(m / base).toFixed(2)}× | ${perCall.toFixed(2)} |`);
  }
  const fleece = median(results['fleece-skipArgs']);
  const powertools = median(results.powertools);
  console.log(`\nPowertools / @fleece/xray per traced call (same work): ${(powertools / fleece).toFixed(2)}×`);
  console.log(
    `Tracing cost over the untraced call: @fleece/xray ${(fleece - base).toFixed(0)} ns, Powertools ${(powertools - base).toFixed(0)} ns`,
  );
}

if (process.argv[2] === '--worker') await worker(process.argv[3], Number(process.argv[4]));
else await main();
