#!/usr/bin/env node
// `npm run bench`: every cost of ours beside the peer a user would pick instead, measured in the
// same run, written to BENCHMARKS.md at the root.
//
//   1. builds the packages once (npx nx run-many -t build);
//   2. cold start: bundles the minimal handler of each package and of each peer
//      (tools/bench/cold-start/handlers) two ways, AWS SDK external as on the Lambda runtime and
//      everything bundled, then loads each in fresh Node processes, rounds interleaved, and runs its
//      first invocation against local AWS, HTTP and X-Ray servers on 127.0.0.1;
//   3. per invocation: runs every package-level benchmark (tools/bench/benches.mjs), one at a time;
//   4. writes BENCHMARKS.md: medians, ratios to each peer, the machine, where we lose and why.
//
//   node tools/bench/run.mjs [--no-build] [--only cold-start,retry,...] [--cold-runs 15] [--quick] [--out BENCHMARKS.md] [--json-out results.json]
//   node tools/bench/run.mjs --render tools/bench/tmp/last-run.json   # re-render the last run (each run saves its results there)
//
// --quick runs everything with a few rounds (a smoke test of the runner, not figures to publish).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BENCHES } from './benches.mjs';
import { eventOf, HANDLERS, MODES } from './cold-start/catalog.mjs';
import { bundleDir, bundleHandlers, freshId, measureRounds, ROOT, summarize } from './cold-start/measure.mjs';
import { humanOutput, lastJson } from './lib/parse.mjs';
import { renderReport } from './lib/report.mjs';
import { machine, parseArgs } from './lib/stats.mjs';

// The AWS SDK's notice that it will drop Node 20 is not a result; every other warning still shows.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!/NodeVersionSupportWarning/.test(`${warning.name} ${warning.message}`)) console.warn(warning);
});

const options = parseArgs(['no-build', 'quick', 'help']);
if (options.help) {
  console.log('usage: node tools/bench/run.mjs [--no-build] [--only cold-start,<bench ids>] [--cold-runs N] [--quick] [--out file] [--json-out file]');
  console.log('       node tools/bench/run.mjs --render results.json [--out file]');
  console.log(`bench ids: ${BENCHES.map((b) => b.id).join(', ')}`);
  process.exit(0);
}
// --render results.json: write BENCHMARKS.md again from a run's saved results (--json-out), for
// instance after adding an explanation to lib/analysis.mjs, without measuring anything.
if (typeof options.render === 'string') {
  const saved = JSON.parse(readFileSync(options.render, 'utf8'));
  const target = typeof options.out === 'string' ? options.out : join(ROOT, 'BENCHMARKS.md');
  writeFileSync(target, renderReport(saved));
  console.log(`wrote ${relative(process.cwd(), target) || target} from ${options.render} (measured ${saved.meta.started})`);
  process.exit(0);
}
const quick = Boolean(options.quick);
const only = typeof options.only === 'string' ? new Set(options.only.split(',').map((s) => s.trim())) : undefined;
for (const id of only ?? []) {
  if (id !== 'cold-start' && !BENCHES.some((b) => b.id === id)) fail(`--only: unknown section "${id}" (cold-start, ${BENCHES.map((b) => b.id).join(', ')})`);
}
const coldRuns = Number(options['cold-runs'] ?? (quick ? 3 : 15));
const outFile = typeof options.out === 'string' ? options.out : join(ROOT, 'BENCHMARKS.md');
const started = Date.now();
const results = { meta: { started: new Date(started).toISOString(), quick, machineBefore: machine(), ...gitState() }, benches: {} };

