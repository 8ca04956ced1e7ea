import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { startOtlpReceiver } from '@fleece/testing';
import { buildSync } from 'esbuild';

import { startCollector, type Collector } from './support/collector.js';
import { newSegmentId, newTraceId } from './support/trace.js';

const run = promisify(execFile);
let collector: Collector;
let dir: string;

beforeAll(async () => {
  collector = await startCollector();
  dir = mkdtempSync(join(tmpdir(), 'fleece-xray-esm-'));
});

afterAll(async () => {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

// aws-xray-sdk-core is CommonJS; bundled into an ES module its require() calls need help. Users
// should not have to add a createRequire banner: this bundle has none.
it('works as an esbuild ESM bundle of a traced handler, without a createRequire banner', async () => {
  const outfile = join(dir, 'handler.mjs');
  buildSync({
    entryPoints: [join(__dirname, 'fixtures', 'esm-handler.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    // Minifiers rename classes; Class.method names need keepNames (the README says so).
    keepNames: true,
    conditions: ['@fleece/source'],
    outfile,
    logLevel: 'silent',
  });
  const bundle = readFileSync(outfile, 'utf8');
  // The SDK is inside the bundle, not left to node_modules at run time.
  expect(bundle).toContain('{"format":"json","version":1}');

  const traceId = newTraceId();
  const parentId = newSegmentId();
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
    const result = await handler({ items: ['tea', 'coffee'] }, {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify({ result, requireLeaked: typeof globalThis.require }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env['PATH'] ?? '',
      LAMBDA_TASK_ROOT: dir,
      _HANDLER: 'handler.handler',
      AWS_XRAY_DAEMON_ADDRESS: collector.address,
      _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${parentId};Sampled=1`,
    },
    cwd: dir,
  });
  expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ result: { total: 900 }, requireLeaked: 'undefined' });

  const docs = await collector.waitFor(traceId, 4);
  const handler = docs.find((d) => d.name === '## handler.handler')!;
  const total = docs.find((d) => d.name === 'total')!;
  const quotes = docs.filter((d) => d.name === 'Prices.quote');
  expect(handler).toMatchObject({ parent_id: parentId, annotations: { ColdStart: true } });
  expect(total.parent_id).toBe(handler.id);
  expect(quotes.map((q) => q.parent_id)).toEqual([total.id, total.id]);
  expect(quotes.map((q) => q.annotations!['item']).sort()).toEqual(['coffee', 'tea']);
}, 30_000);

// The OpenTelemetry SDK is CommonJS too: the same bundle, told to use it, needs no banner either,
// and has sent its spans before the handler's promise settles.
it('works on the otel backend as the same ESM bundle, without a banner, spans sent before it returns', async () => {
  const receiver = await startOtlpReceiver();
  try {
    const outfile = join(dir, 'otel-handler.mjs');
    buildSync({
      entryPoints: [join(__dirname, 'fixtures', 'esm-handler.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      minify: true,
      keepNames: true,
      conditions: ['@fleece/source'],
      outfile,
      logLevel: 'silent',
    });
    const traceId = newTraceId();
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      const result = await handler({ items: ['tea'] }, {});
      console.log(JSON.stringify({ result, requireLeaked: typeof globalThis.require }));
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env['PATH'] ?? '',
        LAMBDA_TASK_ROOT: dir,
        _HANDLER: 'handler.handler',
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${newSegmentId()};Sampled=1`,
      },
      cwd: dir,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ result: { total: 300 }, requireLeaked: 'undefined' });
    // process.exit right after the handler: only a flush before it settled can have sent these.
    expect(receiver.spans(traceId.slice(2).replace('-', '')).map((s) => s.name).sort()).toEqual(['## handler.handler', 'Prices.quote', 'total']);
  } finally {
    await receiver.stop();
  }
}, 30_000);
