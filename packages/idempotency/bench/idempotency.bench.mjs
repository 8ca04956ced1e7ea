// Overhead per invocation of @fleece/idempotency vs @aws-lambda-powertools/idempotency, against one
// local DynamoDB of @fleece/testing (in a child process, so its CPU is not counted here), with the
// DynamoDB requests each makes (counted by SDK middleware). Wall time includes the round trips; CPU
// time is this process only (the layer and the SDK), and the "raw SDK" row makes the same requests
// with no layer. The local DynamoDB returns the item with a failed condition when asked
// (ReturnValuesOnConditionCheckFailure: ALL_OLD), as DynamoDB does, so a replay takes the
// one-request path both libraries are built for: the requests table shows it.
//
//   npx nx run-many -t build -p @fleece/idempotency,@fleece/testing
//   cd packages/idempotency && node bench/idempotency.bench.mjs [--json]
//   (ROUNDS, N, N_CACHED and COLD from the environment; with --json the last line of the output
//   is one JSON object with every figure, for tools/bench)
//
// Scenarios, each per implementation with its own client and table:
//   first  — a new key every call: claim, run, store the result
//   replay — a key already completed, no local cache: the stored result comes back from DynamoDB
//   cached — the same key with the local cache on: answered from memory
// Rounds alternate which implementation goes first; figures are medians over rounds.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeIdempotent, IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createIdempotencyTable, DynamoDBPersistence, idempotent } from '@fleece/idempotency';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { execFileSync, spawn } from 'node:child_process';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const N = Number(process.env.N ?? 100);
const N_CACHED = Number(process.env.N_CACHED ?? 2000);
const COLD = Number(process.env.COLD ?? 7);
const json = process.argv.includes('--json');

const server = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import { startLocalAws } from '@fleece/testing'; const aws = await startLocalAws({ services: ['dynamodb'] }); console.log(JSON.stringify(aws.clientConfig('dynamodb')));",
  ],
  { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] },
);
const clientConfig = await new Promise((resolve) => server.stdout.once('data', (data) => resolve(JSON.parse(String(data).trim()))));

