// Requests per second, and client CPU per request, through @fleece/http against raw got, one local
// node:http server in a child process (so the CPU measured is the client's alone). Many short rounds,
// the order rotating each round; each case's ratio to a baseline is taken within a round (a burst of
// load from elsewhere on a shared machine hits both sides of it), and the medians are reported.
// Two baselines: got as most code calls it (no timeouts at all), and got doing what @fleece/http asks
// of it (the default connect/read timers, retry off). The gap between them is the price of having
// timeouts; the gap to the second one is the price of the wrapper.
//
//   cd packages/http && npm run build && node bench/throughput.mjs [rounds] [requests] [concurrency] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
import { createSession, get, useHooks } from '@fleece/http';
import { RetryPolicy, withDeadline } from '@fleece/retry';
import got from 'got';
import { spawn } from 'node:child_process';
import os from 'node:os';

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 61);
const requests = Number(args[1] ?? 300);
const concurrency = Number(args[2] ?? 8);

const server = spawn(
  process.execPath,
  [
    '-e',
    `
    const body = JSON.stringify({ ok: true, items: [1, 2, 3] });
    const server = require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();
    `,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const port = await new Promise((resolve) => server.stdout.once('data', (data) => resolve(Number(String(data).trim()))));
const url = `http://127.0.0.1:${port}/items?page=1`;

const sameTimeouts = { lookup: 5000, connect: 5000, secureConnect: 5000, socket: 30_000, response: 30_000 };
const session = createSession({ headers: { 'x-client': 'bench' } });
const urllib3 = { total: 3, statusForcelist: [429, 503], backoffFactor: 100 };
const policy = new RetryPolicy({ retries: 3 });
const noopHook = { beforeRequest: () => undefined };

const cases = {
  'raw got (defaults)': () => got(url),
  'raw got (same timeouts, retry off)': () => got(url, { timeout: sameTimeouts, retry: { limit: 0 } }),
  '@fleece/http get()': () => get(url),
  '@fleece/http get(), urllib3-style retries': () => get(url, { retries: urllib3 }),
  '@fleece/http session.get(), RetryPolicy': () => session.get(url, { retries: policy }),
  '@fleece/http get() in a deadline, 1 hook': () => withDeadline(Date.now() + 60_000, () => get(url)),
};
const hooked = new Set(['@fleece/http get() in a deadline, 1 hook']);

async function run(send) {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const response = await send();
        if (response.statusCode !== 200) throw new Error(`unexpected ${response.statusCode}`);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { rate: requests / seconds, cpu: (used.user + used.system) / requests };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Warm-up: load everything, open the keep-alive sockets, let the JIT settle.
for (const send of Object.values(cases)) await run(send);

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const names = Object.keys(cases);
  const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
  for (const name of order) {
    const off = hooked.has(name) ? useHooks(noopHook) : () => undefined;
    results[name].push(await run(cases[name]));
    off();
  }
}

const raw = 'raw got (defaults)';
const same = 'raw got (same timeouts, retry off)';
const ratio = (name, to) => median(results[name].map((r, round) => r.rate / results[to][round].rate)).toFixed(2);
console.log(
  `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)}; ` +
    `${rounds} rounds × ${requests} requests, concurrency ${concurrency}`,
);
console.log('| client | req/s | ratio to raw got | ratio to raw got, same timeouts | client CPU µs/request |');
console.log('|---|---:|---:|---:|---:|');
const report = { bench: 'http/throughput', node: process.version, rounds, requests, concurrency, peer: raw, sameTimeouts: same, cases: {} };
for (const name of Object.keys(results)) {
  const rate = Math.round(median(results[name].map((r) => r.rate)));
  const cpu = Math.round(median(results[name].map((r) => r.cpu)));
  report.cases[name] = { requestsPerSecond: rate, toRawGot: Number(ratio(name, raw)), toRawGotSameTimeouts: Number(ratio(name, same)), cpuUsPerRequest: cpu };
  console.log(`| ${name} | ${rate} | ${ratio(name, raw)} | ${ratio(name, same)} | ${cpu} |`);
}
if (json) console.log(JSON.stringify(report));
server.stdin.end();
