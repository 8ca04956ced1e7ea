#!/usr/bin/env node
// Proves every package installs from its npm tarball and loads with `import` and `require` on
// Node 22 and 24 (Lambda's nodejs22.x and nodejs24.x), with types for both; that each tarball
// carries the LICENSE and each manifest the links and engines a registry page shows; and that
// the packages whose CommonJS types import an ESM-only dependency (@fleece/http: got) type-check
// in a strict CommonJS consumer without skipLibCheck, under module node16 and nodenext.
//   node tools/ci/pack-check.mjs [--node 22,24] [--only retry,log]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { argument, emptyProject, expectedLinks, loadBothWays, nodeBinary, npm, packAll, publishablePackages, root, tempDir, typecheckConsumer } from './workspace.mjs';

/** Packages checked without skipLibCheck: their .d.cts import an ESM-only package's types. */
const STRICT_TYPES = ['@fleece/http'];
const ENGINES = '>=22';

const started = Date.now();
const step = (what) => console.log(`[pack check +${((Date.now() - started) / 1000).toFixed(0)} s] ${what}`);
const majors = (argument('--node') ?? '22,24').split(',');
const packages = publishablePackages();
const work = tempDir('pack');
step(`packing ${packages.length} packages into ${work}`);
const tarballs = packAll(packages, work);
const project = join(work, 'consumer');
emptyProject(project);
step('installing the tarballs into an empty project (npm install, their dependencies from the registry)');
npm(['install', '--ignore-scripts', ...tarballs.values()], project);

let passed = 0;
let failed = 0;
const report = (ok, label, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? ` — ${detail}` : ''}`);
};

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
for (const { dir, manifest } of packages) {
  const installed = join(project, 'node_modules', manifest.name);
  const shipped = join(installed, 'LICENSE');
  report(existsSync(shipped) && readFileSync(shipped, 'utf8') === license, `${manifest.name} tarball carries the root LICENSE`);
  const links = expectedLinks(relative(root, dir));
  const problems = [];
  if (manifest.license !== 'Apache-2.0') problems.push(`license ${JSON.stringify(manifest.license)}`);
  for (const [field, want] of Object.entries(links)) if (JSON.stringify(manifest[field]) !== JSON.stringify(want)) problems.push(`${field} ${JSON.stringify(manifest[field])}, want ${JSON.stringify(want)}`);
  if (manifest.engines?.node !== ENGINES) problems.push(`engines.node ${JSON.stringify(manifest.engines?.node)}, want "${ENGINES}"`);
  report(problems.length === 0, `${manifest.name} manifest: license, repository, homepage, bugs, engines`, problems.join('; '));
}

const names = [...tarballs.keys()];
for (const major of majors) {
  step(`loading every package with import and require on Node ${major}`);
  const node = nodeBinary(major);
  for (const result of loadBothWays(node, project, names)) report(result.ok, `node ${major} ${result.name} import+require`, result.detail);
  const cli = packages.find(({ manifest }) => manifest.name === '@fleece/cli');
  if (cli) {
    const run = spawnSync(node, [join(project, 'node_modules', '@fleece', 'cli', 'bin', 'fleece.js'), '--version'], { cwd: project, encoding: 'utf8' });
    const printed = run.stdout.trim();
    report(run.status === 0 && printed === cli.manifest.version, `node ${major} fleece --version prints ${cli.manifest.version}`, run.status === 0 ? `printed ${JSON.stringify(printed)}` : run.stderr.trim().split('\n').slice(0, 4).join(' '));
  }
}
step('type-checking consumers');
const types = typecheckConsumer(project, names);
report(types.ok, 'types resolve from .mts (import) and .cts (require)', types.ok ? '' : types.detail);
for (const module of ['node16', 'nodenext']) {
  const strict = STRICT_TYPES.filter((name) => tarballs.has(name));
  if (strict.length === 0) continue;
  const result = typecheckConsumer(project, strict, { module, skipLibCheck: false, prefix: `strict-${module}` });
  report(result.ok, `${strict.join(', ')} types check under module ${module} (CommonJS and ESM) without skipLibCheck`, result.ok ? '' : result.detail);
}

console.log(`pack check: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed === 0 ? 0 : 1);