/** A client that counts the commands it sends. */
function countingClient() {
  const client = new DynamoDBClient(clientConfig);
  const counts = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts[context.commandName] = (counts[context.commandName] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
  return { client, counts };
}

const context = { functionName: 'bench', getRemainingTimeInMillis: () => 30_000, awsRequestId: 'r' };
const event = (key) => ({ headers: { 'idempotency-key': key }, body: '{"amount":5}', requestContext: { requestId: key } });
const handler = async (e) => ({ statusCode: 200, body: e.body });

let tableNo = 0;
async function table(client) {
  const tableName = `bench-${++tableNo}`;
  await createIdempotencyTable({ tableName, client });
  return tableName;
}

const implementations = {
  async fleece() {
    const { client, counts } = countingClient();
    const tableName = await table(client);
    const persistence = new DynamoDBPersistence({ tableName, client });
    const options = { persistence, key: 'headers."idempotency-key"', throwOnNoKey: true };
    return { counts, plain: idempotent(handler, options), cached: idempotent(handler, { ...options, localCache: true }) };
  },
  async powertools() {
    const { client, counts } = countingClient();
    const tableName = await table(client);
    const config = (useLocalCache) =>
      new IdempotencyConfig({
        eventKeyJmesPath: 'headers."idempotency-key"',
        throwOnNoIdempotencyKey: true,
        useLocalCache,
        maxLocalCacheSize: 1000,
      });
    // A Powertools persistence layer keeps the first configuration it sees: one per variant.
    const store = () => new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
    return {
      counts,
      plain: makeIdempotent(handler, { persistenceStore: store(), config: config(false) }),
      cached: makeIdempotent(handler, { persistenceStore: store(), config: config(true) }),
    };
  },
};

// The same requests as a first call and a replay, straight from the SDK: the floor of both layers
// (a replay is one PutItem whose failure carries the stored record).
implementations.raw = async () => {
  const { client, counts } = countingClient();
  const TableName = await table(client);
  const put = (key) =>
    client.send(
      new PutItemCommand({
        TableName,
        Item: { id: { S: key }, status: { S: 'INPROGRESS' }, expiration: { N: '9999999999' } },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  const plain = async (e) => {
    const key = e.headers['idempotency-key'];
    try {
      await put(key);
    } catch (error) {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
      const Item = error.Item ?? (await client.send(new GetItemCommand({ TableName, Key: { id: { S: key } }, ConsistentRead: true }))).Item;
      return JSON.parse(Item.data.S);
    }
    const result = await handler(e);
    await client.send(
      new UpdateItemCommand({
        TableName,
        Key: { id: { S: key } },
        UpdateExpression: 'SET #s = :c, #d = :d',
        ExpressionAttributeNames: { '#s': 'status', '#d': 'data' },
        ExpressionAttributeValues: { ':c': { S: 'COMPLETED' }, ':d': { S: JSON.stringify(result) } },
      }),
    );
    return result;
  };
  return { counts, plain, cached: null };
};

const subjects = {};
for (const [name, make] of Object.entries(implementations)) subjects[name] = await make();

const NAMES = ['fleece', 'powertools', 'raw'];
const sample = Object.fromEntries(NAMES.map((n) => [n, { first: [], replay: [], cached: [], firstCpu: [], replayCpu: [], cachedCpu: [] }]));
const requests = Object.fromEntries(NAMES.map((n) => [n, {}]));

/** Wall and CPU µs per call. */
async function timed(fn, n) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const wall = Number(process.hrtime.bigint() - start) / 1e3 / n;
  const used = process.cpuUsage(cpu);
  return [wall, (used.user + used.system) / n];
}

function snapshot(counts) {
  return { ...counts };
}
function delta(after, before, n) {
  const out = {};
  for (const [op, count] of Object.entries(after)) {
    const d = count - (before[op] ?? 0);
    if (d > 0) out[op] = d / n;
  }
  return out;
}

async function round(name, r, record) {
  const s = subjects[name];
  const keys = Array.from({ length: N }, (_, i) => `${name}-${r}-${i}`);
  let before = snapshot(s.counts);
  const first = await timed((i) => s.plain(event(keys[i]), context), N);
  const firstReq = delta(s.counts, before, N);
  before = snapshot(s.counts);
  const replay = await timed((i) => s.plain(event(keys[i]), context), N);
  const replayReq = delta(s.counts, before, N);
  let cached = [NaN, NaN];
  let cachedReq = {};
  if (s.cached) {
    const hot = `${name}-${r}-hot`;
    await s.cached(event(hot), context);
    before = snapshot(s.counts);
    cached = await timed(() => s.cached(event(hot), context), N_CACHED);
    cachedReq = delta(s.counts, before, N_CACHED);
  }
  if (record) {
    for (const [scenario, [wall, cpu]] of Object.entries({ first, replay, cached })) {
      sample[name][scenario].push(wall);
      sample[name][`${scenario}Cpu`].push(cpu);
    }
    requests[name] = { first: firstReq, replay: replayReq, cached: cachedReq };
  }
}

// Warm-up (JIT, SDK paths, connections), not recorded.
for (const name of Object.keys(subjects)) await round(name, 'warm', false);
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? ['fleece', 'powertools', 'raw'] : ['raw', 'powertools', 'fleece'];
  for (const name of order) await round(name, r, true);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
const fmtReq = (r) => {
  const entries = Object.entries(r);
  return entries.length === 0 ? '0' : entries.map(([op, n]) => `${n === 1 ? '' : `${n.toFixed(2)}× `}${op.replace(/Command$/, '')}`).join(' + ');
};

console.log(`node ${process.version}, ${ROUNDS} rounds, ${N} calls per round (${N_CACHED} cached), medians of per-call means`);
console.log('| scenario | measure | @fleece/idempotency | Powertools | fleece / Powertools | raw SDK, no layer |');
console.log('|---|---|---|---|---|---|');
for (const scenario of ['first', 'replay', 'cached']) {
  for (const [measure, field] of [['wall', scenario], ['CPU', `${scenario}Cpu`]]) {
    const [f, p, raw] = NAMES.map((n) => median(sample[n][field]));
    console.log(`| ${scenario} | ${measure} | ${fmt(f)} | ${fmt(p)} | ${(f / p).toFixed(2)} | ${Number.isNaN(raw) ? '—' : fmt(raw)} |`);
  }
}
console.log('');
console.log('| scenario | @fleece/idempotency requests | Powertools requests |');
console.log('|---|---|---|');
for (const scenario of ['first', 'replay', 'cached']) {
  console.log(`| ${scenario} | ${fmtReq(requests.fleece[scenario])} | ${fmtReq(requests.powertools[scenario])} |`);
}

// Cold import: a fresh process each time, as a Lambda cold start loads the module.
const importMs = (specifiers) =>
  Number(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); ${specifiers.map((s) => `await import('${s}');`).join(' ')} console.log(performance.now() - t);`,
      ],
      { cwd: import.meta.dirname, encoding: 'utf8' },
    ).trim(),
  );
const cold = { fleece: [], fleeceSdk: [], powertools: [] };
for (let i = 0; i < COLD; i++) {
  cold.fleece.push(importMs(['@fleece/idempotency']));
  cold.fleeceSdk.push(importMs(['@fleece/idempotency', '@aws-sdk/client-dynamodb', '@fleece/aws']));
  cold.powertools.push(importMs(['@aws-lambda-powertools/idempotency', '@aws-lambda-powertools/idempotency/dynamodb']));
}
console.log('');
console.log(`| cold import (median of ${COLD} processes) | ms |`);
console.log('|---|---|');
console.log(`| @fleece/idempotency | ${median(cold.fleece).toFixed(1)} |`);
console.log(`| @fleece/idempotency + the SDK and @fleece/aws it loads at the first request | ${median(cold.fleeceSdk).toFixed(1)} |`);
console.log(`| @aws-lambda-powertools/idempotency + /dynamodb (loads the SDK at import) | ${median(cold.powertools).toFixed(1)} |`);

if (json) {
  const report = { bench: 'idempotency/idempotency', node: process.version, rounds: ROUNDS, n: N, nCached: N_CACHED, coldProcesses: COLD, unit: 'µs per call', scenarios: {}, requests, coldImportMs: {} };
  for (const scenario of ['first', 'replay', 'cached']) {
    report.scenarios[scenario] = {};
    for (const [measure, field] of [['wall', scenario], ['cpu', `${scenario}Cpu`]]) {
      const [fleece, powertools, raw] = NAMES.map((n) => median(sample[n][field]));
      report.scenarios[scenario][measure] = { fleece, powertools, raw: Number.isNaN(raw) ? null : raw, fleeceToPowertools: fleece / powertools };
    }
  }
  for (const [name, values] of Object.entries(cold)) report.coldImportMs[name] = median(values);
  console.log(JSON.stringify(report));
}

server.kill();
process.exit(0);
