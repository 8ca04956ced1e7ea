// Turns the runner's results into BENCHMARKS.md: the machine, how to reproduce, an at-a-glance table
// of every comparison with a peer, the cold-start tables, each per-invocation benchmark, and where
// we lose (with why, and what it would take to win).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCHES } from '../benches.mjs';
import { BUDGET_MODE, HANDLERS, MODES, NO_PEER } from '../cold-start/catalog.mjs';
import { ROOT } from '../cold-start/measure.mjs';
import { explain, NOTES } from './analysis.mjs';
import { findTable, markdownTables, numberIn } from './parse.mjs';
import { describeMachine } from './stats.mjs';

// Differences smaller than these are called "on par": timings on a shared machine drift by more.
const PAR = { time: 0.1, rate: 0.1, bytes: 0.02, count: 0 };

/** @returns {string} the whole of BENCHMARKS.md */
export function renderReport(results) {
  const comparisons = [];
  const sections = [];
  sections.push(renderColdStart(results, comparisons));
  sections.push(renderBudgets(results));
  sections.push('## Per invocation\n');
  for (const bench of BENCHES) {
    const result = results.benches[bench.id];
    if (!result) continue;
    sections.push(renderBench(bench, result, comparisons));
  }
  return [
    renderHeader(results),
    renderGlance(comparisons),
    ...sections,
    renderLosses(comparisons),
    renderNoPeer(results),
    renderGaps(results),
  ]
    .filter(Boolean)
    .join('\n');
}

// --- comparisons ----------------------------------------------------------------------------------

/**
 * One comparison of ours with a peer. `ratio` is ours ÷ peer of the measured quantity (time,
 * bytes, count, or rate); `kind` says which way is better.
 */
function compare(list, { id, area, what, ours, peer, ratio, kind, oursText, peerText, glance = true }) {
  if (!Number.isFinite(ratio)) return;
  const lowerIsBetter = kind !== 'rate';
  const par = PAR[kind];
  let verdict;
  if (Math.abs(ratio - 1) <= par) verdict = 'par';
  else verdict = (ratio < 1) === lowerIsBetter ? 'win' : 'lose';
  list.push({ id, area, what, ours, peer, ratio, kind, verdict, oursText, peerText, glance });
}

function verdictText(c) {
  const factor = c.ratio >= 1 ? c.ratio : 1 / c.ratio;
  const words = { time: ['faster', 'slower'], rate: ['faster', 'slower'], bytes: ['smaller', 'larger'], count: ['fewer', 'more'] }[c.kind];
  if (c.verdict === 'par') return `on par (${c.ratio.toFixed(2)}×)`;
  const word = c.verdict === 'win' ? words[0] : words[1];
  const text = c.kind === 'count' ? `${word} (${c.oursText} vs ${c.peerText})` : `${factor.toFixed(2)}× ${word}`;
  return c.verdict === 'win' ? `**${text}**` : `${text} ⚠`;
}

function renderGlance(comparisons) {
  if (comparisons.length === 0) return '';
  const lines = ['## At a glance\n'];
  lines.push(
    `Every comparison of ours with a peer in this run. "on par" means within ±${PAR.time * 100} % for times and rates ` +
      `(run-to-run drift on a shared machine is about that) and ±${PAR.bytes * 100} % for bytes. ⚠ marks where we lose; ` +
      'see [Where we lose](#where-we-lose). Cold start appears here for the CommonJS bundle with the SDK external; the other bundlings are in the cold-start tables (and their losses below).\n',
  );
  const count = (v) => comparisons.filter((c) => c.verdict === v).length;
  lines.push(`${comparisons.length} comparisons in this run: ${count('win')} wins, ${count('par')} on par, ${count('lose')} losses (all bundlings counted).\n`);
  lines.push('| area | measure | ours | peer | ours | peer | result |');
  lines.push('|---|---|---|---|---:|---:|---|');
  for (const c of comparisons.filter((x) => x.glance)) lines.push(`| ${c.area} | ${c.what} | ${c.ours} | ${c.peer} | ${c.oursText ?? ''} | ${c.peerText ?? ''} | ${verdictText(c)} |`);
  return `${lines.join('\n')}\n`;
}

