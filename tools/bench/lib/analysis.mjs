// Why we lose where we lose, and what it would take to win: one entry per cause, matched to the
// comparison ids it explains (see compare() in report.mjs for the ids). Written from reading the
// code, esbuild's --analyze output and CPU profiles, not generated; the runner prints a loss that
// matches no entry as "not analysed yet". Keep the figures here qualitative: the tables beside
// them carry this run's numbers.

const CAUSES = [
  {
    key: 'The zero-delay timer of @fleece/retry',
    match: /^retry\.failTwice$|^cold\.retry\.p-retry\..*\.total$/,
    why:
      '@fleece/retry always waits through its `sleep(delayMs)`, a `setTimeout`, even when the delay is 0 ms; Node clamps a 0 ms timer to at least 1 ms and needs a timers-phase turn to fire it. p-retry skips the timer when the delay is 0. The kernel itself is not the cost: with a sleep that resolves at once for 0 ms (the "no timer for a 0 ms wait" row), ours is faster than p-retry per retried call. The cold-start handler retries once with `base: 0`, so its first invocation pays that timer too.',
    win:
      'In packages/retry/src/retry.ts, skip `wait()` when `delayMs === 0` (after the abort check), keeping the timer for any positive delay: a one-line change in the retry package. It only shows with zero delays (`base: 0`, `retryOn` returning 0, `Retry-After: 0`); with the default 100 ms base the real wait dominates either way.',
  },
  {
    key: 'What @fleece/retry does that p-retry does not',
    match: /^cold\.retry\.p-retry\..*\.bytes$/,
    why: 'About 0.9 KB minified more than p-retry: invocation deadlines (AsyncLocalStorage), the shared retry budget, four jitter modes, `RetryError` with every attempt\'s error, and options validated with messages that name the option.',
    win: 'Not worth winning: each of those is used by every other fleece package. Dropping the validation messages would save a few hundred bytes at the cost of clear errors.',
  },
  {
    key: 'A wrapper measured against nothing (@fleece/aws)',
    match: /^cold\.aws\.aws-sdk\..*\.bytes$/,
    why:
      'The plain-SDK handler adds nothing to the SDK, so any wrapper is "larger": @fleece/aws brings about 8 KB (connect/read timeouts, the kernel retry strategy, the invocation-deadline middleware, client plugins, typed deadline errors) and @fleece/retry about 3 KB. With the SDK bundled the same handler is within 2 % of the plain one, and load + first call is on par in every bundling.',
    win: 'Nothing sensible to win: the bytes are the features, and they are 2 % of the DynamoDB client they wrap.',
  },
  {
    key: 'What @fleece/http adds on top of got',
    match: /^cold\.http\.got\..*$/,
    why:
      'The bundle is got (about 147 KB minified) plus @fleece/http (about 12 KB: timeouts, urllib3-style retries, typed errors, hooks, sessions) plus @fleece/retry (about 4 KB). got is loaded on the first request, not at import, so *load* is far below raw got\'s; *load + 1st* ends a few ms behind: got\'s own initialisation moved to the first request, plus ours on top of it (not profiled further; it moves by about as much between runs).',
    win: 'Bytes: nothing to win while got is the engine (the design choice). Time: a few ms once per container; not worth trading the lazy load for.',
  },
  {
    key: 'Loading the CommonJS AWS SDK with import() on Node 20 (and 22)',
    match: /^cold\.(idempotency|parameters)\.[a-z-]+\.cjs-sdk-external\.total$/,
    why:
      'Our packages load AWS SDK clients on first use with `import()` (so an app that never calls them never pays for them). In a CommonJS bundle with `@aws-sdk/*` external, esbuild keeps that `import()`, and on Node 20 importing the SDK\'s CommonJS build through the ES-module loader (which scans the whole file for its export names) takes about twice as long as `require()` of it; less on Node 22, about the same on Node 24 (see the table *Loading the AWS SDK* under Cold start). Powertools `require()`s the SDK at import, so it pays the cheap path (at Init rather than at the first call). In the ESM bundle, where both sides import, and in the all-bundled one, where esbuild resolves both to the same bundled code, we are on par or ahead.',
    win:
      'Bundle CommonJS with esbuild\'s `supported: { \'dynamic-import\': false }` (`--supported:dynamic-import=false`; in CDK `bundling.esbuildArgs`), which turns those `import()`s into lazy `require()`s: the same laziness at the cheap price. Make `fleece build --format cjs` set it (packages/cli/src/build/build-function.ts) and say so in the packages\' READMEs. On the nodejs24.x runtime the gap is gone.',
  },
  {
    key: 'The same SDK on both sides: run-to-run noise',
    match: /^cold\.aws\.aws-sdk\..*\.total$|^cold\.(idempotency|parameters)\.[a-z-]+\.(esm-sdk-external|cjs-bundled)\.total$/,
    why:
      'In these bundlings both handlers load the same AWS SDK client the same way (statically, or both through the ES-module loader, or both bundled), and that load, 60–100 ms on this machine, is nearly all of *load + 1st*; what our layer adds on top is a few ms at most. These comparisons move between about 0.9× and 1.2× from one run to the next here, more when other jobs load the machine (a separate, quiet 31-process run of the @fleece/aws pair gave 80.7 ms vs 81.5 ms), so a "loss" of 10–20 % in one run is the machine, not the code.',
    win: 'Nothing in the layer. Read the bytes and the CommonJS/SDK-external row, where the loading path does differ (see the `import()` entry).',
  },
  {
    key: 'The per-request hooks of @fleece/aws',
    match: /^aws\.cpu$/,
    why:
      '`client()` adds, per request, a timer for the read timeout, an abort hook tied to the invocation deadline and a middleware that turns a deadline hit into a typed error (see packages/aws/README.md: a few % of CPU against this loopback server). The client and the server share this benchmark\'s process, so the ratio also moves with the machine\'s load: from 1.02× to 1.13× between runs here.',
    win: 'Against a real AWS endpoint a call takes milliseconds and this is noise. If it ever matters: create the timer only when a read timeout is set and reuse the abort listener per client.',
  },
  {
    key: 'One KMS call either way for a 4 KB configuration',
    match: /^config\..*\.ms$/,
    why:
      'At 4 KB both formats make exactly one KMS call, so the comparison is the local work around it: `loadConfig` checks and identifies the artifact, decrypts the data key, then the AES-GCM blob, then parses and deep-freezes the result (shared by every invocation), where the chunked format parses one KMS plaintext. That is about a millisecond, visible only because the local KMS answers in well under one; it has ranged from 0.99× to 1.29× between runs. From 64 KB on, one call instead of 16 to 128 wins by 15–55×.',
    win: 'Not worth chasing: a millisecond once per container. The freeze could be skipped for configurations the caller promises not to mutate, but that would trade safety for it.',
  },
  {
    key: 'The JMESPath library in @fleece/idempotency',
    match: /^cold\.idempotency\.[a-z-]+\..*\.bytes$/,
    why:
      'Of the 49 KB, the `jmespath` package is 21 KB (44 %), @fleece/idempotency 14 KB, @fleece/aws 8 KB (the default client\'s timeouts and kernel retries) and @fleece/retry 4 KB. Powertools carries its own, more modular JMESPath and builds a plain SDK client, so it lands a few KB lower.',
    win: 'Select keys with a small built-in path reader for the common forms (`headers."idempotency-key"`, `body.orderId`) and load `jmespath` lazily only for real expressions (filters, functions): about 20 KB less, smaller than Powertools.',
  },
  {
    key: 'The default client of @fleece/config getParameter',
    match: /^cold\.parameters\.[a-z-]+\..*\.bytes$/,
    why: 'Of the 15 KB, @fleece/aws is 8 KB and @fleece/retry 3 KB: getParameter builds its default SSM client with fleece\'s timeouts and kernel retries, where Powertools builds a plain SSMClient. The parameter code itself (2.5 KB) is smaller than Powertools\' provider.',
    win: 'Only by giving up the timeouts and kernel retries on the default client, which is the point of the package family. Not worth it for 2 KB.',
  },
  {
    key: 'What @fleece/cfn-handler guarantees that a hand-written handler does not',
    match: /^cold\.cfn-handler\..*$|^cfn\.warm$/,
    why:
      'The hand-written handler is one `https.request` with no retry, no size rules and no guard. @fleece/cfn-handler adds the invocation deadline guard (a FAILED answer before Lambda kills the function), retried PUTs on the @fleece/retry kernel, the 4 KB body rules, the secret scan of Data, and a fresh connection per answer on purpose (a keep-alive socket may have died while the container was frozen); warm, both sides here open a fresh connection, so the rest of the gap is that work. Everything bundled, the bundle also carries the CloudFormation, Lambda and Secrets Manager clients its rarer features load on demand (stack status on Update/Delete, polling, secret references): parsed at Init even when never run.',
    win:
      'Warm: nothing that matters against the seconds a CloudFormation operation takes. All-bundled cold start: move the rarely used features behind subpath entry points (`@fleece/cfn-handler/secrets`, `/polling`) so a handler that does not use them does not bundle those clients, or document marking them external.',
  },
  {
    key: 'Two passes per line in @fleece/log',
    match: /^log\.(pino|raw)$/,
    why:
      'Each line is walked once to make the fields JSON-safe and to redact (default redaction on, cycles, BigInt, Errors, throwing getters), copied into a record with the request ids, and then walked again by `JSON.stringify`; plus `new Date().toISOString()` per line. pino redacts nothing unless asked and serialises the payload in one pass behind pre-serialised bindings; the raw row does only the stringify and the timestamp. (Powertools Logger, which does similar work, is well behind @fleece/log.)',
    win:
      'One pass: serialise with a `JSON.stringify` replacer that redacts, stops cycles and converts BigInt/Errors as it goes (no intermediate copy); pre-serialise the logger\'s bound keys and the invocation\'s request ids once per invocation; cache the ISO timestamp per millisecond. That should reach pino\'s rate with redaction still on.',
  },
  {
    key: 'What @fleece/http does per request',
    match: /^http\.(raw|same)$/,
    why:
      'Against raw got with no timeouts, part of the gap is having timeouts at all (got\'s timers; compare the two raw got rows). Against got with the same timeouts, the rest is ours, tens of µs of CPU per request: options parsed and validated per call, the precedence layers (request, session, global defaults) resolved per call, the retry kernel and the deadline bound computed per attempt, the hooks merged, and got normalising a fresh options object each time.',
    win:
      'Resolve and cache the merged options per (session, options object) instead of per call, create the deadline-bounded timeout only when a deadline is set, and call a `got.extend()`ed instance that already holds the session defaults so got does not re-normalise them. Against any real network the request itself takes milliseconds and the gap disappears.',
  },
  {
    key: 'Round-trip noise in the idempotency replay wall time',
    match: /^idempotency\.replay\.wall$/,
    why: 'A replay is two DynamoDB round trips to dynalite in another process on a busy 2-core machine; the CPU time of the same calls (the steadier measure) is on par, and the request count is the same (PutItem fails its condition, then GetItem).',
    win: 'Nothing to win in the layer; re-run to see it move inside the noise. (Both layers ask for the old item with the failed PutItem, `ReturnValuesOnConditionCheckFailure: ALL_OLD`; dynalite does not return it, so both fall back to a GetItem here. Against real DynamoDB a replay is one request for either.)',
  },
  {
    key: 'Noise in the api-overflow comparisons',
    match: /^overflow\./,
    why:
      'Both sides do the same work: under the limit, the same `JSON.stringify` + `Buffer.byteLength` of the whole result; over it, the same PutObject and presigned GET through the same S3 client. Between runs on this machine these ratios swing by about ±20 % either way (the 7 MiB case writes to s3rver\'s disk and churns 7 MB buffers), so a loss here is not a difference between the two.',
    win:
      'Nothing to fix against the hand-written version. Both could be cheaper under the limit, where every response pays the size check (about 0.5 ms for 256 KB): bound the size first (body length × 6 plus the headers) and stringify only when the bound reaches the threshold.',
  },
  {
    key: 'The request normalisation in @fleece/openapi',
    match: /^openapi\./,
    why:
      'Per request, @fleece/openapi turns the whole event into a normalised request (every header and query parameter copied into lower-cased multi-value arrays, cookies parsed, a string body turned into a Buffer and back), validates each parameter location, and rebuilds the response\'s header maps; a CPU profile shows the header merge, validation and response formatting on top, with garbage collection behind them. The hand-written floor looks up only what its two routes use. The difference is a few µs per request, against milliseconds of Lambda overhead per invocation.',
    win:
      'Normalise lazily: read only the parameters the matched operation declares (the compiled operation knows their names), keep string bodies as strings, and pass a response\'s headers through when there is nothing to merge. Separately, at cold start `openapi()` compiles every schema with two ajv instances (tens of ms of Init, see the cold-start table): compile per operation on its first request, or precompile the validators with ajv\'s standalone code at `fleece build` time.',
  },
];

