// The OpenTelemetry backend side by side with its peers, in one run:
//   cold start: @fleece/xray on OpenTelemetry vs the same handler hand-wired on the OpenTelemetry
//               SDK vs Powertools Tracer (X-Ray SDK), all bundled by esbuild, minified, ESM;
//   per call:   traceSubsegment on the otel backend vs on the xray-sdk backend.
//
//   cd packages/xray && npm run build && nice node bench/otel.mjs [rounds=9] [calls=5000]
//
// Every measurement is a fresh Node process in a Lambda-like environment with a sampled trace,
// exporting to a local OTLP/HTTP receiver (@fleece/testing) or a UDP sink in this process. Cases
// interleave within a round; tables show medians over rounds, wall time and CPU time.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { startOtlpReceiver } from '@fleece/testing';
import { build } from 'esbuild';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
const COLD = {
  'fleece-otel': { fixture: 'fleece', label: '@fleece/xray, otel backend', env: { FLEECE_TRACING: 'otel' } },
  'otel-sdk': { fixture: 'otel-sdk', label: 'OpenTelemetry SDK wired by hand', env: {} },
  powertools: { fixture: 'powertools', label: 'Powertools Tracer (X-Ray SDK)', env: {} },
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const PROBE = `
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const m = await import(process.env.BUNDLE_URL);
  await m.handler({ id: 'x' }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 });
  const t1 = performance.now(); const c1 = process.cpuUsage(c0);
  console.log(JSON.stringify({ wallMs: t1 - t0, cpuMs: (c1.user + c1.system) / 1000 }));
  process.exit(0);
`;

const PER_CALL = `
  const { traceHandler, traceSubsegment } = await import('@fleece/xray');
  const calls = Number(process.env.CALLS);
  const body = async (order) => ({ order, ok: true });
  const fn = traceSubsegment(body, { name: 'body', skipArgs: true });
  const order = { id: 'o-1' };
  let result;
  await traceHandler(async () => {
    for (let i = 0; i < 500; i++) await fn(order); // warm-up: the backend is loaded, the JIT warm
    const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await fn(order);
    const ns = Number(process.hrtime.bigint() - t0); const c = process.cpuUsage(c0);
    result = { nsPerCall: ns / calls, cpuNsPerCall: ((c.user + c.system) * 1000) / calls };
  })({}, { awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 });
  console.log(JSON.stringify(result));
  process.exit(0);
`;

function environment(extra, otlp, daemon, dir) {
  return {
    PATH: process.env.PATH ?? '',
    LAMBDA_TASK_ROOT: dir,
    _HANDLER: 'index.handler',
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    _X_AMZN_TRACE_ID: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${'a'.repeat(24)};Parent=53995c3f42cd8ad8;Sampled=1`,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    AWS_XRAY_DAEMON_ADDRESS: daemon,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    POWERTOOLS_TRACE_ENABLED: 'true',
    ...extra,
  };
}

async function bundle(dir, fixture) {
  const outfile = join(dir, `${fixture}.mjs`);
  await build({
    entryPoints: [join(here, 'fixtures', `${fixture}-handler.mjs`)],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    logLevel: 'error',
    banner: { js: BANNER },
  });
  const bytes = readFileSync(outfile);
  return { outfile, bytes: bytes.length, gzip: gzipSync(bytes).length };
}

async function main() {
  const rounds = Number(process.argv[2] ?? 9);
  const calls = Number(process.argv[3] ?? 5000);
  const dir = mkdtempSync(join(tmpdir(), 'fleece-otel-bench-'));
  const receiver = await startOtlpReceiver();
  const sink = createSocket('udp4');
  sink.on('message', () => undefined);
  await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve));
  const daemon = `127.0.0.1:${sink.address().port}`;
  try {
    const cold = {};
    for (const [name, c] of Object.entries(COLD)) cold[name] = { ...c, ...(await bundle(dir, c.fixture)), runs: [] };
    const perCall = { otel: [], 'xray-sdk': [] };
    for (let round = 0; round < rounds; round++) {
      for (const [name, c] of Object.entries(cold)) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], {
          cwd: dir,
          env: { ...environment(c.env, receiver.endpoint, daemon, dir), BUNDLE_URL: pathToFileURL(c.outfile).href },
        });
        c.runs.push(JSON.parse(stdout.trim().split('\n').pop()));
      }
      for (const backend of Object.keys(perCall)) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PER_CALL], {
          cwd: here,
          env: { ...environment({ FLEECE_TRACING: backend }, receiver.endpoint, daemon, dir), CALLS: String(calls) },
        });
        perCall[backend].push(JSON.parse(stdout.trim().split('\n').pop()));
      }
    }
    const powertools = median(cold.powertools.runs.map((r) => r.wallMs));
    const sdk = median(cold['otel-sdk'].runs.map((r) => r.wallMs));
    console.log(`\nCold start: import + first invocation (flush included), ESM bundle, median of ${rounds} processes`);
    console.log('| handler | bundle bytes (gzip) | wall ms | CPU ms | vs hand-wired SDK | vs Powertools |');
    console.log('|---|---|---|---|---|---|');
    for (const c of Object.values(cold)) {
      const wall = median(c.runs.map((r) => r.wallMs));
      const cpu = median(c.runs.map((r) => r.cpuMs));
      console.log(`| ${c.label} | ${c.bytes} (${c.gzip}) | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(wall / sdk).toFixed(2)}x | ${(wall / powertools).toFixed(2)}x |`);
    }
    const xray = median(perCall['xray-sdk'].map((r) => r.nsPerCall));
    console.log(`\nPer traced call (traceSubsegment, skipArgs, ${calls} calls in one invocation), median of ${rounds} processes`);
    console.log('| backend | ns per call | CPU ns per call | vs xray-sdk |');
    console.log('|---|---|---|---|');
    for (const [backend, runs] of Object.entries(perCall)) {
      const ns = median(runs.map((r) => r.nsPerCall));
      console.log(`| ${backend} | ${ns.toFixed(0)} | ${median(runs.map((r) => r.cpuNsPerCall)).toFixed(0)} | ${(ns / xray).toFixed(2)}x |`);
    }
    console.log(`\n(${receiver.spans().length} spans reached the OTLP receiver)`);
  } finally {
    sink.close();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
