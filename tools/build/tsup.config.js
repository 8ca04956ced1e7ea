// The one build every package shares: src/index.ts to ESM (.js) and CJS (.cjs), each with its types.
import { defineConfig } from 'tsup';

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
    // The CJS build turns lazy `import()`s into lazy `require()`s. Kept as `import()`, a CommonJS
    // app would load the ESM copy of the AWS SDK and of @fleece/aws beside its own CJS copy: twice
    // the cold start, and `setDefaultTimeout()` called on one copy unseen by the other. ESM-only
    // got is then loaded through require(esm), unflagged since Node 20.19 (our engines floor).
    if (format === 'cjs') options.supported = { ...options.supported, 'dynamic-import': false };
  },
});
