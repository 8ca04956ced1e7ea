// Cold-start decryption of a stage's configuration: @fleece/config's envelope artifact (one KMS
// Decrypt, then AES-256-GCM) against the Python fleece's `render --encrypt` format (the JSON text
// cut into 4 KB chunks, one KMS Encrypt each, so one KMS Decrypt per chunk at cold start), for
// 4 KB, 64 KB and 512 KB configurations, in one run, against @fleece/testing's local KMS.
//
//   (cd packages/testing && npm run build)   # the local KMS, if not built yet
//   cd packages/config && npm run build && node bench/cold-start.mjs [rounds] [latency-ms]
//
// Each round decrypts each variant once from a cold cache, alternating which goes first. The
// local KMS answers in well under a millisecond, far faster than KMS does from a Lambda; a second
// pass adds `latency-ms` (default 8) before every KMS request, client-side, to show what the call
// count costs at a realistic round trip. Prints medians, the KMS calls counted at the server, and
// the ratios.
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKeyProvider, loadConfig, resetConfigCache, sealArtifact } from '@fleece/config';
import { startLocalAws } from '@fleece/testing';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

process.removeAllListeners('warning'); // the SDK's Node-version notice is not a result

const rounds = Number(process.argv[2] ?? 15);
const latency = Number(process.argv[3] ?? 8);
const sizes = [4 * 1024, 64 * 1024, 512 * 1024];
const CHUNK = 4096;

const aws = await startLocalAws({ services: ['kms'] });
const setup = new KMSClient(aws.clientConfig('kms'));
const { KeyMetadata } = await setup.send(new CreateKeyCommand({}));
await setup.send(new CreateAliasCommand({ AliasName: 'alias/bench', TargetKeyId: KeyMetadata.KeyId }));

/** A configuration whose JSON text is just under `bytes` long: sections of secrets and settings. */
function configOf(bytes) {
  const config = { service: 'bench', sections: {} };
  for (let i = 0; ; i++) {
    const section = `section${i % 50}`;
    const before = JSON.stringify(config);
    config.sections[section] ??= {};
    config.sections[section][`key${i}`] = randomBytes(24).toString('base64');
    if (JSON.stringify(config).length > bytes) return JSON.parse(before);
  }
}

/** A KMS client, optionally delaying each request by `delay` ms before it is sent. */
function kmsClient(delay) {
  const client = new KMSClient(aws.clientConfig('kms'));
  if (delay > 0) client.middlewareStack.add((next) => async (args) => (await sleep(delay), next(args)), { step: 'finalizeRequest', name: 'benchLatency' });
  return client;
}

/** The Python fleece's encrypted render: 4 KB chunks of the JSON text, one KMS Encrypt each. */
async function chunkedArtifact(config) {
  const text = JSON.stringify(config);
  const blobs = [];
  for (let at = 0; at < text.length; at += CHUNK) {
    const { CiphertextBlob } = await setup.send(new EncryptCommand({ KeyId: 'alias/bench', Plaintext: Buffer.from(text.slice(at, at + CHUNK)) }));
    blobs.push(Buffer.from(CiphertextBlob).toString('base64'));
  }
  return blobs;
}

/** The Python fleece's load_config(): one Decrypt per chunk, in order, then one JSON parse. */
async function loadChunked(blobs, kms) {
  let text = '';
  for (const blob of blobs) text += Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(blob, 'base64') }))).Plaintext).toString('utf8');
  return JSON.parse(text);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function timed(fn) {
  aws.resetRequests();
  const start = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, calls: aws.requests('kms').length, value };
}

const results = [];
for (const size of sizes) {
  const config = configOf(size);
  const envelope = await sealArtifact(config, { stage: 'bench', key: 'alias/bench', keys: createKeyProvider({ kms: setup }) });
  const chunked = await chunkedArtifact(config);
  for (const delay of [0, latency]) {
    const kms = kmsClient(delay);
    // Warm the client's connection and the code paths once, so each round measures decryption.
    resetConfigCache();
    await loadConfig({ artifact: envelope, kms });
    await loadChunked(chunked, kms);
    const times = { envelope: [], chunked: [] };
    const calls = { envelope: 0, chunked: 0 };
    const variants = {
      envelope: () => (resetConfigCache(), loadConfig({ artifact: envelope, kms })),
      chunked: () => loadChunked(chunked, kms),
    };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? ['chunked', 'envelope'] : ['envelope', 'chunked'];
      for (const name of order) {
        const { ms, calls: counted, value } = await timed(variants[name]);
        if (value.service !== 'bench') throw new Error(`${name} decrypted the wrong configuration`);
        times[name].push(ms);
        calls[name] = counted;
      }
    }
    kms.destroy();
    const e = median(times.envelope);
    const c = median(times.chunked);
    results.push({ size, delay, calls, e, c });
  }
}

setup.destroy();
await aws.stop();

const kb = (bytes) => `${bytes / 1024} KB`;
console.log(`cold-start decryption, median of ${rounds} rounds; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
console.log('| config | added KMS latency | KMS calls: envelope | KMS calls: 4 KB chunks | envelope ms | 4 KB chunks ms | chunks / envelope |');
console.log('|---|---|---|---|---|---|---|');
for (const { size, delay, calls, e, c } of results) {
  console.log(`| ${kb(size)} | ${delay} ms | ${calls.envelope} | ${calls.chunked} | ${e.toFixed(2)} | ${c.toFixed(2)} | ${(c / e).toFixed(1)}× |`);
}
