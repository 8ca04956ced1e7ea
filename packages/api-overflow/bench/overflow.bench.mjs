// Cost of overflow() per response, in one run, against what a team writes by hand:
//
// 1. Under the threshold (the common case: every response pays the size check): a 256 KiB JSON
//    response through overflow(), through a hand-written `Buffer.byteLength(JSON.stringify(result))`
//    check, and with no check at all (the floor).
// 2. Over the threshold: a 7 MiB body stored in S3 and answered with a 303 to a presigned URL,
//    through overflow() and through the hand-written PutObject + getSignedUrl, the same S3 client,
//    against @fleece/testing's local S3 (s3rver) on 127.0.0.1.
//
// Rounds interleave the cases (order alternating); medians of the mean time per response, and the
// ratio to the hand-written version taken within each round, then the median.
//
//   (cd packages/testing && npm run build)   # the local S3, if not built yet
//   cd packages/api-overflow && npm run build && node bench/overflow.bench.mjs [rounds] [large-per-round] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { overflow, serializedSize } from '@fleece/api-overflow';
import { startLocalAws } from '@fleece/testing';
import { randomUUID } from 'node:crypto';
import os from 'node:os';

process.removeAllListeners('warning'); // the SDK's Node-version notice is not a result

const args = process.argv.slice(2).filter((a) => a !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 15);
const largePerRound = Number(args[1] ?? 3);
const smallTargetMs = 40;

const aws = await startLocalAws({ services: ['s3'] });
const s3 = new S3Client(aws.clientConfig('s3'));
const Bucket = 'bench-overflow';
await s3.send(new CreateBucketCommand({ Bucket }));

const THRESHOLD = 6 * 1024 * 1024 - 64 * 1024;
const rows = Array.from({ length: 2900 }, (_, i) => ({ id: `row-${i}`, name: `item number ${i}`, price: i * 1.5, tags: ['a', 'b'] }));
const smallBody = JSON.stringify(rows); // about 256 KiB
const largeBody = 'x'.repeat(7 * 1024 * 1024);
const respond = (body) => async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body });
const event = { path: '/reports/today', httpMethod: 'GET', headers: {}, requestContext: { requestId: 'api-1', stage: 'prod' } };
const context = { awsRequestId: 'r', functionName: 'bench', getRemainingTimeInMillis: () => 30_000 };

// The hand-written versions: the same size rule, the same S3 calls, no library.
const handwritten = (inner) => async (e, c) => {
  const result = await inner(e, c);
  if (Buffer.byteLength(JSON.stringify(result), 'utf8') <= THRESHOLD) return result;
  const Key = `${randomUUID()}`;
  await s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from(result.body), ContentType: result.headers['content-type'] }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 });
  return { statusCode: 303, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
};

const scenarios = {
  small: {
    title: `${(serializedSize({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: smallBody }) / 1024).toFixed(0)} KiB response (serialized), under the threshold`,
    cases: {
      'no check (floor)': respond(smallBody),
      '@fleece/api-overflow overflow()': overflow(respond(smallBody), { bucket: Bucket, s3Client: s3 }),
      'hand-written size check': handwritten(respond(smallBody)),
    },
  },
  large: {
    title: '7 MiB response, stored in S3 and answered with a 303',
    cases: {
      '@fleece/api-overflow overflow()': overflow(respond(largeBody), { bucket: Bucket, s3Client: s3 }),
      'hand-written PutObject + getSignedUrl': handwritten(respond(largeBody)),
    },
  },
};
const PEER = { small: 'hand-written size check', large: 'hand-written PutObject + getSignedUrl' };
const OURS = '@fleece/api-overflow overflow()';

// Both must answer alike: the small one untouched, the large one a 303 whose URL serves the body.
for (const [scenario, { cases }] of Object.entries(scenarios)) {
  for (const [name, fn] of Object.entries(cases)) {
    const result = await fn(event, context);
    const expected = scenario === 'small' ? 200 : 303;
    if (result.statusCode !== expected) throw new Error(`${name} answered ${result.statusCode}, expected ${expected}`);
    if (scenario === 'large') {
      const location = result.headers.location ?? result.headers.Location;
      const fetched = await fetch(location);
      if ((await fetched.text()).length !== largeBody.length) throw new Error(`${name}: the presigned URL did not serve the body`);
    }
  }
}

async function timeCalls(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(event, context);
  return Number(process.hrtime.bigint() - start) / n;
}

const calls = {};
for (const [name, fn] of Object.entries(scenarios.small.cases)) {
  for (const until = performance.now() + smallTargetMs; performance.now() < until; ) await timeCalls(fn, 4);
  let n = 4;
  let ns = await timeCalls(fn, n);
  while (n * ns < smallTargetMs * 1e5) ns = await timeCalls(fn, (n *= 2));
  calls[name] = Math.max(10, Math.round((smallTargetMs * 1e6) / ns));
}

const samples = Object.fromEntries(Object.entries(scenarios).map(([s, { cases }]) => [s, Object.fromEntries(Object.keys(cases).map((n) => [n, []]))]));
for (let round = 0; round < rounds; round++) {
  for (const [scenario, { cases }] of Object.entries(scenarios)) {
    const names = Object.keys(cases);
    for (const name of round % 2 ? names.slice().reverse() : names) {
      samples[scenario][name].push(await timeCalls(cases[name], scenario === 'small' ? calls[name] : largePerRound));
    }
  }
}

s3.destroy();
await aws.stop();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);

const report = { bench: 'api-overflow/overflow', node: process.version, rounds, largePerRound, thresholdBytes: THRESHOLD, smallBytes: serializedSize(await respond(smallBody)()), scenarios: {} };
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${rounds} rounds; medians of the mean time per response`);
for (const [scenario, { title }] of Object.entries(scenarios)) {
  console.log(`\n${title}`);
  console.log(`| case | time per response | ratio to ${PEER[scenario]} (same round) |`);
  console.log('|---|---:|---:|');
  report.scenarios[scenario] = { title, peer: PEER[scenario], ours: OURS, cases: {} };
  for (const [name, values] of Object.entries(samples[scenario])) {
    const ns = median(values);
    const ratio = median(values.map((v, r) => v / samples[scenario][PEER[scenario]][r]));
    report.scenarios[scenario].cases[name] = { nsPerCall: ns, ratioToPeer: ratio };
    console.log(`| ${name} | ${fmt(ns)} | ${ratio.toFixed(2)} |`);
  }
  report.scenarios[scenario].ratio = report.scenarios[scenario].cases[OURS].ratioToPeer;
}
if (json) console.log(JSON.stringify(report));
