// Cold-start measurement: bundle a handler with esbuild as a deploy would, then load it in fresh
// Node processes (Lambda's Init) and, optionally, run its first invocation. Used by the runner
// (tools/bench/run.mjs) and by the budget check (tools/bench/check-budgets.mjs).
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { MODES } from './catalog.mjs';
import { median, quantile, rotate } from '../lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..');
export const HANDLER_DIR = join(here, 'handlers');

/**
 * A fresh directory for bundles, inside the workspace: an external `@aws-sdk/*` then resolves from
 * the workspace's node_modules for `require()` and for `import()` alike, as the Lambda runtime
 * resolves its own SDK copy for both (NODE_PATH would serve `require()` only). Under tools/bench/tmp,
 * which git and eslint ignore; remove it after use.
 */
export function bundleDir() {
  const parent = join(here, '..', 'tmp');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'bundles-'));
}

/**
 * Bundles each handler in each mode into `outDir`. Handlers import our packages by name, so they
 * resolve (through the npm workspace links) to each package's built `dist/` by its exports map, as
 * a user's bundle would: build the packages first.
 * @returns {Promise<{ key: string, id: string, mode: string, outfile: string, bytes: number, gzipBytes: number }[]>}
 */
export async function bundleHandlers(handlers, modes, outDir) {
  const bundles = [];
  for (const mode of modes) {
    for (const handler of handlers) {
      const { format, external } = MODES[mode];
      const outfile = join(outDir, `${handler.id}.${mode}.${format === 'esm' ? 'mjs' : 'cjs'}`);
      await build({
        entryPoints: [join(HANDLER_DIR, `${handler.id}.mjs`)],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node20',
        format,
        external,
        outfile,
        logLevel: 'error',
        legalComments: 'none',
        // Bundled CommonJS code calls require(); an ES module has none unless it makes one.
        ...(format === 'esm' ? { banner: { js: ESM_BANNER } } : {}),
      });
      const contents = readFileSync(outfile);
      bundles.push({ key: `${handler.id}:${mode}`, id: handler.id, mode, outfile, bytes: contents.length, gzipBytes: gzipSync(contents).length });
    }
  }
  return bundles;
}

/**
 * A synthetic bundle, the same on every machine and for ever (it depends on nothing installed):
 * about 400 KB of functions that its init compiles and runs. Its load time measures how fast this
 * machine parses and initialises JavaScript right now, so the budget check can scale the load-time
 * budgets recorded on another machine.
 */
export function writeCalibrationBundle(outDir) {
  const lines = ['"use strict";'];
  const count = 3000;
  for (let i = 0; i < count; i++) {
    lines.push(
      `function f${i}(a,b){const o={k:${i},v:a*${(i % 97) + 1}+b,s:${JSON.stringify(`calibration-${i}-${'x'.repeat(i % 50)}`)}};` +
        `return o.s.length>${i % 60}?o.v+o.k:o.v-o.k}`,
    );
  }
  lines.push(`const fns=[${Array.from({ length: count }, (_, i) => `f${i}`).join(',')}];`);
  lines.push('let acc=0;for(let i=0;i<fns.length;i++)acc+=fns[i](i,2);');
  lines.push('exports.handler=async()=>({ok:true,acc});');
  const outfile = join(outDir, 'calibration.cjs');
  writeFileSync(outfile, lines.join('\n'));
  return { key: 'calibration', id: 'calibration', mode: 'synthetic', outfile, bytes: readFileSync(outfile).length };
}

const ESM_BANNER = "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

// Runs in the fresh process. Timed inside it, so Node's own boot (the same for every bundle) is
// left out; the result goes to fd 3 so whatever the handler logs to stdout/stderr cannot mix in.
// A CommonJS bundle is loaded with require(), an ES module with import() (as the runtime does).
const PROBE = `
const { writeSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const file = process.argv[1];
const start = process.hrtime.bigint();
new Promise((resolve) => resolve(file.endsWith('.mjs') ? import(pathToFileURL(file).href) : require(file))).then(({ handler }) => {
const loaded = process.hrtime.bigint();
const loadMs = Number(loaded - start) / 1e6;
const rssBytes = process.memoryUsage.rss();
// Exit shortly after, not at once: fire-and-forget sends (X-Ray's UDP) get an event-loop turn to
// leave, and keep-alive sockets cannot hold the process open.
const out = (result) => { writeSync(3, JSON.stringify(result)); setTimeout(() => process.exit(result.error ? 1 : 0), 5); };
if (process.argv[2] === undefined) out({ loadMs, rssBytes });
else {
  const event = JSON.parse(process.argv[2]);
  const end = Date.now() + 30000;
  const context = {
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'bench', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench', memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/bench', logStreamName: '2030/01/01/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => end - Date.now(),
  };
  Promise.resolve()
    .then(() => handler(event, context))
    .then(
      (value) => out({ loadMs, rssBytes, firstMs: Number(process.hrtime.bigint() - loaded) / 1e6, value }),
      (error) => out({ loadMs, error: String((error && error.stack) || error) }),
    );
}
}, (error) => { writeSync(3, JSON.stringify({ error: String((error && error.stack) || error) })); process.exit(1); });`;

