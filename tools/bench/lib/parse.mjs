// Reading what a package benchmark printed: its JSON report (the last line, with --json), or, for
// scripts that have no JSON mode yet, the markdown tables and lines of its human output.

/** The JSON object on the last non-empty line of `stdout`, if it is one with a `bench` field. */
export function lastJson(stdout) {
  const last = stdout.trimEnd().split('\n').pop() ?? '';
  if (!last.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(last);
    return parsed && typeof parsed === 'object' && typeof parsed.bench === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `stdout` without its JSON report line: the human output, as printed without --json. */
export function humanOutput(stdout) {
  const lines = stdout.trimEnd().split('\n');
  if (lastJson(stdout)) lines.pop();
  return lines.join('\n');
}

/**
 * Every markdown table in `text`: `{ headers, rows, lines }`, each row an object keyed by header.
 * A table is a `|`-delimited header line followed by a `|---|` separator line.
 */
export function markdownTables(text) {
  const lines = text.split('\n');
  const tables = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!isRow(lines[i]) || !/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1])) continue;
    const headers = cells(lines[i]);
    const rows = [];
    const raw = [lines[i], lines[i + 1]];
    let j = i + 2;
    for (; j < lines.length && isRow(lines[j]); j++) {
      const values = cells(lines[j]);
      rows.push(Object.fromEntries(headers.map((h, k) => [h, values[k] ?? ''])));
      raw.push(lines[j]);
    }
    tables.push({ headers, rows, lines: raw });
    i = j - 1;
  }
  return tables;
}

/** The first table whose headers include every one of `wanted` (case-insensitive). */
export function findTable(tables, wanted) {
  return tables.find((t) => wanted.every((w) => t.headers.some((h) => h.toLowerCase() === w.toLowerCase())));
}

/** A number out of a cell such as `1.55×`, `1,234`, `37.8 KB` or `(x1.29)`; NaN if none. */
export function numberIn(cell) {
  const match = /-?\d[\d,]*(\.\d+)?/.exec(String(cell ?? ''));
  return match ? Number(match[0].replace(/,/g, '')) : Number.NaN;
}

function isRow(line) {
  return /^\s*\|.*\|\s*$/.test(line ?? '');
}

function cells(line) {
  return line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
}
