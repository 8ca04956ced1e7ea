// The package-level benchmarks the runner calls, with the arguments that keep the whole
// `npm run bench` under about ten minutes on 2 shared cores. Every script is run with `--json`
// last: scripts with a JSON mode print their report as the last line; the others ignore the
// extra argument and the runner reads their human output (markdown tables) instead.
//
// `owner: 'colleague'` marks scripts in packages this folder does not own: if their output
// changes shape, the runner says it could not read them rather than failing.

export const BENCHES = [
  {
    id: 'retry',
    pkg: 'retry',
    script: 'bench/retry.bench.mjs',
    args: ['21', '40'],
    title: 'Retry kernel overhead per call (vs p-retry 7)',
  },
  {
    id: 'log-throughput',
    pkg: 'log',
    script: 'bench/throughput.mjs',
    args: ['9', '20000'],
    title: 'Logging lines/s (vs Powertools Logger, pino, raw)',
  },
  {
    id: 'log-cold-start',
    pkg: 'log',
    script: 'bench/cold-start.mjs',
    args: ['11'],
    title: 'Logger cold start, package script (cross-check of the cold-start table)',
  },
  {
    id: 'aws-overhead',
    pkg: 'aws',
    script: 'bench/overhead.mjs',
    args: ['50', '61'],
    title: 'AWS client overhead per call (vs a plain SDK v3 client)',
  },
  {
    id: 'http-throughput',
    pkg: 'http',
    script: 'bench/throughput.mjs',
    args: ['31', '300', '8'],
    title: 'HTTP overhead (vs raw got)',
  },
  {
    id: 'idempotency',
    pkg: 'idempotency',
    script: 'bench/idempotency.bench.mjs',
    args: [],
    env: { ROUNDS: '7', N: '100', N_CACHED: '2000', COLD: '5' },
    title: 'Idempotency overhead and DynamoDB requests (vs Powertools idempotency, same dynalite)',
  },
  {
    id: 'config-decrypt',
    pkg: 'config',
    script: 'bench/cold-start.mjs',
    args: ['7', '8'],
    owner: 'colleague',
    title: 'Config cold-start decrypt: KMS calls and ms, envelope vs per-chunk',
  },
  {
    id: 'xray-overhead',
    pkg: 'xray',
    script: 'bench/overhead.mjs',
    args: ['5', '10000'],
    owner: 'colleague',
    title: 'X-Ray cost per traced call (vs Powertools Tracer)',
  },
  {
    id: 'xray-cold-start',
    pkg: 'xray',
    script: 'bench/cold-start.mjs',
    args: ['9'],
    owner: 'colleague',
    title: 'X-Ray cold start, package script (ESM and CJS)',
  },
  {
    id: 'openapi',
    pkg: 'openapi',
    script: 'bench/openapi.bench.mjs',
    args: ['21', '40'],
    title: 'OpenAPI routing and validation per request (vs a hand-written router with ajv)',
  },
  {
    id: 'api-overflow',
    pkg: 'api-overflow',
    script: 'bench/overflow.bench.mjs',
    args: ['15', '3'],
    title: 'Large responses through S3 (vs the hand-written size check and PutObject + presign)',
  },
  {
    id: 'cfn-handler',
    pkg: 'cfn-handler',
    script: 'bench/handler.mjs',
    args: ['11', '5', '200'],
    owner: 'colleague',
    title: 'CloudFormation custom resource (vs the hand-written cfn-response handler)',
  },
  {
    id: 'testing-local-aws',
    pkg: 'testing',
    script: 'bench/local-aws.mjs',
    args: [],
    owner: 'colleague',
    title: 'Test tooling: local AWS over the wire vs aws-sdk-client-mock (what a test pays for realism; not a Lambda cost)',
  },
];
