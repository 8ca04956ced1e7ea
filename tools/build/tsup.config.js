// The one build every package shares: src/index.ts to ESM (.js) and CJS (.cjs), each with its types.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// tsup runs in the package's folder: its version, for code that reports it (`fleece --version`).
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  tsconfig: 'tsconfig.lib.json',
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
  esbuildOptions(options, { format }) {
    options.define = { ...options.define, __FLEECE_PACKAGE_VERSION__: JSON.stringify(version) };
    // The CJS build turns lazy `import()`s into lazy `require()`s. Kept as `import()`, a CommonJS
    // app would load the ESM copy of the AWS SDK and of @fleece/aws beside its own CJS copy: twice
    // the cold start, and `setDefaultTimeout()` called on one copy unseen by the other. ESM-only
    // got is then loaded through require(esm), unflagged since Node 20.19 (our engines floor).
    if (format === 'cjs') options.supported = { ...options.supported, 'dynamic-import': false };
  },
});
