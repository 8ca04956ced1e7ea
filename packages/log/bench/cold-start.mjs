// Cold start: a minimal Lambda handler per logger, bundled and minified with esbuild as a deploy
// would (CommonJS, node20), then loaded in fresh Node processes. Reports the bundle size, the
// median time to load the bundle (module init, what Lambda bills as Init) and the median time to
// load it and log the first line (init + first invocation), with ratios to Powertools Logger.
//
//   cd packages/log && npm run build && node bench/cold-start.mjs [processes] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const json = process.argv.includes('--json');
const runs = Number(args[0] ?? 31);
const here = dirname(fileURLToPath(import.meta.url));

// Each handler: create the logger at module load, log one line with a small payload per invocation.
const handlers = {
  'no logger (baseline)': `
    export const handler = async (event, context) => ({ ok: true });`,
  '@fleece/log': `
    import { getLogger, injectRequestIds } from '@fleece/log';
    const logger = getLogger('handler');
    export const handler = injectRequestIds(async (event) => { logger.info('handled', { path: event.path }); return { ok: true }; });`,
  '@fleece/log + RetryTransport': `
    import { getLogger, injectRequestIds, RetryTransport, setupRootLogger } from '@fleece/log';
    import TransportStream from 'winston-transport';
    // A stand-in for a remote winston transport (CloudWatch, HTTP): winston-transport and nothing else.
    setupRootLogger({ transports: [new RetryTransport(new TransportStream({ log: (info, next) => next() }))] });
    const logger = getLogger('handler');
    export const handler = injectRequestIds(async (event) => { logger.info('handled', { path: event.path }); return { ok: true }; });`,
  '@aws-lambda-powertools/logger': `
    import { Logger } from '@aws-lambda-powertools/logger';
    const logger = new Logger({ serviceName: 'handler' });
    export const handler = async (event, context) => { logger.addContext(context); logger.info('handled', { path: event.path }); return { ok: true }; };`,
  pino: `
    import pino from 'pino';
    const logger = pino();
    export const handler = async (event, context) => { logger.child({ lambda_request_id: context.awsRequestId }).info({ path: event.path }, 'handled'); return { ok: true }; };`,
  'winston (createLogger + Console)': `
    import winston from 'winston';
    const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
    export const handler = async (event, context) => { logger.info('handled', { path: event.path, lambda_request_id: context.awsRequestId }); return { ok: true }; };`,
};

const out = mkdtempSync(join(tmpdir(), 'fleece-log-cold-'));
const bundles = {};
for (const [name, contents] of Object.entries(handlers)) {
  const outfile = join(out, `${Object.keys(bundles).length}.cjs`);
  await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  bundles[name] = { outfile, bytes: statSync(outfile).size, load: [], first: [] };
}

// Timed inside the fresh process, so node's own boot (the same for everyone) is left out.
const probe = `
  const start = process.hrtime.bigint();
  const { handler } = require(process.argv[1]);
  const loaded = process.hrtime.bigint();
  const context = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'bench', getRemainingTimeInMillis: () => 30000 };
  handler({ path: '/items', requestContext: { requestId: 'api-1' } }, context).then(() => {
    const first = process.hrtime.bigint();
    process.stderr.write(JSON.stringify({ load: Number(loaded - start) / 1e6, first: Number(first - start) / 1e6 }));
  });`;

for (let run = 0; run < runs; run++) {
  // Interleaved, so drift on a shared machine hits every handler alike.
  for (const bundle of Object.values(bundles)) {
    // stdout is a pipe, as in Lambda (where Node writes to it synchronously).
    const child = spawnSync(process.execPath, ['-e', probe, bundle.outfile], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.status !== 0) throw new Error(`${bundle.outfile} failed: ${child.stderr}`);
    const { load, first } = JSON.parse(child.stderr.toString());
    bundle.load.push(load);
    bundle.first.push(first);
  }
}
rmSync(out, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const reference = bundles['@aws-lambda-powertools/logger'];
const refLoad = median(reference.load);
const refFirst = median(reference.first);
console.log(`node ${process.version}, esbuild --bundle --minify (cjs, node20), median of ${runs} fresh processes`);
console.log(`${'handler'.padEnd(34)} ${'bytes'.padStart(8)} ${'load ms'.padStart(8)} ${'× PT'.padStart(6)} ${'+1st line ms'.padStart(13)} ${'× PT'.padStart(6)}`);
const report = { bench: 'log/cold-start', node: process.version, runs, reference: '@aws-lambda-powertools/logger', handlers: {} };
for (const [name, bundle] of Object.entries(bundles)) {
  const load = median(bundle.load);
  const first = median(bundle.first);
  report.handlers[name] = { bytes: bundle.bytes, loadMs: load, loadAndFirstLineMs: first, loadToReference: load / refLoad, firstToReference: first / refFirst };
  console.log(
    `${name.padEnd(34)} ${String(bundle.bytes).padStart(8)} ${load.toFixed(2).padStart(8)} ${(load / refLoad).toFixed(2).padStart(6)} ${first.toFixed(2).padStart(13)} ${(first / refFirst).toFixed(2).padStart(6)}`,
  );
}
if (json) console.log(JSON.stringify(report));
