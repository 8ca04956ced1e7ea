#!/usr/bin/env node
// The cold-start budget check: bundles the minimal handler of each of our packages as a deploy would
// (tools/bench/cold-start/handlers, esbuild --bundle --minify, CommonJS, node20, the AWS SDK external
// as on the Lambda runtime) and compares it with tools/bench/budgets.json:
//
// - bytes are deterministic (same lockfile, same esbuild): over budget by a single byte fails;
// - load time (the `require` of the bundle in fresh Node processes) is noisy on shared machines, so
//   it is judged relative to a fixed synthetic calibration bundle loaded in the same rounds,
//   interleaved: the median over rounds of (bundle's load / calibration's load in that round) must
//   stay within the budget's own ratio (budget ms / the calibration ms when it was set) plus a
//   tolerance. A load over it is measured again (up to twice more, fresh rounds): it fails only when
//   every attempt is over, a stable excess, not a noisy neighbour.
//
// Build the packages first (`npx nx run-many -t build`). Takes about 30 s on 2 cores.
//
//   node tools/bench/check-budgets.mjs [--runs 21] [--only fleece-log,fleece-http] [--json]
//   node tools/bench/check-budgets.mjs --update --only fleece-log --reason "why it grew"   # raise a budget deliberately
//
// Exit code 0 when every package is within budget, 1 when one is not, 2 on a usage or build problem.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUDGET_MODE, HANDLERS, MODES } from './cold-start/catalog.mjs';
import { bundleDir, bundleHandlers, measureRounds, probeEnv, ROOT, summarize, writeCalibrationBundle } from './cold-start/measure.mjs';
import { describeMachine, machine, parseArgs } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BUDGETS_FILE = join(here, 'budgets.json');

// How budgets are set from a measurement, and how far a noisy load time may go past its budget.
const POLICY = {
  bytesHeadroom: 0.15, // budget = measured bytes × 1.15
  msHeadroom: 0.5, // budget = max(measured ms × 1.5, measured ms + msMinHeadroom)
  msMinHeadroom: 5,
  msTolerance: 0.5, // fail when the median exceeds the scaled budget × 1.5
  scaleClamp: [0.5, 4], // the machine-speed scale shown beside each budget is kept within these bounds
  attempts: 3, // an over-budget load is measured this many times in all; it fails only if over in each
};

const options = parseArgs(['update', 'json', 'help']);
if (options.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 16).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const runs = Number(options.runs ?? 21);
if (!Number.isInteger(runs) || runs < 3) usage('--runs must be an integer >= 3');
const only = typeof options.only === 'string' ? options.only.split(',').map((s) => s.trim()) : undefined;
const candidates = HANDLERS.filter((h) => h.budget);
for (const id of only ?? []) if (!candidates.some((h) => h.id === id)) usage(`--only: no budgeted handler "${id}" (known: ${candidates.map((h) => h.id).join(', ')})`);
const handlers = only ? candidates.filter((h) => only.includes(h.id)) : candidates;
if (options.update && (typeof options.reason !== 'string' || options.reason.trim().length < 5)) {
  usage('--update needs --reason "what grew and why" (it is recorded in budgets.json beside the new budget)');
}

// Bundles resolve our packages to their dist/: a stale or missing build would measure the wrong code.
for (const pkg of new Set(handlers.map((h) => packageDir(h)).filter(Boolean))) {
  if (!existsSync(join(pkg, 'dist', 'index.js'))) {
    console.error(`check-budgets: ${pkg}/dist/index.js is missing: build the packages first (npx nx run-many -t build)`);
    process.exit(2);
  }
}

const budgets = JSON.parse(readFileSync(BUDGETS_FILE, 'utf8'));
if (budgets.mode !== BUDGET_MODE) usage(`budgets.json is for mode "${budgets.mode}", the check measures "${BUDGET_MODE}"`);

const out = bundleDir();
let samples;
let bundles;
let calibrationBundle;
const started = Date.now();
try {
  bundles = await bundleHandlers(handlers, [BUDGET_MODE], out);
  calibrationBundle = writeCalibrationBundle(out);
  console.log(`check-budgets: ${bundles.length} bundles built; loading each ${runs} times in fresh Node processes, interleaved with the calibration bundle`);
  samples = await measureRounds([calibrationBundle, ...bundles], { runs, env: probeEnv() });
} catch (error) {
  rmSync(out, { recursive: true, force: true });
  throw error;
}
const calibration = summarize(samples.get('calibration'));
if (calibration.error) {
  console.error(`check-budgets: the calibration bundle did not load: ${calibration.error}`);
  process.exit(2);
}
const calibrationMs = calibration.loadMs;