function renderLosses(comparisons) {
  const losses = comparisons.filter((c) => c.verdict === 'lose');
  const lines = ['## Where we lose\n'];
  if (losses.length === 0) {
    lines.push('Nowhere in this run: every comparison is a win or on par.\n');
    return lines.join('\n');
  }
  lines.push(`${losses.length} losses in this run, grouped by cause: what we lose, why, and what it would take to win.\n`);
  // One entry per cause, in the order its first loss appears; unexplained losses stand alone.
  const groups = new Map();
  for (const c of losses) {
    const text = explain(c);
    const key = text?.key ?? `unexplained:${c.id}`;
    if (!groups.has(key)) groups.set(key, { text, items: [] });
    groups.get(key).items.push(c);
  }
  for (const { text, items } of groups.values()) {
    lines.push(`### ${text ? text.key : `${items[0].area}: ${items[0].what}`}\n`);
    for (const c of items) lines.push(`- ${c.area}, ${c.what}: ${c.ours} vs ${c.peer} — ${verdictText(c).replace(' ⚠', '')} (${c.oursText} vs ${c.peerText})`);
    lines.push('');
    if (text) {
      lines.push(`*Why:* ${text.why}`, '', `*To win:* ${text.win}`, '');
    } else {
      lines.push('*Why:* not analysed yet: this comparison has no entry in tools/bench/lib/analysis.mjs. Investigate before trusting the figure either way.', '');
    }
  }
  return lines.join('\n');
}

/** The groups nobody competes with: their cold start against the empty handler, and a note. */
function renderNoPeer(results) {
  const cold = results.coldStart;
  if (!cold || cold.error) return '';
  const lines = ['## Costs without a peer\n', 'Where no installed library does the same job, the cost against the empty handler, and what would make it cheaper.\n'];
  for (const [group, note] of Object.entries(NOTES)) {
    const handler = HANDLERS.find((h) => h.group === group && h.ours);
    if (!handler) continue;
    const cells = cold.modes.map((mode) => {
      const b = cold.bundles[`${handler.id}:${mode}`];
      const base = cold.bundles[`baseline:${mode}`];
      if (!b || b.error || !base || base.error) return `${MODES[mode].label}: —`;
      return `${MODES[mode].label}: ${fmtBytes(b.bytes)}, load ${fmtMs(b.loadMs)} ms, load + 1st ${fmtMs(b.totalMs)} ms (empty handler: ${fmtMs(base.totalMs)} ms)`;
    });
    lines.push(`### ${handler.label}\n`, ...cells.map((c) => `- ${c}`), '', note, '');
  }
  return lines.join('\n');
}

// --- header ---------------------------------------------------------------------------------------

function renderHeader(results) {
  const m = results.meta;
  const lines = ['# Benchmarks', ''];
  lines.push(
    '> Generated by `npm run bench` (tools/bench/run.mjs); do not edit by hand, run it again. ' +
      'Every figure is a median over repeated runs, and every ratio compares ours with a peer measured in the same run, interleaved, ' +
      'because absolute times on a shared machine drift from one minute to the next.',
    '',
  );
  if (m.quick) lines.push('> **--quick run: a smoke test of the runner with a few rounds. Do not quote these figures.**', '');
  lines.push('| | |', '|---|---|');
  lines.push(`| date | ${m.started} |`);
  lines.push(`| commit | ${m.commit}${m.dirty ? ' + uncommitted changes' : ''} |`);
  lines.push(`| machine | ${describeMachine(m.machineBefore).replace(/, load average.*$/, '')} |`);
  lines.push(`| load average (1/5/15 min) | ${m.machineBefore.loadAverage.join(' / ')} before, ${m.machineAfter.loadAverage.join(' / ')} after (other engineers' jobs share the cores) |`);
  lines.push(`| duration | ${(m.seconds / 60).toFixed(1)} min |`);
  lines.push(`| build | ${m.build.skipped ? 'skipped (--no-build)' : m.build.ok ? `npx nx run-many -t build, ok (${m.build.seconds.toFixed(0)} s)` : 'FAILED (see the end of this file); the existing dist/ folders were measured'} |`);
  lines.push('');
  lines.push('## Reproduce\n');
  lines.push('```sh');
  lines.push('npm install');
  lines.push('npm run bench                                   # everything, 4–6 min on 2 shared cores (more when busy); writes BENCHMARKS.md');
  lines.push('node tools/bench/run.mjs --only cold-start      # one section (cold-start or a bench id below); --no-build to skip the build');
  lines.push('node tools/bench/check-budgets.mjs              # the CI budget check (build first)');
  for (const bench of BENCHES) {
    const r = results.benches[bench.id];
    lines.push(`${(r?.command ?? `cd packages/${bench.pkg} && node ${bench.script} ${bench.args.join(' ')}`).padEnd(72)}  # ${bench.id}`);
  }
  lines.push('```');
  lines.push('');
  lines.push('Each package script builds nothing: run `npm run build` in the package (or the nx build above) first. Add `--json` to any of ours for a machine-readable last line.\n');
  return lines.join('\n');
}