/**
 * The environment of a probe: a Lambda-like one built from scratch (nothing of the caller's AWS
 * profile leaks in), plus `extra`.
 */
export function probeEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    BENCH_TABLE: 'bench-items',
    BENCH_IDEMPOTENCY_TABLE_FLEECE: 'bench-idempotency-fleece',
    BENCH_IDEMPOTENCY_TABLE_POWERTOOLS: 'bench-idempotency-powertools',
    BENCH_PARAMETER: '/bench/greeting',
    BENCH_BUCKET: 'bench-bucket',
    BENCH_HTTP_URL: 'http://127.0.0.1:9/unused',
    ...extra,
  };
}

/**
 * Loads one bundle in a fresh Node process; with `event`, runs the first invocation too.
 * @returns {Promise<{ loadMs: number, rssBytes: number, firstMs?: number, value?: unknown }>}
 */
export function probe(bundle, { env, event, timeoutMs = 30_000 } = {}) {
  const args = ['-e', PROBE, bundle.outfile];
  if (event !== undefined) args.push(JSON.stringify(event));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: env ?? probeEnv(), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let result = '';
    let logs = '';
    child.stdout.on('data', (chunk) => (logs.length < 4000 ? (logs += chunk) : undefined));
    child.stderr.on('data', (chunk) => (logs.length < 4000 ? (logs += chunk) : undefined));
    child.stdio[3].on('data', (chunk) => (result += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let parsed;
      try {
        parsed = JSON.parse(result);
      } catch {
        reject(new Error(`${bundle.key}: the probe gave no result (exit ${code ?? signal})\n${logs}`));
        return;
      }
      if (parsed.error) reject(new Error(`${bundle.key}: ${parsed.error}\n${logs}`));
      else if (failed(parsed.value)) reject(new Error(`${bundle.key}: the first invocation answered ${JSON.stringify(parsed.value)}\n${logs}`));
      else resolve(parsed);
    });
  });
}

/** A first invocation that did not do its job must not count as a fast one. */
function failed(value) {
  if (value === null || typeof value !== 'object') return false;
  if (value.ok === false) return true;
  return typeof value.statusCode === 'number' && value.statusCode >= 400;
}

/**
 * Measures every bundle over `runs` rounds, one fresh process per bundle per round, the order
 * rotating each round so drift on a shared machine hits every bundle alike. One unrecorded warm-up
 * round first (file-system cache). `eventOf(bundle)` gives the first invocation's event, or
 * undefined to time the load only.
 */
export async function measureRounds(bundles, { runs, env, eventOf = () => undefined, onRound = () => {} }) {
  const samples = new Map(bundles.map((b) => [b.key, { load: [], first: [], total: [], rss: [] }]));
  for (let round = -1; round < runs; round++) {
    for (const bundle of rotate(bundles, Math.max(round, 0))) {
      const sample = samples.get(bundle.key);
      // A bundle that failed once is reported with its error, not measured further.
      if (sample.error) continue;
      let result;
      try {
        result = await probe(bundle, { env: typeof env === 'function' ? env(bundle) : env, event: eventOf(bundle) });
      } catch (error) {
        sample.error = String(error?.message ?? error);
        continue;
      }
      if (round < 0) continue;
      sample.load.push(result.loadMs);
      sample.rss.push(result.rssBytes);
      if (result.firstMs !== undefined) {
        sample.first.push(result.firstMs);
        sample.total.push(result.loadMs + result.firstMs);
      }
    }
    if (round >= 0) onRound(round + 1, runs);
  }
  return samples;
}

/** Medians (and the interquartile range of the load) of one bundle's samples, or its error. */
export function summarize(sample) {
  if (sample.error) return { error: sample.error };
  return {
    loadMs: median(sample.load),
    loadP25: quantile(sample.load, 0.25),
    loadP75: quantile(sample.load, 0.75),
    firstMs: sample.first.length ? median(sample.first) : undefined,
    totalMs: sample.total.length ? median(sample.total) : undefined,
    rssBytes: median(sample.rss),
    runs: sample.load.length,
  };
}

/** A fresh id for a first invocation (idempotency keys must not repeat across processes). */
export const freshId = () => randomUUID();
