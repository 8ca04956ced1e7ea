#!/usr/bin/env node
// The README's test command: everything, not just the affected set.
//   1. lint, typecheck, test and build every project (Nx, cached locally, fresh in CI);
//   2. the cold-start budget of every package (bundle bytes and load time);
//   3. the project graph: every package present, @fleece/retry depending on nothing;
//   4. the pack check (tarballs loaded by import and require on Node 20, 22 and 24);
//   5. `nx release --dry-run` (planned versions and changelogs from conventional commits);
//   6. the publish rehearsal through a local verdaccio.
// It ends with one line `N passed, N failed`: the tests of every jest run, summed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishablePackages, root } from './workspace.mjs';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
const steps = [];

const nx = await run('npx', ['nx', 'run-many', '-t', 'lint,typecheck,test,build', '--output-style=static']);
steps.push(['lint, typecheck, test, build', nx.code === 0]);

const budgets = await run(process.execPath, ['tools/bench/check-budgets.mjs']);
steps.push(['cold-start budgets', budgets.code === 0]);

const graph = await run('npx', ['nx', 'graph', '--file=graph.json']);
steps.push(['project graph', graph.code === 0 && checkGraph()]);

const pack = await run(process.execPath, ['tools/ci/pack-check.mjs']);
steps.push(['pack check on Node 20, 22, 24', pack.code === 0]);

const release = await run('npx', ['nx', 'release', '--dry-run', '--skip-publish']);
steps.push(['nx release --dry-run', release.code === 0 && /New version/.test(release.output)]);

const rehearsal = await run(process.execPath, ['tools/ci/publish-rehearsal.mjs']);
steps.push(['publish rehearsal', rehearsal.code === 0]);

const { passed, failed } = jestTotals(nx.output);
console.log('\nSummary');
for (const [name, ok] of steps) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(steps.every(([, ok]) => ok) && failed === 0 && passed > 0 ? 0 : 1);

/** Runs a command from the workspace root, echoing and capturing its output. */
function run(command, args) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => resolve({ code, output }));
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