// --- cold start -----------------------------------------------------------------------------------

function renderColdStart(results, comparisons) {
  const cold = results.coldStart;
  if (!cold) return '';
  const lines = ['## Cold start\n'];
  if (cold.error) {
    lines.push('The cold-start measurement failed in this run:\n', '```', cold.error.slice(0, 3000), '```', '');
    return lines.join('\n');
  }
  lines.push(
    'A minimal handler per package and per peer ([tools/bench/cold-start/handlers](tools/bench/cold-start/handlers)), ' +
      `bundled as a deploy would, each loaded in ${cold.runs} fresh Node processes (plus one warm-up), the order rotating each round, then invoked once. ` +
      'Both sides of every comparison are bundled the same way. Three bundlings:\n',
  );
  for (const def of Object.values(MODES)) lines.push(`- **${def.label}** — ${def.description}.`);
  lines.push('');
  lines.push(
    'Columns: **bytes** of the minified bundle (gzip beside it); **load** is `require()` (ESM: `import()`) of the bundle, what Lambda runs as Init ' +
      '(timed inside the process, so Node\'s own boot, the same for all, is left out); **load + 1st** adds the first invocation against ' +
      'local DynamoDB / SSM / KMS / HTTP / X-Ray servers on 127.0.0.1 (sub-millisecond round trips, so what remains is code) — the latency the first caller sees. Our packages load the AWS SDK clients and ' +
      'got on first use, not at import, so their *load* is small and part of their cost moves into *1st*: compare ' +
      '*load + 1st* for fairness. **RSS** is the resident memory after load. Ratios are ours ÷ peer (< 1: ours is smaller or faster).\n',
  );
  const bundles = cold.bundles;
  const groups = [...new Set(HANDLERS.map((h) => h.group))];
  for (const mode of cold.modes) {
    lines.push(`### ${MODES[mode].label}\n`);
    lines.push('| package | handler | bytes | gzip | load ms (p25–p75) | load + 1st ms | RSS MB | ours ÷ this: bytes / load + 1st |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const group of groups) {
      const members = HANDLERS.filter((h) => h.group === group);
      const ours = members.find((h) => h.ours);
      for (const handler of members) {
        const b = bundles[`${handler.id}:${mode}`];
        if (!b) continue;
        if (b.error) {
          lines.push(`| ${group} | ${handler.label} | ${b.bytes.toLocaleString('en-US')} | ${b.gzipBytes.toLocaleString('en-US')} | **failed**: ${b.error.split('\n')[0].replace(/\|/g, '\\|').slice(0, 200)} | | | |`);
          continue;
        }
        const o = ours ? bundles[`${ours.id}:${mode}`] : undefined;
        const fix = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
        const ratio = o && !handler.ours ? `${fix(o.bytes / b.bytes)} / ${fix(o.totalMs / b.totalMs)}` : '';
        const name = handler.ours ? `**${handler.label}**` : handler.label;
        lines.push(
          `| ${group} | ${name} | ${b.bytes.toLocaleString('en-US')} | ${b.gzipBytes.toLocaleString('en-US')} | ${b.loadMs.toFixed(1)} (${b.loadP25.toFixed(1)}–${b.loadP75.toFixed(1)}) | ${fmtMs(b.totalMs)} | ${(b.rssBytes / 2 ** 20).toFixed(1)} | ${ratio} |`,
        );
        if (o && !handler.ours) {
          const area = `cold start (${MODES[mode].label})`;
          const glance = mode === BUDGET_MODE;
          if (mode !== 'esm-sdk-external') {
            compare(comparisons, { id: `cold.${group}.${handler.id}.${mode}.bytes`, area, what: 'bundle bytes', ours: ours.label, peer: handler.label, ratio: o.bytes / b.bytes, kind: 'bytes', oursText: fmtBytes(o.bytes), peerText: fmtBytes(b.bytes), glance });
          }
          compare(comparisons, { id: `cold.${group}.${handler.id}.${mode}.total`, area, what: 'load + 1st invocation', ours: ours.label, peer: handler.label, ratio: o.totalMs / b.totalMs, kind: 'time', oursText: `${fmtMs(o.totalMs)} ms`, peerText: `${fmtMs(b.totalMs)} ms`, glance });
        }
      }
    }
    lines.push('');
  }
  if (cold.sdkLoad?.rows?.length) {
    lines.push(`### Loading the AWS SDK: \`require()\` or \`import()\`\n`);
    lines.push(
      `Our packages load SDK clients on first use with \`import()\`; in a CommonJS bundle with the SDK external that goes through Node's ES-module loader. ` +
        `A fresh process loading \`${cold.sdkLoad.rows[0].client}\` (median of ${cold.sdkLoad.runs}, interleaved; Node 22/24 when tools/ci has them cached):\n`,
    );
    lines.push('| Node | require() ms | import() ms | import ÷ require |', '|---|---:|---:|---:|');
    for (const r of cold.sdkLoad.rows) lines.push(`| ${r.node} | ${fmtMs(r.requireMs)} | ${fmtMs(r.importMs)} | ${r.importToRequire.toFixed(2)} |`);
    lines.push('');
  }
  const noPeer = Object.entries(NO_PEER).map(([group, why]) => `- **${group}**: ${why}.`);
  if (noPeer.length) lines.push('Groups without a peer:\n', ...noPeer, '');
  const failedChecks = cold.checks.filter((c) => !c.ok);
  lines.push(
    failedChecks.length === 0
      ? `The first invocations really did their work: ${cold.checks.map((c) => `${c.what.replace(' (at least)', '')} ${c.got}`).join(', ')} reached the local servers (as many as expected).\n`
      : `**Check failed**: ${failedChecks.map((c) => `${c.what}: ${c.got}, expected ${c.want}`).join('; ')}. Some first invocations did not do what they should; treat their *1st* figures with suspicion.\n`,
  );
  return lines.join('\n');
}

