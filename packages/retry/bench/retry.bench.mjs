// Overhead per call of the retry kernel: @fleece/retry against p-retry 7, in one process, rounds
// interleaved (order rotating), for a call that succeeds at once and one that fails twice then
// succeeds with zero delay between attempts. Medians over rounds of the mean time per call, and
// the ratio of ours to p-retry taken within each round (a burst of load from elsewhere hits both
// sides of it), then the median.
//
//   cd packages/retry && npm run build && node bench/retry.bench.mjs [rounds] [ms-per-case-per-round] [--json]
//
// With --json, the last line of the output is one JSON object with every figure.
import { retry, RetryPolicy, withDeadline } from '@fleece/retry';
import os from 'node:os';
import pRetry from 'p-retry';

const args = process.argv.slice(2).filter((a) => a !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 21);
const targetMs = Number(args[1] ?? 40);

const value = { ok: true };
const succeed = async () => value;
// Fails on the first two attempts of each call; a fresh Error each time, as a real failure is.
const failTwice = async (attempt) => {
  if (attempt < 3) throw new Error('flaky');
  return value;
};

// Zero delay on both sides: ours with base = cap = 0, p-retry with minTimeout 0.
const policy = new RetryPolicy({ retries: 3, base: 0, cap: 0 });
const pOptions = { retries: 3, minTimeout: 0 };
const deadline = () => 60_000;

const cases = {
  success: {
    'direct call, no retry': () => succeed(1),
    '@fleece/retry (RetryPolicy)': () => retry(succeed, policy),
    '@fleece/retry (options object)': () => retry(succeed, { retries: 3, base: 0, cap: 0 }),
    '@fleece/retry (RetryPolicy, in withDeadline)': () => withDeadline(deadline, () => retry(succeed, policy)),
    'p-retry': () => pRetry(succeed, pOptions),
  },
  failTwice: {
    '@fleece/retry (RetryPolicy)': () => retry(failTwice, policy),
    'p-retry': () => pRetry(failTwice, pOptions),
  },
};
const OURS = '@fleece/retry (RetryPolicy)';
const PEER = 'p-retry';

async function timeCalls(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - start) / n;
}

// Warm-up (JIT), and a call count per case that takes about `targetMs` per round.
const calls = {};
for (const [scenario, group] of Object.entries(cases)) {
  for (const [name, fn] of Object.entries(group)) {
    // Warm up (JIT) for about a round's time, then double the count until a batch takes a tenth
    // of the target, so one slow call cannot skew the count.
    for (const until = performance.now() + targetMs; performance.now() < until; ) await timeCalls(fn, 16);
    let n = 16;
    let ns = await timeCalls(fn, n);
    while (n * ns < targetMs * 1e5) ns = await timeCalls(fn, (n *= 2));
    calls[`${scenario}/${name}`] = Math.max(20, Math.round((targetMs * 1e6) / ns));
  }
}

const samples = {};
for (const scenario of Object.keys(cases)) samples[scenario] = Object.fromEntries(Object.keys(cases[scenario]).map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  for (const [scenario, group] of Object.entries(cases)) {
    const names = Object.keys(group);
    const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
    for (const name of order) samples[scenario][name].push(await timeCalls(group[name], calls[`${scenario}/${name}`]));
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

const report = { bench: 'retry/retry', node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, rounds, targetMs, scenarios: {} };
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${rounds} rounds, about ${targetMs} ms per case per round; medians`);
for (const [scenario, group] of Object.entries(samples)) {
  const title = scenario === 'success' ? 'succeeds at once' : 'fails twice, then succeeds (0 ms delays)';
  console.log(`\n${title}`);
  console.log('| case | time per call | ratio to p-retry (same round) |');
  console.log('|---|---:|---:|');
  report.scenarios[scenario] = { cases: {} };
  for (const [name, values] of Object.entries(group)) {
    const ns = median(values);
    const ratio = median(values.map((v, r) => v / group[PEER][r]));
    report.scenarios[scenario].cases[name] = { nsPerCall: ns, ratioToPeer: ratio, calls: calls[`${scenario}/${name}`] };
    console.log(`| ${name} | ${fmt(ns)} | ${ratio.toFixed(2)} |`);
  }
  report.scenarios[scenario].ours = OURS;
  report.scenarios[scenario].peer = PEER;
  report.scenarios[scenario].ratio = report.scenarios[scenario].cases[OURS].ratioToPeer;
}
console.log('\n(ratio < 1: @fleece/retry takes less time per call than p-retry)');
if (json) console.log(JSON.stringify(report));
