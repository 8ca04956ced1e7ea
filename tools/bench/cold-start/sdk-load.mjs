// How long a fresh process takes to load the AWS SDK's DynamoDB client with `require()` and with
// `import()`: our packages load SDK clients lazily with `import()`, which in a CommonJS bundle with
// the SDK external goes through Node's ES-module loader. Measured on this Node and, when the pack
// check has already installed them, on Node 22 and 24 (nothing is downloaded here).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { median, rotate } from '../lib/stats.mjs';
import { bundleDir } from './measure.mjs';

const CLIENT = '@aws-sdk/client-dynamodb';
const WAYS = {
  'require()': `const t = performance.now(); require('${CLIENT}'); process.stdout.write(String(performance.now() - t));`,
  'import()': `const t = performance.now(); import('${CLIENT}').then(() => process.stdout.write(String(performance.now() - t)));`,
};

/** The Node binaries to compare: this one, plus 22 and 24 if tools/ci's cache holds them. */
function nodes() {
  const found = [{ version: process.version, path: process.execPath }];
  const cache = process.env.FLEECE_NODE_CACHE ?? join(homedir(), '.cache', 'fleece-node');
  for (const major of [20, 22, 24]) {
    if (process.versions.node.startsWith(`${major}.`)) continue;
    const path = join(cache, String(major), 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
    if (existsSync(path)) found.push({ version: spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim() || `v${major}`, path });
  }
  return found;
}

function once(node, code, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['-e', code], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out ? resolve(Number(out)) : reject(new Error(`${node} exited ${code}`))));
  });
}

/** Medians over `runs` fresh processes per (Node, way), interleaved. */
export async function measureSdkLoad(runs) {
  // From inside the workspace, so `@aws-sdk/*` resolves for both loaders.
  const cwd = bundleDir();
  const cases = nodes().flatMap((node) => Object.entries(WAYS).map(([way, code]) => ({ node, way, code, samples: [] })));
  try {
    for (let round = 0; round < runs; round++) {
      for (const c of rotate(cases, round)) c.samples.push(await once(c.node.path, c.code, cwd));
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  const rows = [];
  for (const node of new Set(cases.map((c) => c.node.version))) {
    const [req, imp] = Object.keys(WAYS).map((way) => median(cases.find((c) => c.node.version === node && c.way === way).samples));
    rows.push({ node, client: CLIENT, requireMs: req, importMs: imp, importToRequire: imp / req });
  }
  return { runs, rows };
}
