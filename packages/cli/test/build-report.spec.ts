import { formatReport, formatWarnings } from '../src/build/report.js';
import type { BuildFunctionResult } from '../src/build/build-function.js';

function result(overrides: Partial<BuildFunctionResult> = {}): BuildFunctionResult {
  return {
    zipPath: '/work/fn/dist/fn.zip',
    zipBytes: 1234,
    sha256: 'abc=',
    files: [
      { path: 'handler.mjs', bytes: 3000 },
      { path: 'handler.mjs.map', bytes: 4000 },
    ],
    handler: 'handler.handler',
    bundleBytes: 3000,
    inputs: Array.from({ length: 12 }, (_, i) => ({ name: `pkg-${String.fromCharCode(97 + i)}`, bytes: 1200 - i * 100 })),
    nativeModules: [],
    warnings: [],
    ...overrides,
  };
}

describe('the build report', () => {
  it('lists the ten largest inputs with their share, and sums the rest', () => {
    const text = formatReport(result(), '/work', 'nodejs22.x, esm');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('built fn/dist/fn.zip: 1,234 bytes, sha256 abc=');
    expect(lines[1]).toBe('  handler handler.handler (nodejs22.x, esm)');
    expect(lines[2]).toBe('  handler.mjs      3,000 bytes');
    expect(lines[3]).toBe('  handler.mjs.map  4,000 bytes');
    expect(lines[4]).toMatch(/^largest inputs/);
    const total = result().inputs.reduce((sum, input) => sum + input.bytes, 0);
    expect(lines[5]).toBe(`  pkg-a   1,200  ${((100 * 1200) / total).toFixed(1)} %`);
    expect(lines).toHaveLength(5 + 11);
    expect(lines[15]).toMatch(/^ {2}2 more\s+300\s+[\d.]+ %$/);
  });

  it('warns past the Lambda limits: 50 MiB zipped for a direct upload, 250 MB unzipped', () => {
    expect(formatWarnings(result())).toEqual([]);
    const big = formatWarnings(result({ zipBytes: 50 * 1024 * 1024 + 1, files: [{ path: 'handler.mjs', bytes: 262_144_001 }] }));
    expect(big).toEqual([
      'warning: the zip is 52,428,801 bytes, over the 52,428,800 bytes Lambda accepts in a direct upload: deploy it through S3',
      "warning: the files add up to 262,144,001 bytes, over Lambda's 262,144,000 bytes unzipped limit: the function will not deploy",
    ]);
  });

  it('passes the bundler warnings on and names native modules without a version too', () => {
    const warnings = formatWarnings(result({ warnings: ['▲ [WARNING] something'], nativeModules: [{ name: '/abs/addon.node', reason: 'a .node addon import' }] }));
    expect(warnings[0]).toBe('warning: ▲ [WARNING] something');
    expect(warnings[1]).toMatch(/^warning: \/abs\/addon\.node has native code \(a \.node addon import\)/);
  });
});
