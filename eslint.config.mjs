import nx from '@nx/eslint-plugin';
import * as jsonc from 'jsonc-eslint-parser';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/coverage', '**/node_modules', '**/.nx', '**/tmp'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      // Packages import each other by package name only, dependencies point one way, no cycles.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // The kernel stands alone.
            { sourceTag: 'layer:kernel', onlyDependOnLibsWithTags: [] },
            // Client construction may use only the kernel.
            { sourceTag: 'layer:client', onlyDependOnLibsWithTags: ['layer:kernel'] },
            // Runtime packages build on the kernel and on @fleece/aws; never on log, cli or each other's internals.
            { sourceTag: 'layer:runtime', onlyDependOnLibsWithTags: ['layer:kernel', 'layer:client'] },
            // The local AWS is used by tests and tools only.
            { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:kernel'] },
            // The CLI and examples sit on top of everything.
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may use any sibling package (testing above all) and non-null assertions.
    files: ['**/test/**/*.ts', '**/*.spec.ts', '**/bench/**/*'],
    rules: {
      '@nx/enforce-module-boundaries': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    // Published manifests must declare every package their build imports.
    files: ['packages/*/package.json'],
    languageOptions: { parser: jsonc },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build'],
          ignoredFiles: ['{projectRoot}/test/**/*', '{projectRoot}/**/*.spec.ts', '{projectRoot}/bench/**/*', '{projectRoot}/jest.config.cjs', '{projectRoot}/eslint.config.mjs'],
          checkObsoleteDependencies: true,
          checkVersionMismatches: false,
          includeTransitiveDependencies: false,
        },
      ],
    },
  },
];
