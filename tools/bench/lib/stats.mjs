// Small helpers shared by the runner, the cold-start measurement and the budget check.
import os from 'node:os';

/** The median of a list of numbers (the mean of the two middle ones for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The q-quantile (0..1) by linear interpolation, for the spread shown beside a median. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** The machine a figure was measured on: CPU model, cores, memory, Node, load. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** "2 × AMD EPYC, 23.5 GiB, Node v20.20.2, load 3.1" */
export function describeMachine(m = machine()) {
  return `${m.cores} × ${m.cpu}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, ${m.platform}, load average ${m.loadAverage.join(' / ')}`;
}

/** Rotates `items` by `round`, so no item always runs first (or last) in a round. */
export function rotate(items, round) {
  const k = items.length === 0 ? 0 : round % items.length;
  return items.slice(k).concat(items.slice(0, k));
}

/**
 * Parses `--name value`, `--name=value` and the boolean `--flag`s named in `flags`; positional
 * arguments stay in `_`.
 */
export function parseArgs(flags = [], argv = process.argv.slice(2)) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out._.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (inline !== undefined) out[name] = inline;
    else if (flags.includes(name)) out[name] = true;
    else if (i + 1 < argv.length) out[name] = argv[++i];
    else throw new TypeError(`option --${name} needs a value`);
  }
  return out;
}