function renderBudgets(results) {
  const cold = results.coldStart;
  if (!cold || cold.error) return '';
  let budgets;
  try {
    budgets = JSON.parse(readFileSync(join(ROOT, 'tools', 'bench', 'budgets.json'), 'utf8')).budgets;
  } catch {
    return '';
  }
  const lines = ['## Cold-start budgets\n'];
  lines.push(
    `[tools/bench/budgets.json](tools/bench/budgets.json) holds a budget per package for the *${MODES[BUDGET_MODE].label}* bundle; ` +
      '`node tools/bench/check-budgets.mjs` enforces it in CI (bytes exactly; load time scaled to the machine and with a tolerance, ' +
      'see [tools/bench/README.md](tools/bench/README.md)). This run against them, unscaled:\n',
  );
  lines.push('| package | bytes | byte budget | load ms | load budget ms (on its machine) |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const handler of HANDLERS.filter((h) => h.budget)) {
    const b = cold.bundles[`${handler.id}:${BUDGET_MODE}`];
    const budget = budgets[handler.id];
    if (!b) continue;
    const over = budget && b.bytes > budget.bytes ? ' **over**' : '';
    if (b.error) {
      lines.push(`| ${handler.label} | ${b.bytes.toLocaleString('en-US')}${over} | ${budget ? budget.bytes.toLocaleString('en-US') : '—'} | did not load | ${budget ? budget.loadMs : '—'} |`);
      continue;
    }
    lines.push(`| ${handler.label} | ${b.bytes.toLocaleString('en-US')}${over} | ${budget ? budget.bytes.toLocaleString('en-US') : '—'} | ${b.loadMs.toFixed(1)} | ${budget ? budget.loadMs : '—'} |`);
  }
  lines.push('');
  return lines.join('\n');
}

// --- per-invocation benchmarks ------------------------------------------------------------------------

