import { relative } from 'node:path';
import { LAMBDA_UNZIPPED_LIMIT_BYTES, LAMBDA_ZIP_LIMIT_BYTES, type BuildFunctionResult } from './build-function.js';

/** How many inputs the report lists. */
const LARGEST = 10;

function bytes(n: number): string {
  return n.toLocaleString('en-US');
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd());
}

/** The summary `fleece build` prints on stdout: the zip, its files, and the largest inputs. */
export function formatReport(result: BuildFunctionResult, cwd: string, runtime: string): string {
  const lines = [
    `built ${relative(cwd, result.zipPath) || result.zipPath}: ${bytes(result.zipBytes)} bytes, sha256 ${result.sha256}`,
    `  handler ${result.handler} (${runtime})`,
    ...pad(result.files.map((file) => [file.path, `${bytes(file.bytes)} bytes`])).map((line) => `  ${line}`),
  ];
  const total = result.inputs.reduce((sum, input) => sum + input.bytes, 0);
  if (result.inputs.length) {
    lines.push('largest inputs (bytes in the bundle, after tree shaking and minification):');
    const shown = result.inputs.slice(0, LARGEST);
    const rows = shown.map((input) => [input.name, bytes(input.bytes), `${((100 * input.bytes) / total).toFixed(1)} %`]);
    const rest = result.inputs.slice(LARGEST);
    if (rest.length) {
      const restBytes = rest.reduce((sum, input) => sum + input.bytes, 0);
      rows.push([`${rest.length} more`, bytes(restBytes), `${((100 * restBytes) / total).toFixed(1)} %`]);
    }
    lines.push(...pad(rows).map((line) => `  ${line}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The warnings `fleece build` prints on stderr: the bundler's, native modules, Lambda's size limits. */
export function formatWarnings(result: BuildFunctionResult): string[] {
  const warnings = result.warnings.map((text) => `warning: ${text}`);
  for (const native of result.nativeModules) {
    const name = native.version ? `${native.name}@${native.version}` : native.name;
    warnings.push(
      `warning: ${name} has native code (${native.reason}): a compiled addon is never bundled and one built here will not load on Lambda. ` +
        'Build it for Amazon Linux and the function\'s architecture and ship it in a layer (with --external), or use a pure-JavaScript alternative.',
    );
  }
  if (result.zipBytes > LAMBDA_ZIP_LIMIT_BYTES) {
    warnings.push(`warning: the zip is ${bytes(result.zipBytes)} bytes, over the ${bytes(LAMBDA_ZIP_LIMIT_BYTES)} bytes Lambda accepts in a direct upload: deploy it through S3`);
  }
  const unzipped = result.files.reduce((sum, file) => sum + file.bytes, 0);
  if (unzipped > LAMBDA_UNZIPPED_LIMIT_BYTES) {
    warnings.push(`warning: the files add up to ${bytes(unzipped)} bytes, over Lambda's ${bytes(LAMBDA_UNZIPPED_LIMIT_BYTES)} bytes unzipped limit: the function will not deploy`);
  }
  return warnings;
}
