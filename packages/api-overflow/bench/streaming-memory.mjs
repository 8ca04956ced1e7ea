// Peak RSS counts garbage not yet collected; "held after GC" collects every 100 ms and reads the
// bytes still referenced, which is what bounded memory means.
//
// Memory of streaming a large body through streamingResponse, beside a bare node:http server
// streaming the same source, in one process, one after the other (peak RSS is per process, so each
// case runs in a child process of its own, the order alternating over rounds).
//
// The streaming case runs the handler under @fleece/testing's emulation of Lambda's runtime
// (awslambda.streamifyResponse, HttpResponseStream's prelude and delimiter) behind a streaming
// Function URL on 127.0.0.1; the client reads the whole body over HTTP.
//
//   npx nx run-many -t build -p @fleece/api-overflow     # builds @fleece/testing too
//   cd packages/api-overflow && node --expose-gc bench/streaming-memory.mjs [MB] [rounds]
import { fork } from 'node:child_process';
import { request, createServer } from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const [, , sizeArg = '50', roundsArg = '3', child] = process.argv;
const sizeMb = Number(sizeArg);

function source() {
  // Fresh 64 KiB chunks: a body held anywhere would show in RSS.
  return Readable.from((function* () {
    for (let i = 0; i < sizeMb * 16; i++) yield Buffer.alloc(64 * 1024, i % 251);
  })());
}

function download(url) {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    }).end();
  });
}

async function measure(kind) {
  let server;
  let close;
  if (kind === 'streamingResponse') {
    const { installStreamingGlobal, startStreamingFunctionUrl } = await import('@fleece/testing');
    installStreamingGlobal();
    const { streamingResponse } = await import('@fleece/api-overflow');
    const handler = streamingResponse(async () => ({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: source() }));
    server = await startStreamingFunctionUrl(handler);
    close = () => server.close();
  } else {
    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      source().pipe(res);
    });
    await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
    server = { url: `http://127.0.0.1:${bare.address().port}` };
    close = () => new Promise((resolve) => bare.close(resolve));
  }
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  // Bytes still referenced: collect, then read the ArrayBuffer total. A body held anywhere shows here.
  let live = 0;
  const collector = setInterval(() => {
    globalThis.gc?.();
    live = Math.max(live, process.memoryUsage().arrayBuffers);
  }, 100);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const bytes = await download(`${server.url}/big`);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  clearInterval(collector);
  await close();
  if (bytes !== sizeMb * MB) throw new Error(`${kind}: got ${bytes} bytes`);
  return { kind, peakRssMb: peak / MB, growthMb: (peak - baseline) / MB, liveMb: live / MB, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (child) {
  process.removeAllListeners('warning');
  process.send(await measure(child));
  process.exit(0);
} else {
  const rounds = Number(roundsArg);
  const results = { streamingResponse: [], 'bare node:http': [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? Object.keys(results) : Object.keys(results).reverse();
    for (const kind of order) {
      const child = fork(fileURLToPath(import.meta.url), [sizeArg, roundsArg, kind], { execArgv: ['--expose-gc'] });
      results[kind].push(await new Promise((resolve, reject) => child.once('message', resolve).once('error', reject)));
    }
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`${sizeMb} MB streamed to an HTTP client on 127.0.0.1, medians of ${rounds} rounds, one child process per case:`);
  for (const [kind, runs] of Object.entries(results)) {
    console.log(
      `  ${kind.padEnd(18)} peak RSS ${median(runs.map((r) => r.peakRssMb)).toFixed(1)} MB (growth ${median(runs.map((r) => r.growthMb)).toFixed(1)} MB), most held after GC ${median(runs.map((r) => r.liveMb)).toFixed(1)} MB, wall ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms, CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`,
    );
  }
}