const rows = [];
for (const bundle of bundles) {
  const measured = summarize(samples.get(bundle.key));
  const budget = budgets.budgets[bundle.id];
  if (measured.error) {
    rows.push({ id: bundle.id, label: HANDLERS.find((h) => h.id === bundle.id).label, bytes: bundle.bytes, budget, error: measured.error, bytesOk: budget ? bundle.bytes <= budget.bytes : false, msOk: false });
    continue;
  }
  const row = { id: bundle.id, label: HANDLERS.find((h) => h.id === bundle.id).label, bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, loadMs: measured.loadMs, loadP25: measured.loadP25, loadP75: measured.loadP75, budget, bundle };
  if (budget) {
    const scale = Math.min(POLICY.scaleClamp[1], Math.max(POLICY.scaleClamp[0], calibrationMs / budget.calibrationMs));
    row.scale = scale;
    row.scaledMs = budget.loadMs * scale;
    row.allowedMs = row.scaledMs * (1 + POLICY.msTolerance);
    row.allowedRatio = (budget.loadMs / budget.calibrationMs) * (1 + POLICY.msTolerance);
    row.ratios = [pairedRatio(samples.get(bundle.key).load, samples.get('calibration').load)];
    row.bytesOk = bundle.bytes <= budget.bytes;
    row.msOk = row.ratios[0] <= row.allowedRatio;
  }
  rows.push(row);
}

