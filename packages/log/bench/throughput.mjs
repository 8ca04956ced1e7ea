// Lines per second to a null stream: @fleece/log against Powertools Logger, pino, winston and a raw
// JSON.stringify + write, same payload, same process, rounds interleaved. Medians and ratios.
//
//   cd packages/log && npm run build && node bench/throughput.mjs [rounds] [lines] [--json]
//
// With --json, the last line of the output is one JSON object with every figure (for tools/bench).
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { getLogger, injectRequestIds, setupRootLogger } from '@fleece/log';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';

const args = process.argv.slice(2).filter((arg) => arg !== '--json');
const json = process.argv.includes('--json');
const rounds = Number(args[0] ?? 9);
const lines = Number(args[1] ?? 50_000);

// One sink for everyone: a real Writable that drops what it gets, so stream costs are equal.
const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
const message = 'order processed';
const payload = {
  orderId: 'o-8f14e45f',
  customer: { id: 'c-1234', tier: 'gold' },
  items: [
    { sku: 'sku-1', quantity: 2, price: 9.99 },
    { sku: 'sku-2', quantity: 1, price: 24.5 },
  ],
  total: 44.48,
  express: true,
};
const lambdaContext = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', getRemainingTimeInMillis: () => 30_000 };
const apiEvent = { requestContext: { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } };

setupRootLogger({ stream: sink, level: 'info' });
const fleece = getLogger('bench');

const powertools = new PowertoolsLogger({ serviceName: 'bench', logLevel: 'INFO' });
// Powertools writes through a Console it owns; point it at the same sink.
powertools.console = new Console({ stdout: sink, stderr: sink });

const pinoLogger = pino({ level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, sink);

const winstonLogger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Stream({ stream: sink })],
});

// The cost of feeding a winston transport from @fleece/log: a winston-transport that does nothing,
// so the figure is the hand-over (info object, winston's Writable), not a second destination.
const fanout = getLogger('bench-fanout');
const idle = new winston.Transport({ log: (_info, next) => next() });
const withTransport = () => setupRootLogger({ stream: sink, level: 'info', transports: [idle] });
const plain = () => setupRootLogger({ stream: sink, level: 'info' });

const cases = {
  'raw JSON.stringify + write': () => {
    for (let i = 0; i < lines; i++) {
      sink.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level: 'info', logger: 'bench', message, ...payload })}\n`);
    }
  },
  '@fleece/log': () => {
    for (let i = 0; i < lines; i++) fleece.info(message, payload);
  },
  // The cost of the default redaction (key rules and the one-pass value scan of every string).
  '@fleece/log, redaction off': () => {
    setupRootLogger({ stream: sink, level: 'info', redact: [], redactValues: [] });
    for (let i = 0; i < lines; i++) fleece.info(message, payload);
    plain();
  },
  '@fleece/log in an invocation (request ids)': () =>
    injectRequestIds(async () => {
      for (let i = 0; i < lines; i++) fleece.info(message, payload);
    })(apiEvent, lambdaContext),
  '@fleece/log + an idle winston transport': () => {
    withTransport();
    for (let i = 0; i < lines; i++) fanout.info(message, payload);
    plain();
  },
  '@aws-lambda-powertools/logger': () => {
    for (let i = 0; i < lines; i++) powertools.info(message, payload);
  },
  pino: () => {
    for (let i = 0; i < lines; i++) pinoLogger.info(payload, message);
  },
  'winston createLogger (json)': () => {
    for (let i = 0; i < lines; i++) winstonLogger.info(message, payload);
  },
};

// Writes that the sink has not finished are flushed between cases, so no case pays for another.
const drain = () => new Promise((resolve) => setImmediate(resolve));

const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (const run of Object.values(cases)) await run(); // warm-up: JIT and lazy initialisation
await drain();
for (let round = 0; round < rounds; round++) {
  // Rotate the order so no case always runs first (or last) in a round.
  const names = Object.keys(cases);
  const order = names.slice(round % names.length).concat(names.slice(0, round % names.length));
  for (const name of order) {
    const start = process.hrtime.bigint();
    await cases[name]();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results[name].push(lines / seconds);
    await drain();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const powertoolsMedian = median(results['@aws-lambda-powertools/logger']);
const rawMedian = median(results['raw JSON.stringify + write']);
console.log(`node ${process.version}, ${rounds} rounds of ${lines} lines, median lines/s`);
console.log(`${'case'.padEnd(44)} ${'lines/s'.padStart(10)} ${'× Powertools'.padStart(13)} ${'× raw'.padStart(7)}`);
const report = { bench: 'log/throughput', node: process.version, rounds, lines, unit: 'lines/s', peers: ['@aws-lambda-powertools/logger', 'pino', 'raw JSON.stringify + write'], cases: {} };
for (const [name, values] of Object.entries(results)) {
  const m = median(values);
  // The ratio of each round's rates, then the median: both sides of a round saw the same load.
  const perRound = (to) => median(values.map((v, round) => v / results[to][round]));
  report.cases[name] = {
    linesPerSecond: m,
    toPowertools: perRound('@aws-lambda-powertools/logger'),
    toPino: perRound('pino'),
    toRaw: perRound('raw JSON.stringify + write'),
  };
  console.log(`${name.padEnd(44)} ${Math.round(m).toLocaleString('en-US').padStart(10)} ${(m / powertoolsMedian).toFixed(2).padStart(13)} ${(m / rawMedian).toFixed(2).padStart(7)}`);
}
if (json) console.log(JSON.stringify(report));