function renderBench(bench, result, comparisons) {
  const lines = [`### ${bench.title}\n`];
  lines.push(`\`${result.command}\`${result.seconds !== undefined ? ` (${result.seconds.toFixed(0)} s)` : ''}\n`);
  if (!result.ok) {
    lines.push(result.missing ? `Not run: ${result.error}.\n` : `**Failed in this run:**\n\n\`\`\`\n${result.error}\n\`\`\`\n`);
    return lines.join('\n');
  }
  const renderer = RENDERERS[bench.id];
  let body;
  try {
    body = renderer ? renderer(result, comparisons) : undefined;
  } catch (error) {
    body = undefined;
    lines.push(`(Could not read this script's output: ${error.message}. Its output as printed:)\n`);
  }
  lines.push(body ?? verbatim(result.human));
  return `${lines.join('\n')}\n`;
}

function verbatim(text) {
  return `\`\`\`\n${text.trim()}\n\`\`\`\n`;
}

const RENDERERS = {
  retry(result, comparisons) {
    const j = result.json;
    const lines = [];
    for (const [scenario, data] of Object.entries(j.scenarios)) {
      const title = scenario === 'success' ? 'A call that succeeds at once' : 'A call that fails twice, then succeeds (0 ms delays)';
      lines.push(`${title}:\n`);
      lines.push('| case | time per call | ÷ p-retry (same round) |', '|---|---:|---:|');
      for (const [name, c] of Object.entries(data.cases)) lines.push(`| ${name} | ${fmtNs(c.nsPerCall)} | ${c.ratioToPeer.toFixed(2)} |`);
      lines.push('');
      const ours = data.cases[data.ours];
      const peer = data.cases[data.peer];
      compare(comparisons, { id: `retry.${scenario}`, area: 'retry', what: scenario === 'success' ? 'per call, succeeds at once' : 'per call, fails twice (0 ms delays)', ours: '@fleece/retry', peer: 'p-retry', ratio: data.ratio, kind: 'time', oursText: fmtNs(ours.nsPerCall), peerText: fmtNs(peer.nsPerCall) });
    }
    return lines.join('\n');
  },

  'log-throughput'(result, comparisons) {
    const j = result.json;
    const lines = [`${j.rounds} rounds of ${j.lines.toLocaleString('en-US')} lines to one null Writable, same payload; ratios are medians of per-round ratios.\n`];
    lines.push('| logger | lines/s | × Powertools | × pino | × raw |', '|---|---:|---:|---:|---:|');
    for (const [name, c] of Object.entries(j.cases)) lines.push(`| ${name} | ${Math.round(c.linesPerSecond).toLocaleString('en-US')} | ${c.toPowertools.toFixed(2)} | ${c.toPino.toFixed(2)} | ${c.toRaw.toFixed(2)} |`);
    const ours = j.cases['@fleece/log'];
    const rate = (name) => `${Math.round(j.cases[name].linesPerSecond).toLocaleString('en-US')}/s`;
    compare(comparisons, { id: 'log.powertools', area: 'logging', what: 'lines/s', ours: '@fleece/log', peer: 'Powertools Logger', ratio: ours.toPowertools, kind: 'rate', oursText: rate('@fleece/log'), peerText: rate('@aws-lambda-powertools/logger') });
    compare(comparisons, { id: 'log.pino', area: 'logging', what: 'lines/s', ours: '@fleece/log', peer: 'pino', ratio: ours.toPino, kind: 'rate', oursText: rate('@fleece/log'), peerText: rate('pino') });
    compare(comparisons, { id: 'log.raw', area: 'logging', what: 'lines/s', ours: '@fleece/log', peer: 'raw JSON.stringify + write', ratio: ours.toRaw, kind: 'rate', oursText: rate('@fleece/log'), peerText: rate('raw JSON.stringify + write') });
    return `${lines.join('\n')}\n`;
  },

  'log-cold-start'(result) {
    const j = result.json;
    const lines = [`${j.runs} fresh processes per bundle (CommonJS, node20, everything bundled); ratios to Powertools Logger.\n`];
    lines.push('| handler | bytes | load ms | ÷ Powertools | load + 1st line ms | ÷ Powertools |', '|---|---:|---:|---:|---:|---:|');
    for (const [name, h] of Object.entries(j.handlers)) lines.push(`| ${name} | ${h.bytes.toLocaleString('en-US')} | ${h.loadMs.toFixed(2)} | ${h.loadToReference.toFixed(2)} | ${h.loadAndFirstLineMs.toFixed(2)} | ${h.firstToReference.toFixed(2)} |`);
    return `${lines.join('\n')}\n`;
  },

  'aws-overhead'(result, comparisons) {
    const j = result.json;
    const lines = [`${j.rounds} rounds × ${j.calls} sequential GetItem calls to a local DynamoDB-protocol server in the same process (CPU counts both sides).\n`];
    lines.push('| variant | wall ms/call | ÷ plain | CPU ms/call | ÷ plain |', '|---|---:|---:|---:|---:|');
    for (const [name, v] of Object.entries(j.variants)) lines.push(`| ${name} | ${v.wallMsPerCall.toFixed(4)} | ${v.wallToPlain.toFixed(3)} | ${v.cpuMsPerCall.toFixed(4)} | ${v.cpuToPlain.toFixed(3)} |`);
    const ours = j.variants['client()'];
    const plain = j.variants[j.reference];
    compare(comparisons, { id: 'aws.cpu', area: 'AWS client', what: 'CPU per GetItem', ours: '@fleece/aws client()', peer: 'plain SDK v3 client', ratio: ours.cpuToPlain, kind: 'time', oursText: `${(ours.cpuMsPerCall * 1000).toFixed(0)} µs`, peerText: `${(plain.cpuMsPerCall * 1000).toFixed(0)} µs` });
    return `${lines.join('\n')}\n`;
  },

  'http-throughput'(result, comparisons) {
    const j = result.json;
    const lines = [`${j.rounds} rounds × ${j.requests} requests at concurrency ${j.concurrency} to a node:http server in a child process; ratios are medians of per-round ratios (> 1: more requests/s).\n`];
    lines.push('| client | req/s | × raw got | × raw got, same timeouts | client CPU µs/request |', '|---|---:|---:|---:|---:|');
    for (const [name, c] of Object.entries(j.cases)) lines.push(`| ${name} | ${c.requestsPerSecond} | ${c.toRawGot.toFixed(2)} | ${c.toRawGotSameTimeouts.toFixed(2)} | ${c.cpuUsPerRequest} |`);
    const ours = j.cases['@fleece/http get()'];
    const raw = j.cases[j.peer];
    const same = j.cases[j.sameTimeouts];
    compare(comparisons, { id: 'http.raw', area: 'HTTP', what: 'requests/s', ours: '@fleece/http get()', peer: 'raw got (defaults, no timeouts)', ratio: ours.toRawGot, kind: 'rate', oursText: `${ours.requestsPerSecond}/s`, peerText: `${raw.requestsPerSecond}/s` });
    compare(comparisons, { id: 'http.same', area: 'HTTP', what: 'requests/s', ours: '@fleece/http get()', peer: 'raw got, same timeouts, retry off', ratio: ours.toRawGotSameTimeouts, kind: 'rate', oursText: `${ours.requestsPerSecond}/s`, peerText: `${same.requestsPerSecond}/s` });
    return `${lines.join('\n')}\n`;
  },

  idempotency(result, comparisons) {
    const j = result.json;
    const fmtUs = (us) => (us === null || us === undefined || Number.isNaN(us) ? '—' : us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
    const titles = { first: 'first call (claim, run, store)', replay: 'replay from DynamoDB', cached: 'local-cache hit' };
    const lines = [`${j.rounds} rounds of ${j.n} calls (${j.nCached} for the cache), each implementation with its own client and table on one dynalite in a child process; CPU is this process only.\n`];
    lines.push('| scenario | measure | @fleece/idempotency | Powertools | ÷ Powertools | raw SDK, no layer |', '|---|---|---:|---:|---:|---:|');
    for (const [scenario, data] of Object.entries(j.scenarios)) {
      for (const [measure, m] of Object.entries(data)) {
        lines.push(`| ${titles[scenario]} | ${measure} | ${fmtUs(m.fleece)} | ${fmtUs(m.powertools)} | ${m.fleeceToPowertools.toFixed(2)} | ${fmtUs(m.raw)} |`);
      }
      compare(comparisons, { id: `idempotency.${scenario}.cpu`, area: 'idempotency', what: `CPU, ${titles[scenario]}`, ours: '@fleece/idempotency', peer: 'Powertools idempotency', ratio: data.cpu.fleeceToPowertools, kind: 'time', oursText: fmtUs(data.cpu.fleece), peerText: fmtUs(data.cpu.powertools) });
      compare(comparisons, { id: `idempotency.${scenario}.wall`, area: 'idempotency', what: `wall, ${titles[scenario]}`, ours: '@fleece/idempotency', peer: 'Powertools idempotency', ratio: data.wall.fleeceToPowertools, kind: 'time', oursText: fmtUs(data.wall.fleece), peerText: fmtUs(data.wall.powertools) });
    }
    const fmtReq = (r) => {
      const entries = Object.entries(r ?? {});
      return entries.length === 0 ? '0' : entries.map(([op, n]) => `${n === 1 ? '' : `${Number(n).toFixed(2)}× `}${op.replace(/Command$/, '')}`).join(' + ');
    };
    const total = (r) => Object.values(r ?? {}).reduce((a, b) => a + b, 0);
    lines.push('', '| scenario | @fleece/idempotency DynamoDB requests per call | Powertools requests per call |', '|---|---|---|');
    for (const scenario of Object.keys(j.scenarios)) {
      const f = j.requests.fleece?.[scenario];
      const p = j.requests.powertools?.[scenario];
      lines.push(`| ${titles[scenario]} | ${fmtReq(f)} | ${fmtReq(p)} |`);
      if (total(p) > 0 || total(f) > 0) {
        compare(comparisons, { id: `idempotency.${scenario}.requests`, area: 'idempotency', what: `DynamoDB requests, ${titles[scenario]}`, ours: '@fleece/idempotency', peer: 'Powertools idempotency', ratio: total(p) === 0 ? (total(f) === 0 ? 1 : Infinity) : total(f) / total(p), kind: 'count', oursText: String(+total(f).toFixed(2)), peerText: String(+total(p).toFixed(2)) });
      }
    }
    if (j.coldImportMs) {
      lines.push('', `Cold import from node_modules, unbundled, in a fresh process (median of ${j.coldProcesses ?? 'several'} processes): @fleece/idempotency ${j.coldImportMs.fleece.toFixed(1)} ms (${j.coldImportMs.fleeceSdk.toFixed(1)} ms with the SDK and @fleece/aws it loads on the first request), Powertools ${j.coldImportMs.powertools.toFixed(1)} ms (it loads the SDK at import).`);
    }
    return `${lines.join('\n')}\n`;
  },

  'config-decrypt'(result, comparisons) {
    const tables = markdownTables(result.human);
    const table = findTable(tables, ['config', 'added KMS latency', 'envelope ms']);
    if (!table) return undefined;
    const lines = [result.human.split('\n')[0], '', ...table.lines, ''];
    lines.push('"4 KB chunks" is the Python fleece\'s `render --encrypt` format (one KMS Decrypt per 4 KB chunk at cold start): the peer a fleece user migrates from. Latency rows add that many ms before each KMS request, client-side.');
    for (const row of table.rows) {
      const latency = row['added KMS latency'];
      if (numberIn(latency) === 0) continue;
      const calls = [numberIn(row['KMS calls: envelope']), numberIn(row['KMS calls: 4 KB chunks'])];
      const ms = [numberIn(row['envelope ms']), numberIn(row['4 KB chunks ms'])];
      compare(comparisons, { id: `config.${row.config}.ms`, area: 'config decrypt', what: `${row.config} at +${latency} KMS latency`, ours: '@fleece/config envelope', peer: 'fleece 4 KB chunks', ratio: ms[0] / ms[1], kind: 'time', oursText: `${ms[0]} ms`, peerText: `${ms[1]} ms` });
      compare(comparisons, { id: `config.${row.config}.calls`, area: 'config decrypt', what: `${row.config} KMS calls`, ours: '@fleece/config envelope', peer: 'fleece 4 KB chunks', ratio: calls[0] / calls[1], kind: 'count', oursText: String(calls[0]), peerText: String(calls[1]) });
    }
    return `${lines.join('\n')}\n`;
  },

  'xray-overhead'(result, comparisons) {
    const table = findTable(markdownTables(result.human), ['case', 'ns per call']);
    if (!table) return undefined;
    const ns = (pattern) => numberIn(table.rows.find((r) => pattern.test(r.case))?.['ns per call']);
    const pairs = [
      ['traced call (sampled)', ns(/^@fleece\/xray traceSubsegment, skipArgs/), ns(/^Powertools tracer\.captureMethod, captureResponse off/)],
      ['traced call, not sampled', ns(/^@fleece\/xray traceSubsegment, Sampled=0/), ns(/^Powertools tracer\.captureMethod, Sampled=0/)],
    ];
    for (const [what, ours, peer] of pairs) {
      compare(comparisons, { id: `xray.${what}`, area: 'X-Ray', what, ours: '@fleece/xray', peer: 'Powertools Tracer', ratio: ours / peer, kind: 'time', oursText: fmtNs(ours), peerText: fmtNs(peer) });
    }
    return `${result.human.trim()}\n`;
  },

  'xray-cold-start'(result) {
    return `${result.human.trim()}\n`;
  },

  openapi(result, comparisons) {
    const j = result.json;
    const lines = ['No OpenAPI router is installed as a peer; the floor is a careful hand-written handler (regex route, the same schemas compiled once with ajv, JSON.stringify). Ratio: ours ÷ floor within each round, median.\n'];
    lines.push('| request | @fleece/openapi | hand-written | ÷ hand-written |', '|---|---:|---:|---:|');
    for (const [name, s] of Object.entries(j.scenarios)) {
      lines.push(`| ${name} | ${fmtNs(s.oursNs)} | ${fmtNs(s.floorNs)} | ${s.ratio.toFixed(2)} |`);
      compare(comparisons, { id: `openapi.${name.startsWith('GET') ? 'get' : 'post'}`, area: 'OpenAPI', what: `per request, ${name}`, ours: '@fleece/openapi', peer: 'hand-written router + ajv', ratio: s.ratio, kind: 'time', oursText: fmtNs(s.oursNs), peerText: fmtNs(s.floorNs) });
    }
    lines.push('', `\`openapi()\` built its handler (document read, every schema compiled) in ${j.buildMs.toFixed(1)} ms, once per container: see the cold-start table.`);
    return `${lines.join('\n')}\n`;
  },

  'api-overflow'(result, comparisons) {
    const j = result.json;
    const lines = [];
    for (const [scenario, s] of Object.entries(j.scenarios)) {
      lines.push(`${s.title}:\n`, `| case | time per response | ÷ ${s.peer} |`, '|---|---:|---:|');
      for (const [name, c] of Object.entries(s.cases)) lines.push(`| ${name} | ${fmtNs(c.nsPerCall)} | ${c.ratioToPeer.toFixed(2)} |`);
      lines.push('');
      compare(comparisons, { id: `overflow.${scenario}`, area: 'API overflow', what: scenario === 'small' ? 'per response under the limit' : 'per 7 MiB response via S3', ours: '@fleece/api-overflow', peer: s.peer, ratio: s.ratio, kind: 'time', oursText: fmtNs(s.cases[s.ours].nsPerCall), peerText: fmtNs(s.cases[s.peer].nsPerCall) });
    }
    return lines.join('\n');
  },

  'cfn-handler'(result, comparisons) {
    const text = result.human;
    const line = (pattern) => text.split('\n').find((l) => pattern.test(l));
    const warmOurs = numberIn(line(/^@fleece\/cfn-handler\s+[\d.]+\s*µs/)?.replace(/^@fleece\/cfn-handler/, ''));
    const warmFresh = numberIn(line(/^hand-written, fresh connection\s+[\d.]+\s*µs/)?.replace(/^hand-written, fresh connection/, ''));
    if (Number.isFinite(warmOurs) && Number.isFinite(warmFresh)) {
      compare(comparisons, { id: 'cfn.warm', area: 'CloudFormation', what: 'per Create, warm (fresh connection both)', ours: '@fleece/cfn-handler', peer: 'hand-written cfn-response', ratio: warmOurs / warmFresh, kind: 'time', oursText: `${warmOurs} µs`, peerText: `${warmFresh} µs` });
    }
    return verbatim(text);
  },
};

// --- gaps -------------------------------------------------------------------------------------------

function renderGaps(results) {
  const lines = [];
  if (results.meta.build && !results.meta.build.ok) lines.push('Build output (tail):\n', '```', results.meta.build.tail, '```', '');
  if (results.meta.missingDist?.length) lines.push(`Packages without a dist/ build (their figures are missing or stale): ${results.meta.missingDist.join(', ')}.\n`);
  const missing = Object.entries(results.benches).filter(([, r]) => r.missing);
  if (missing.length) lines.push(`Scripts not present yet: ${missing.map(([id, r]) => `${id} (${r.error})`).join('; ')}.\n`);
  return lines.length ? ['## Problems in this run\n', ...lines].join('\n') : '';
}

// --- formatting -------------------------------------------------------------------------------------

function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function fmtBytes(bytes) {
  return bytes >= 10_000 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}
