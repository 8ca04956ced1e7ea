#!/usr/bin/env node
// Runs the code blocks of every package README that are marked runnable, so a README cannot drift
// from the code. A block is marked in its info string:
//
//   ```ts runnable
//   import { retry } from '@fleece/retry';
//   …
//   ```
//
// Each marked block runs as an ES module in a fresh Node process and passes when it exits 0 within
// the time limit (60 s). What a reader need not see but the run needs (a local server to call, an
// event to invoke the exported handler with, assertions on what it returned) goes in HTML comments
// right before and after the block, which Markdown renders as nothing:
//
//   <!-- runnable:before
//   import { createServer } from 'node:http';   // TypeScript too; imports are hoisted as usual
//   -->
//   ```ts runnable
//   …the example…
//   ```
//   <!-- runnable:after
//   const result = await handler({ url }, context);
//   if (result.statusCode !== 200) throw new Error(`got ${result.statusCode}`);
//   -->
//
// before + block + after are one module: esbuild bundles it (TypeScript stripped, @fleece/*
// packages from their sources through the `@fleece/source` condition, so nothing needs building;
// other packages stay imports resolved from node_modules), and Node runs it from the package folder.
//
//   node tools/readme/run-blocks.mjs [--only retry,aws] [--list]
// Prints a line per block, the READMEs without a runnable block, and `readme blocks: N passed,
// N failed`; exits 1 when a block failed.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { argument, root } from '../ci/workspace.mjs';
import { runnableBlocks } from './blocks.mjs';

const TIMEOUT_MS = 60_000;

/** Our own packages are bundled from source; every other bare import stays an import. */
const externalButFleece = {
  name: 'external-but-fleece',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@fleece/') ? undefined : { path: args.path, external: true }));
  },
};
const only = argument('--only')?.split(',');
const listOnly = process.argv.includes('--list');
const out = join(root, 'node_modules', '.cache', 'fleece-readme');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const readmes = readdirSync(join(root, 'packages'))
  .filter((dir) => !only || only.includes(dir))
  .map((dir) => join(root, 'packages', dir, 'README.md'))
  .filter((file) => existsSync(file));

let passed = 0;
let failed = 0;
const unmarked = [];
const started = Date.now();
for (const readme of readmes) {
  const blocks = runnableBlocks(readFileSync(readme, 'utf8'));
  const name = relative(root, readme);
  if (blocks.length === 0) unmarked.push(name);
  for (const block of blocks) {
    const label = `${name}:${block.line}`;
    if (listOnly) {
      console.log(`${label} (${block.language}${block.before ? ', with before' : ''}${block.after ? ', with after' : ''})`);
      continue;
    }
    const result = await runBlock(join(readme, '..'), block, join(out, `${name.replace(/[\\/]/g, '-')}-${block.line}.mjs`));
    if (result.ok) passed++;
    else failed++;
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${label} (${(result.ms / 1000).toFixed(1)} s)`);
    if (!result.ok) console.log(result.output.trim().split('\n').slice(-30).map((line) => `     ${line}`).join('\n'));
  }
}
if (unmarked.length) console.log(`no runnable block yet: ${unmarked.join(', ')}`);
if (!listOnly) console.log(`readme blocks: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed === 0 ? 0 : 1);

/** Bundles one block (with its hidden before and after) and runs it in a fresh Node from `cwd`. */
async function runBlock(cwd, block, outfile) {
  const begun = Date.now();
  const source = [block.before, block.code, block.after].filter(Boolean).join('\n');
  try {
    await build({
      stdin: { contents: source, resolveDir: cwd, loader: block.language === 'ts' ? 'ts' : 'js', sourcefile: 'README.md' },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      conditions: ['@fleece/source'],
      sourcemap: 'inline',
      logLevel: 'silent',
      // CommonJS code bundled into an ES module still finds `require`.
      banner: { js: "import { createRequire as __readmeRequire } from 'node:module'; const require = __readmeRequire(import.meta.url);" },
      plugins: [externalButFleece],
    });
  } catch (error) {
    return { ok: false, ms: Date.now() - begun, output: `esbuild: ${error.message}` };
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', outfile], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, ms: Date.now() - begun, output });
    });
  });
}