// A load over budget is measured again, with the calibration interleaved as before: only a load
// over in every attempt fails (a noisy neighbour rarely lasts through three sets of rounds).
try {
  for (let attempt = 2; attempt <= POLICY.attempts && !options.update; attempt++) {
    const over = rows.filter((r) => r.budget && !r.error && !r.msOk);
    if (over.length === 0) break;
    console.log(`check-budgets: attempt ${attempt} of ${POLICY.attempts} for ${over.map((r) => r.id).join(', ')} (over its load ratio: ${over.map((r) => `${r.ratios.at(-1).toFixed(2)} > ${r.allowedRatio.toFixed(2)}`).join(', ')})`);
    const again = await measureRounds([calibrationBundle, ...over.map((r) => r.bundle)], { runs, env: probeEnv() });
    for (const r of over) {
      const sample = again.get(r.bundle.key);
      if (sample.error) continue;
      r.ratios.push(pairedRatio(sample.load, again.get('calibration').load));
      r.msOk = r.ratios.at(-1) <= r.allowedRatio;
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const broken = rows.filter((r) => r.error);
if (options.update && broken.length) {
  for (const r of broken) console.error(`check-budgets: ${r.label} did not load, no budget written: ${r.error}`);
  process.exit(2);
}
if (options.update) {
  update(rows);
  process.exit(0);
}

const missing = rows.filter((r) => !r.budget && !r.error);
const failures = rows.filter((r) => r.error || (r.budget && (!r.bytesOk || !r.msOk)));
const report = {
  check: 'cold-start budgets',
  mode: BUDGET_MODE,
  runs,
  machine: machine(),
  calibrationMs,
  tolerance: POLICY.msTolerance,
  seconds: (Date.now() - started) / 1000,
  rows: rows.map(({ budget, bundle: _bundle, ...r }) => ({ ...r, budgetBytes: budget?.bytes, budgetLoadMs: budget?.loadMs })),
  ok: failures.length === 0 && missing.length === 0,
};

console.log(`cold-start budgets: ${MODES[BUDGET_MODE].description}`);
console.log(`${describeMachine()}; median of ${runs} fresh processes per bundle (interleaved) in ${report.seconds.toFixed(0)} s`);
console.log(
  `calibration: the fixed synthetic bundle loads in ${calibrationMs.toFixed(1)} ms here (median); a load fails when the median of (its load / the calibration's, ` +
    `round by round) exceeds its budget's ratio by more than ${POLICY.msTolerance * 100} % in each of ${POLICY.attempts} attempts. ` +
    `The scaled ms shown are for reading only. Bytes must be within budget exactly.\n`,
);
const header = ['package', 'bytes', 'budget', '', 'load ms (p25–p75)', 'budget ms × scale = scaled', 'load ratio (attempts)', 'fails above', ''];
const table = [header];
for (const r of rows) {
  if (r.error) {
    table.push([r.label, String(r.bytes), r.budget ? String(r.budget.bytes) : '—', r.bytesOk ? 'ok' : 'OVER', 'DID NOT LOAD', '—', '—', '—', 'FAIL']);
    continue;
  }
  if (!r.budget) {
    table.push([r.label, String(r.bytes), '—', 'NO BUDGET', `${r.loadMs.toFixed(1)} (${r.loadP25.toFixed(1)}–${r.loadP75.toFixed(1)})`, '—', '—', '—', 'NO BUDGET']);
    continue;
  }
  table.push([
    r.label,
    String(r.bytes),
    String(r.budget.bytes),
    r.bytesOk ? `ok (${((r.bytes / r.budget.bytes) * 100).toFixed(0)} %)` : `OVER by ${r.bytes - r.budget.bytes} B`,
    `${r.loadMs.toFixed(1)} (${r.loadP25.toFixed(1)}–${r.loadP75.toFixed(1)})`,
    `${r.budget.loadMs.toFixed(1)} × ${r.scale.toFixed(2)} = ${r.scaledMs.toFixed(1)}`,
    r.ratios.map((x) => x.toFixed(2)).join(', '),
    r.allowedRatio.toFixed(2),
    r.msOk ? 'ok' : 'OVER',
  ]);
}
printTable(table);

for (const r of rows.filter((x) => x.budget && !x.bytesOk)) {
  console.error(
    `\nFAIL ${r.label}: the minified bundle is ${r.bytes} bytes, over its budget of ${r.budget.bytes} bytes by ${r.bytes - r.budget.bytes} ` +
      `(${(((r.bytes - r.budget.bytes) / r.budget.bytes) * 100).toFixed(1)} %). Find what grew: npx esbuild tools/bench/cold-start/handlers/${r.id}.mjs ` +
      `--bundle --minify --platform=node --target=node20 --format=cjs ${MODES[BUDGET_MODE].external.map((e) => `--external:'${e}'`).join(' ')} --analyze=verbose --outfile=/tmp/${r.id}.cjs ` +
      `lists every module's bytes (or add --metafile=meta.json and open it in https://esbuild.github.io/analyze/). ` +
      `If the growth is wanted, raise the budget deliberately (see tools/bench/README.md).`,
  );
}
for (const r of broken) console.error(`\nFAIL ${r.label}: the bundle did not load in a fresh Node process: ${r.error}`);
for (const r of rows.filter((x) => x.budget && !x.msOk && !x.error)) {
  console.error(
    `\nFAIL ${r.label}: loading the bundle took ${r.loadMs.toFixed(1)} ms (median of ${runs}), ${r.ratios.map((x) => x.toFixed(2)).join(', ')} × the calibration's load ` +
      `in ${r.ratios.length} attempts, each above ${r.allowedRatio.toFixed(2)} (its budget ${r.budget.loadMs} ms against a ${r.budget.calibrationMs} ms calibration, ` +
      `+${POLICY.msTolerance * 100} % tolerance). Something now runs at import time (an eager AWS SDK import, schema compilation, a large dependency).`,
  );
}
for (const r of missing) console.error(`\nFAIL ${r.label}: no budget in tools/bench/budgets.json; add one with --update --only ${r.id} --reason "..."`);
for (const r of rows.filter((x) => x.budget && x.bytesOk && x.bytes < x.budget.bytes * 0.75)) {
  console.log(`note: ${r.label} is at ${((r.bytes / r.budget.bytes) * 100).toFixed(0)} % of its byte budget; lower it with --update so the next growth is caught.`);
}
const stale = Object.keys(budgets.budgets).filter((id) => !HANDLERS.some((h) => h.id === id && h.budget));
if (stale.length) console.log(`note: budgets.json has entries no handler uses: ${stale.join(', ')}`);

console.log(report.ok ? `\nok: ${rows.length} packages within their cold-start budgets` : `\n${failures.length + missing.length} of ${rows.length} packages over budget`);
if (options.json) console.log(JSON.stringify(report));
process.exit(report.ok ? 0 : 1);

/** Writes budgets from this measurement, with headroom, and prints what changed. */
function update(measuredRows) {
  const now = new Date().toISOString().slice(0, 10);
  for (const r of measuredRows) {
    const old = budgets.budgets[r.id];
    const next = {
      package: HANDLERS.find((h) => h.id === r.id).label,
      bytes: Math.ceil((r.bytes * (1 + POLICY.bytesHeadroom)) / 100) * 100,
      loadMs: Math.ceil(Math.max(r.loadMs * (1 + POLICY.msHeadroom), r.loadMs + POLICY.msMinHeadroom) * 10) / 10,
      calibrationMs: Math.round(calibrationMs * 100) / 100,
      measured: { bytes: r.bytes, loadMs: Math.round(r.loadMs * 100) / 100, on: now, machine: describeMachine(), runs },
      reason: options.reason.trim(),
    };
    budgets.budgets[r.id] = next;
    console.log(
      `${r.id}: bytes ${old?.bytes ?? '—'} → ${next.bytes} (measured ${r.bytes}), load ${old?.loadMs ?? '—'} → ${next.loadMs} ms ` +
        `(measured ${r.loadMs.toFixed(2)} ms, calibration ${next.calibrationMs} ms)`,
    );
  }
  writeFileSync(BUDGETS_FILE, `${JSON.stringify(budgets, null, 2)}\n`);
  console.log(`\nwrote ${BUDGETS_FILE}: review the diff and commit it with the change that needed it.`);
}

/** The median over rounds of a / b, round by round (the two were loaded in the same rounds, interleaved). */
function pairedRatio(a, b) {
  const ratios = a.map((x, i) => x / b[i]).sort((x, y) => x - y);
  const mid = Math.floor(ratios.length / 2);
  return ratios.length % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
}

function packageDir(handler) {
  const match = /^@fleece\/([a-z-]+)/.exec(handler.label);
  return match ? join(ROOT, 'packages', match[1]) : undefined;
}

function printTable(table) {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
  for (const row of table) console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join('  ').trimEnd());
}

function usage(message) {
  console.error(`check-budgets: ${message}`);
  process.exit(2);
}
