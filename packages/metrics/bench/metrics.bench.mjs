// @fleece/metrics beside Powertools Metrics and aws-embedded-metrics, in one run:
//   cold start — each handler bundled and minified with esbuild (CommonJS, node22, as CDK does),
//                loaded in fresh processes: bundle bytes, load + first flush (wall and CPU ms);
//   throughput — invocations per second (3 metrics, a dimension, one flush each), in a fresh
//                process per (library, round), wall and CPU time.
// Every process writes its EMF lines to a pipe that is drained and dropped, as Lambda's stdout is.
// Rounds are interleaved, ratios are to Powertools Metrics, medians over rounds.
//
//   npx nx run @fleece/metrics:build && node packages/metrics/bench/metrics.bench.mjs [rounds] [invocations] [--json]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT, HANDLERS } from './handlers.mjs';

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 15);
const invocations = Number(args[1] ?? 20000);
const here = dirname(fileURLToPath(import.meta.url));
const REFERENCE = '@aws-lambda-powertools/metrics';

const out = mkdtempSync(join(tmpdir(), 'fleece-metrics-bench-'));
const bundles = {};
for (const [name, contents] of Object.entries(HANDLERS)) {
  const outfile = join(out, `${Object.keys(bundles).length}.cjs`);
  await build({ stdin: { contents, resolveDir: here, loader: 'js' }, bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', outfile, logLevel: 'error' });
  bundles[name] = { outfile, bytes: statSync(outfile).size, cold: [], coldCpu: [], rate: [], cpuPerCall: [] };
}

// Timed inside the process, so Node's own boot (the same for all) is left out.
const probe = `
  const event = ${JSON.stringify(EVENT)};
  const n = Number(process.argv[2]);
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const { handler } = require(process.argv[1]);
  const context = (i) => ({ awsRequestId: 'req-' + i, functionName: 'bench', getRemainingTimeInMillis: () => 30000 });
  (async () => {
    await handler(event, context(0));
    const cold = Number(process.hrtime.bigint() - start) / 1e6;
    const coldCpu = cpuMs(process.cpuUsage(cpu0));
    const cpu1 = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    for (let i = 1; i <= n; i++) await handler(event, context(i));
    const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
    process.stderr.write(JSON.stringify({ cold, coldCpu, rate: n / seconds, cpuPerCall: (cpuMs(process.cpuUsage(cpu1)) * 1000) / n }));
  })();
  function cpuMs(usage) { return (usage.user + usage.system) / 1000; }`;

const env = { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'bench', AWS_REGION: 'us-east-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', LAMBDA_TASK_ROOT: out };
const loads = [];
for (let round = 0; round < rounds; round++) {
  loads.push(loadavg()[0]);
  for (const bundle of Object.values(bundles)) {
    const child = spawnSync(process.execPath, ['-e', probe, bundle.outfile, String(invocations)], { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
    if (child.status !== 0) throw new Error(`${bundle.outfile} failed: ${child.stderr}`);
    const figures = JSON.parse(child.stderr.toString());
    for (const key of ['cold', 'coldCpu', 'rate', 'cpuPerCall']) bundle[key].push(figures[key]);
  }
}
rmSync(out, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ref = bundles[REFERENCE];
const report = { bench: 'metrics', node: process.version, rounds, invocations, reference: REFERENCE, maxLoad: Math.max(...loads), cores: cpus().length, handlers: {} };
console.log(`node ${process.version}, ${rounds} interleaved rounds, ${invocations} invocations a process; ratios to ${REFERENCE}`);
if (report.maxLoad > report.cores) console.log(`warning: load average reached ${report.maxLoad.toFixed(1)} on ${report.cores} cores during the run`);
console.log('| library | bundle bytes | × | load + 1st flush ms | × | CPU ms | × | invocations/s | × | CPU µs/invocation | × |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, b] of Object.entries(bundles)) {
  const row = {
    bytes: b.bytes,
    coldMs: median(b.cold),
    coldCpuMs: median(b.coldCpu),
    perSecond: median(b.rate),
    cpuUsPerInvocation: median(b.cpuPerCall),
  };
  const ratio = {
    bytes: b.bytes / ref.bytes,
    coldMs: row.coldMs / median(ref.cold),
    coldCpuMs: row.coldCpuMs / median(ref.coldCpu),
    perSecond: row.perSecond / median(ref.rate),
    cpuUsPerInvocation: row.cpuUsPerInvocation / median(ref.cpuPerCall),
  };
  report.handlers[name] = { ...row, ratio };
  const f = (v, d = 2) => v.toFixed(d);
  console.log(
    `| ${name} | ${row.bytes} | ${f(ratio.bytes)} | ${f(row.coldMs)} | ${f(ratio.coldMs)} | ${f(row.coldCpuMs)} | ${f(ratio.coldCpuMs)} | ${f(row.perSecond, 0)} | ${f(ratio.perSecond)} | ${f(row.cpuUsPerInvocation)} | ${f(ratio.cpuUsPerInvocation)} |`,
  );
}
if (json) console.log(JSON.stringify(report));
