// Per-call overhead of a client made by @fleece/aws's client() against a plain AWS SDK v3 client,
// both calling the same local DynamoDB JSON-protocol server in the same run.
//
//   cd packages/aws && npm run build && node bench/overhead.mjs [calls-per-round] [rounds] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
// Prints the median time per call of each variant over the rounds, and the ratios to plain.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { withDeadline } from '@fleece/retry';
import { client } from '@fleece/aws';
import { createServer } from 'node:http';
import os from 'node:os';

process.removeAllListeners('warning'); // the SDK's Node-version notice is not a result

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const json = process.argv.includes('--json');
const calls = Number(args[0] ?? 50);
const rounds = Number(args[1] ?? 151);

const payload = JSON.stringify({ Item: { pk: { S: 'a' }, n: { N: '1' } } });
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(payload) });
    response.end(payload);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${server.address().port}`;
const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' } };

const plain = new DynamoDBClient(config);
const fleece = client(DynamoDBClient, config);
const command = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

const variants = {
  'plain SDK client': (run) => run(plain),
  'client()': (run) => run(fleece),
  // AsyncLocalStorage (which carries the deadline) slows every await; this row measures that alone.
  'plain SDK in withDeadline': (run) => withDeadline(Date.now() + 60_000, () => run(plain)),
  'client() in withDeadline': (run) => withDeadline(Date.now() + 60_000, () => run(fleece)),
};

// Wall time per call, and CPU time per call (client and server share this process, so CPU time
// counts both; it is less disturbed than wall time by other processes on a busy machine).
async function round(variant) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await variants[variant](async (c) => {
    for (let i = 0; i < calls; i++) await c.send(command());
  });
  const used = process.cpuUsage(cpu);
  return {
    wall: Number(process.hrtime.bigint() - start) / 1e6 / calls,
    cpu: (used.user + used.system) / 1e3 / calls,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Warm up every variant (lazy SDK modules, keep-alive sockets, JIT) before measuring.
for (const variant of Object.keys(variants)) await round(variant);

const samples = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round so no variant always runs first or last.
  const order = Object.keys(variants);
  for (let i = 0; i < r % order.length; i++) order.push(order.shift());
  for (const variant of order) samples[variant].push(await round(variant));
}

const wall = (v) => median(samples[v].map((s) => s.wall));
const cpu = (v) => median(samples[v].map((s) => s.cpu));
const plainName = 'plain SDK client';
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${rounds} rounds × ${calls} sequential GetItem calls`);
console.log('variant                      wall ms/call  ratio   CPU ms/call  ratio');
const report = { bench: 'aws/overhead', node: process.version, calls, rounds, reference: plainName, variants: {} };
for (const variant of Object.keys(samples)) {
  const w = wall(variant);
  const c = cpu(variant);
  report.variants[variant] = { wallMsPerCall: w, cpuMsPerCall: c, wallToPlain: w / wall(plainName), cpuToPlain: c / cpu(plainName) };
  console.log(
    `${variant.padEnd(28)} ${w.toFixed(4).padStart(12)}  ${(w / wall(plainName)).toFixed(3)}  ${c.toFixed(4).padStart(11)}  ${(c / cpu(plainName)).toFixed(3)}`,
  );
}

if (json) console.log(JSON.stringify(report));

plain.destroy();
fleece.destroy();
server.close();
