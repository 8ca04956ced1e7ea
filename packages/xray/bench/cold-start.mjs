// Cold start of a traced handler: @fleece/xray vs Powertools Tracer, in one run.
//
//   cd packages/xray && npm run build && node bench/cold-start.mjs [rounds=15]
//
// Both handlers (bench/fixtures) are bundled by esbuild, minified, for Node 20, as ESM and as CJS
// (the Powertools ESM bundle gets the createRequire banner its docs require; ours needs none).
// Each round starts a fresh Node process per bundle, in a Lambda-like environment with a sampled
// trace, and measures the bundle's import and its first invocation. Medians over rounds.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const LABELS = { untraced: 'no tracing (baseline)', fleece: '@fleece/xray', powertools: 'Powertools Tracer' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function bundle(dir, name, format) {
  const outfile = join(dir, `${name}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  await build({
    entryPoints: [join(here, 'fixtures', `${name}-handler.mjs`)],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format,
    outfile,
    logLevel: 'error',
    ...(format === 'esm' && name === 'powertools' ? { banner: { js: BANNER } } : {}),
  });
  const bytes = readFileSync(outfile);
  return { outfile, bytes: bytes.length, gzip: gzipSync(bytes).length };
}

const PROBE = `
  const t0 = performance.now();
  const m = await import(process.env.BUNDLE_URL);
  const t1 = performance.now();
  await m.handler({ id: 'x' }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 });
  const t2 = performance.now();
  await m.handler({ id: 'y' }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 });
  const t3 = performance.now();
  console.log(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 }));
`;

async function main() {
  const rounds = Number(process.argv[2] ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'fleece-xray-bench-'));
  const sink = createSocket('udp4');
  let received = 0;
  sink.on('message', () => received++);
  await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve));
  try {
    const variants = [];
    for (const format of ['esm', 'cjs']) {
      for (const name of ['untraced', 'fleece', 'powertools']) variants.push({ name, format, ...(await bundle(dir, name, format)), runs: [] });
    }
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE], {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            BUNDLE_URL: pathToFileURL(variant.outfile).href,
            LAMBDA_TASK_ROOT: dir,
            _HANDLER: 'index.handler',
            AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
            AWS_LAMBDA_FUNCTION_NAME: 'bench',
            AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
            AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${sink.address().port}`,
            AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
            _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
          },
        });
        variant.runs.push(JSON.parse(stdout.trim().split('\n').pop()));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log(`node ${process.version}, esbuild minified bundles, ${rounds} cold processes per bundle, medians\n`);
    console.log('| bundle | bytes | gzip bytes | import ms | first invocation ms | import + first ms | second invocation ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const v of variants) {
      const importMs = median(v.runs.map((r) => r.importMs));
      const firstMs = median(v.runs.map((r) => r.firstMs));
      const total = median(v.runs.map((r) => r.importMs + r.firstMs));
      const second = median(v.runs.map((r) => r.secondMs));
      console.log(
        `| ${LABELS[v.name]} (${v.format}) | ${v.bytes} | ${v.gzip} | ${importMs.toFixed(1)} | ${firstMs.toFixed(1)} | ${total.toFixed(1)} | ${second.toFixed(2)} |`,
      );
    }
    for (const format of ['esm', 'cjs']) {
      const [f, p] = ['fleece', 'powertools'].map((name) => variants.find((v) => v.name === name && v.format === format));
      const ratio = (a, b) => (b / a).toFixed(2);
      const base = median(variants.find((v) => v.name === 'untraced' && v.format === format).runs.map((r) => r.importMs + r.firstMs));
      const fleeceMs = median(f.runs.map((r) => r.importMs + r.firstMs));
      const powertoolsMs = median(p.runs.map((r) => r.importMs + r.firstMs));
      console.log(
        `\n${format}: Powertools / @fleece/xray — size ${ratio(f.bytes, p.bytes)}×, import + first invocation ${ratio(fleeceMs, powertoolsMs)}×; ` +
          `added to the untraced baseline: @fleece/xray ${(fleeceMs - base).toFixed(1)} ms, Powertools ${(powertoolsMs - base).toFixed(1)} ms`,
      );
    }
    console.log(`\n(${received} documents reached the UDP sink: both tracers really sent.)`);
  } finally {
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