/**
 * What a package without a peer costs at cold start, and what would make it cheaper: printed
 * under "Costs without a peer" beside the group's measured figures.
 */
export const NOTES = {
  openapi:
    'Init is dominated by `openapi()` itself: every schema of the document compiled at load by two ajv instances, each with ajv-formats. Of the 259 KB bundle, `yaml` is 112 KB and ajv 102 KB; yaml is bundled even when the document is passed as an object, because the module imports it statically for file specs. To make it cheaper: parse YAML files behind a subpath export or have `fleece build` turn them into JSON (−112 KB, −43 %), and compile each operation\'s validators on its first request or precompile them with ajv\'s standalone code at build time (most of the Init time).',
  'api-overflow':
    'With the SDK external it is 15 KB (of which @fleece/aws 8 KB and @fleece/retry 3 KB, for the default S3 client). All bundled, the S3 client and the presigner make up nearly all of the bundle although a response under the limit never loads them, and V8 parses them at Init: leave `@aws-sdk/*` external, or split `overflow` from `longRunning` entry points. Per response under the limit, the size check `JSON.stringify`s the whole result (about 0.5 ms for 256 KB, the same as a hand-written check, see the per-invocation table); a cheap upper bound first (body length × 6 plus the headers) would skip it for every body under about 1 MB.',
  config:
    'The first invocation of loadConfig includes loading the KMS client and one KMS Decrypt for the whole configuration, whatever its size (see the decrypt table); the module itself loads in a few ms (ajv and yaml are only imported by the functions that need them).',
};

/** The explanation of a losing comparison, or undefined when nobody has analysed it yet. */
export function explain(comparison) {
  const cause = CAUSES.find((c) => c.match.test(comparison.id));
  return cause ? { key: cause.key, why: cause.why, win: cause.win } : undefined;
}
