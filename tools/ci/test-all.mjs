#!/usr/bin/env node
// The README's test command: everything, not just the affected set.
//   1. package-lock.json is up to date (npm install would not rewrite it);
//   2. lint, typecheck, test and build every project (Nx, cached locally, fresh in CI);
//   3. every README's runnable code blocks run as written;
//   4. the cold-start budget of every package (bundle bytes and load time);
//   5. the project graph: every package present, @fleece/retry depending on nothing;
//   6. the pack check (tarballs loaded by import and require on Node 22 and 24, LICENSE, types);
//   7. `nx release --dry-run` (planned versions and changelogs from conventional commits);
//   8. the publish rehearsal through a local verdaccio.
// Each step starts with a line `[+m:ss] step n/8: … — waiting for …`, repeats a line when a step
// has been silent for a minute, and ends with its time; the summary lists every step's time.
// It ends with one line `N passed, N failed`: the tests of every jest run, summed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { publishablePackages, root } from './workspace.mjs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const TOTAL_STEPS = 8;
const SILENCE_MS = 60_000;
const started = Date.now();
const steps = [];
console.log(`npm test on Node ${process.versions.node}, ${availableParallelism()} cores; on 2 cores with a cold Nx cache it takes about 12 minutes`);

const lock = await run('package-lock.json up to date', 'npm re-resolving the lock in a scratch copy', process.execPath, ['tools/ci/lock-check.mjs']);
steps.push(['package-lock.json up to date', lock.code === 0, lock.ms]);

const nx = await run('lint, typecheck, test, build', 'Nx: every project, two tasks at a time (the longest: the generator tests, about 2 min)', 'npx', ['nx', 'run-many', '-t', 'lint,typecheck,test,build', '--output-style=static']);
steps.push(['lint, typecheck, test, build', nx.code === 0, nx.ms]);

const readmes = await run('README code blocks', 'each runnable block, bundled and run in a fresh Node', process.execPath, ['tools/readme/run-blocks.mjs']);
steps.push(['README code blocks', readmes.code === 0, readmes.ms]);

const budgets = await run('cold-start budgets', 'esbuild bundles, then fresh Node processes loading them interleaved with the calibration bundle', process.execPath, ['tools/bench/check-budgets.mjs']);
steps.push(['cold-start budgets', budgets.code === 0, budgets.ms]);

const graph = await run('project graph', 'nx graph', 'npx', ['nx', 'graph', '--file=graph.json']);
steps.push(['project graph', graph.code === 0 && checkGraph(), graph.ms]);

const pack = await run('pack check on Node 22, 24', 'npm pack, npm install of the tarballs (registry), Node 22 and 24 (fetched once from the registry, cached)', process.execPath, ['tools/ci/pack-check.mjs']);
steps.push(['pack check on Node 22, 24', pack.code === 0, pack.ms]);

const release = await run('nx release --dry-run', 'nx release reading the conventional commits', 'npx', ['nx', 'release', '--dry-run', '--skip-publish']);
steps.push(['nx release --dry-run', release.code === 0 && /New version/.test(release.output), release.ms]);

const rehearsal = await run('publish rehearsal', 'verdaccio on 127.0.0.1, publishing and installing every tarball', process.execPath, ['tools/ci/publish-rehearsal.mjs']);
steps.push(['publish rehearsal', rehearsal.code === 0, rehearsal.ms]);

const { passed, failed } = jestTotals(nx.output);
console.log(`\nSummary (${clock(Date.now() - started)} in all, on Node ${process.versions.node})`);
for (const [name, ok, ms] of steps) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(32)} ${clock(ms)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(steps.every(([, ok]) => ok) && failed === 0 && passed > 0 ? 0 : 1);

/** `m:ss` of a duration in ms. */
function clock(ms) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Runs one step's command from the workspace root, echoing and capturing its output. Announces the
 * step and what it waits for, says so again after each silent minute, and times it.
 */
function run(name, waitingFor, command, args) {
  const n = steps.length + 1;
  const stamp = () => `[+${clock(Date.now() - started)}]`;
  console.log(`\n${stamp()} step ${n}/${TOTAL_STEPS}: ${name} — waiting for ${waitingFor}\n$ ${command} ${args.join(' ')}`);
  const begun = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let lastOutput = Date.now();
    const heartbeat = setInterval(() => {
      if (Date.now() - lastOutput >= SILENCE_MS) console.log(`${stamp()} step ${n}/${TOTAL_STEPS}: ${name} — still waiting for ${waitingFor} (${clock(Date.now() - begun)} so far)`);
    }, SILENCE_MS);
    const echo = (stream) => (chunk) => {
      output += chunk;
      lastOutput = Date.now();
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => {
      clearInterval(heartbeat);
      const ms = Date.now() - begun;
      console.log(`${stamp()} step ${n}/${TOTAL_STEPS}: ${name} ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${clock(ms)}`);
      resolve({ code, output, ms });
    });
  });
}

/** Sums jest's `Tests: …` summary lines (replayed from the cache too, colours and all). */
function jestTotals(output) {
  let passed = 0;
  let failed = 0;
  // eslint-disable-next-line no-control-regex -- colour codes are exactly what is stripped
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const summary = /^Tests:\s+(.*)$/.exec(line.trim());
    if (!summary) continue;
    passed += Number(/(\d+) passed/.exec(summary[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(summary[1])?.[1] ?? 0);
  }
  return { passed, failed };
}

/** Every package is in the graph, and the kernel depends on no other project. */
function checkGraph() {
  const { graph } = JSON.parse(readFileSync(join(root, 'graph.json'), 'utf8'));
  const missing = publishablePackages().filter(({ manifest }) => !graph.nodes[manifest.name]);
  const kernelEdges = graph.dependencies['@fleece/retry'] ?? [];
  if (missing.length) console.error(`graph lacks ${missing.map(({ manifest }) => manifest.name)}`);
  if (kernelEdges.length) console.error(`@fleece/retry depends on ${kernelEdges.map((e) => e.target)}`);
  return missing.length === 0 && kernelEdges.length === 0;
}