// 1. Build ----------------------------------------------------------------------------------------
if (!options['no-build']) {
  step('build', 'npx nx run-many -t build');
  const build = await run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
    timeoutMs: 600_000,
  });
  results.meta.build = { ok: build.code === 0, seconds: build.seconds, tail: build.code === 0 ? '' : tail(build.output.stdout + build.output.stderr, 40) };
  done('build', build.seconds, build.code === 0 ? 'ok' : `FAILED (exit ${build.code}); measuring whatever dist/ folders exist`);
} else {
  results.meta.build = { ok: true, skipped: true };
}
results.meta.missingDist = ['retry', 'log', 'aws', 'http', 'xray', 'idempotency', 'config', 'openapi', 'api-overflow', 'cfn-handler', 'testing'].filter(
  (pkg) => !existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js')),
);

// 2. Cold start -----------------------------------------------------------------------------------
if (!only || only.has('cold-start')) {
  step('cold-start', `${HANDLERS.length} handlers × ${Object.keys(MODES).length} bundlings × ${coldRuns} fresh processes, first invocation included`);
  const t0 = Date.now();
  try {
    results.coldStart = await coldStart(coldRuns);
    const { measureSdkLoad } = await import('./cold-start/sdk-load.mjs');
    results.coldStart.sdkLoad = await measureSdkLoad(quick ? 3 : 11);
    done('cold-start', (Date.now() - t0) / 1000, 'ok');
  } catch (error) {
    results.coldStart = { error: String(error?.stack ?? error) };
    done('cold-start', (Date.now() - t0) / 1000, `FAILED: ${String(error?.message ?? error).split('\n')[0]}`);
  }
}

// 3. Package benchmarks ---------------------------------------------------------------------------
for (const bench of BENCHES) {
  if (only && !only.has(bench.id)) continue;
  const dir = join(ROOT, 'packages', bench.pkg);
  const script = join(dir, bench.script);
  const args = quick ? (bench.quickArgs ?? quickArgsOf(bench)) : bench.args;
  const env = { ...process.env, ...bench.env, ...(quick ? quickEnvOf(bench) : {}) };
  const command = `cd packages/${bench.pkg} && ${Object.entries(bench.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}node ${bench.script} ${args.join(' ')}`.trim();
  if (!existsSync(script)) {
    results.benches[bench.id] = { ok: false, missing: true, command, error: `${relative(ROOT, script)} does not exist yet` };
    step(bench.id, 'skipped: script not present');
    continue;
  }
  step(bench.id, command);
  const outcome = await run(process.execPath, [script, ...args, '--json'], { cwd: dir, env, timeoutMs: 300_000 });
  const json = lastJson(outcome.output.stdout);
  results.benches[bench.id] = {
    ok: outcome.code === 0,
    command,
    seconds: outcome.seconds,
    json,
    human: humanOutput(outcome.output.stdout),
    error: outcome.code === 0 ? undefined : `exit ${outcome.code}${outcome.timedOut ? ' (timed out)' : ''}\n${tail(outcome.output.stdout + outcome.output.stderr, 30)}`,
  };
  done(bench.id, outcome.seconds, outcome.code === 0 ? (json ? 'ok (json)' : 'ok (human output)') : `FAILED (exit ${outcome.code})`);
}

// 4. Report ---------------------------------------------------------------------------------------
results.meta.machineAfter = machine();
results.meta.seconds = (Date.now() - started) / 1000;
const markdown = renderReport(results);
writeFileSync(outFile, markdown);
// Kept (git-ignored) so `--render tools/bench/tmp/last-run.json` can re-render it later.
const jsonOut = typeof options['json-out'] === 'string' ? options['json-out'] : join(ROOT, 'tools', 'bench', 'tmp', 'last-run.json');
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${relative(process.cwd(), outFile) || outFile} in ${(results.meta.seconds / 60).toFixed(1)} min`);
const brokenBundles = Object.entries(results.coldStart?.bundles ?? {}).filter(([, b]) => b.error).map(([key]) => `cold-start ${key}`);
const failed = [results.coldStart?.error ? 'cold-start' : undefined, ...brokenBundles, ...Object.entries(results.benches).filter(([, r]) => !r.ok && !r.missing).map(([id]) => id)].filter(Boolean);
if (failed.length) console.log(`failed sections (reported in the file): ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);

