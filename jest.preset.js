// Shared jest configuration for every package: TypeScript through swc, CommonJS at test time.
//
// ESM-only dependencies (got and its helpers, p-retry) are transformed to CommonJS like our own
// sources, so tests need neither --experimental-vm-modules nor a separate ESM jest mode.
const path = require('node:path');

const esmOnly = [
  'got',
  '@sindresorhus',
  '@szmarczak',
  'byte-counter',
  'cacheable-lookup',
  'cacheable-request',
  'decompress-response',
  'form-data-encoder',
  'lowercase-keys',
  'mimic-response',
  'normalize-url',
  'p-cancelable',
  'responselike',
  'get-stream',
  'is-stream',
  'keyv',
  '@keyv',
  '@sec-ant',
  'p-retry',
  'is-network-error',
  // Not ESM-only, but its multi-context store loads node:async_hooks with a dynamic import(), which
  // jest's CommonJS mode refuses; transformed, the import becomes a require.
  '@aws/lambda-invoke-store',
  // Loads node:http(s) with a dynamic import() when an OTLP exporter first sends; same remedy.
  '@opentelemetry/otlp-exporter-base',
];

const packagesDir = path.join(__dirname, 'packages');

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      require.resolve('@swc/jest'),
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          target: 'es2022',
          transform: { decoratorVersion: '2022-03' },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    // Packages import each other by name; tests run against the sibling's source, not its build.
    '^@fleece/([a-z-]+)$': `${packagesDir}/$1/src/index.ts`,
    // Sources use NodeNext-style `.js` specifiers for relative imports.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  collectCoverage: true,
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts'],
  coverageReporters: ['text-summary'],
  coverageThreshold: { global: { lines: 90 } },
};
