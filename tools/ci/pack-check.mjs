#!/usr/bin/env node
// Proves every package installs from its npm tarball and loads with `import` and `require` on
// Node 20, 22 and 24 (Lambda's nodejs22.x and nodejs24.x), with types for both.
//   node tools/ci/pack-check.mjs [--node 20,22,24] [--only retry,log]
import { join } from 'node:path';
import { argument, emptyProject, loadBothWays, nodeBinary, npm, packAll, publishablePackages, tempDir, typecheckConsumer } from './workspace.mjs';

const majors = (argument('--node') ?? '20,22,24').split(',');
const packages = publishablePackages();
const work = tempDir('pack');
const tarballs = packAll(packages, work);
const project = join(work, 'consumer');
emptyProject(project);
npm(['install', '--ignore-scripts', ...tarballs.values()], project);

let passed = 0;
let failed = 0;
const report = (ok, label, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? ` — ${detail}` : ''}`);
};

const names = [...tarballs.keys()];
for (const major of majors) {
  const node = nodeBinary(major);
  for (const result of loadBothWays(node, project, names)) report(result.ok, `node ${major} ${result.name} import+require`, result.detail);
}
const types = typecheckConsumer(project, names);
report(types.ok, 'types resolve from .mts (import) and .cts (require)', types.ok ? '' : types.detail);

console.log(`pack check: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