// -------------------------------------------------------------------------------------------------

async function coldStart(runs) {
  // Imported here: they load the built @fleece/testing and @fleece/config, which step 1 built.
  const { startServices } = await import('./cold-start/services.mjs');
  const services = await startServices();
  const dir = bundleDir();
  try {
    const modes = Object.keys(MODES);
    const bundles = await bundleHandlers(HANDLERS, modes, dir);
    const kinds = new Map(HANDLERS.map((h) => [h.id, h.event]));
    const samples = await measureRounds(bundles, {
      runs,
      env: services.env,
      eventOf: (bundle) => {
        const id = freshId();
        return eventOf(kinds.get(bundle.id), { id, responseUrl: services.responseUrl(id) });
      },
      onRound: (round, total) => process.stdout.write(round === total ? `  round ${round}/${total}\n` : `  round ${round}/${total}\r`),
    });
    const processes = runs + 1; // the warm-up round runs every bundle too
    const per = (pred) => bundles.filter((b) => pred(HANDLERS.find((h) => h.id === b.id))).length * processes;
    const counts = services.counts();
    const expected = {
      'HTTP GETs': [counts.http.get, per((h) => h.services?.includes('http') && h.event !== 'cfn-create')],
      'CloudFormation ResponseURL PUTs': [counts.http.put, per((h) => h.event === 'cfn-create')],
      'X-Ray documents (at least)': [counts.xrayDocuments, per((h) => h.services?.includes('xray'))],
      'KMS requests (at least)': [counts.kms, per((h) => h.id === 'fleece-config-load')],
      'SSM requests (at least)': [counts.ssm, per((h) => h.services?.includes('ssm'))],
      'DynamoDB requests (at least)': [counts.dynamodb, per((h) => h.services?.includes('dynamodb'))],
    };
    return {
      runs,
      modes,
      bundles: Object.fromEntries(bundles.map((b) => [b.key, { id: b.id, mode: b.mode, bytes: b.bytes, gzipBytes: b.gzipBytes, ...summarize(samples.get(b.key)) }])),
      checks: Object.entries(expected).map(([what, [got, want]]) => ({ what, got, want, ok: what.includes('at least') ? got >= want : got === want })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await services.stop();
  }
}

/** A few rounds of everything, for --quick. */
function quickArgsOf(bench) {
  const table = {
    retry: ['3', '10'],
    'log-throughput': ['3', '5000'],
    'log-cold-start': ['3'],
    'aws-overhead': ['20', '5'],
    'http-throughput': ['3', '100', '8'],
    'config-decrypt': ['2', '8'],
    'xray-overhead': ['2', '2000'],
    'xray-cold-start': ['2'],
    openapi: ['3', '10'],
    'api-overflow': ['2', '1'],
    'cfn-handler': ['3', '2', '50'],
  };
  return table[bench.id] ?? bench.args;
}

function quickEnvOf(bench) {
  return bench.id === 'idempotency' ? { ROUNDS: '2', N: '20', N_CACHED: '200', COLD: '2' } : {};
}

/**
 * Runs a command in its own process group (so a timeout can end the servers it started too),
 * collecting its output and echoing it indented.
 */
function run(command, args, { cwd, env, timeoutMs }) {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output = { stdout: '', stderr: '' };
    let timedOut = false;
    const echo = (chunk) => process.stdout.write(String(chunk).replace(/^(?=.)/gm, '  | '));
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
      echo(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output.stderr += chunk;
      echo(chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, timedOut, seconds: (Date.now() - start) / 1000, output });
    });
  });
}

function gitState() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function tail(text, lines) {
  return String(text).trimEnd().split('\n').slice(-lines).join('\n');
}

function step(name, detail) {
  console.log(`\n▶ ${name}: ${detail}`);
}

function done(name, seconds, status) {
  console.log(`✔ ${name}: ${status} (${seconds.toFixed(0)} s)`);
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
