import type { Tree } from '@nx/devkit';
import { writeJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';

// In-memory workspaces for the generator's tests.

const PACKAGES = ['retry', 'log', 'xray', 'openapi', 'idempotency', 'cfn-handler', 'testing', 'cli'];

/** An empty workspace without the oxfmt settings Nx's test tree adds (oxfmt is not installed here). */
export function emptyWorkspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.delete('.oxfmtrc.json');
  return tree;
}

/**
 * A workspace shaped like this repository: npm workspaces, a base tsconfig with a source condition,
 * the shared jest preset, and the @fleece packages; `rootName` is the root package.json's name.
 */
export function workspace(rootName = '@fleece/source'): Tree {
  const tree = emptyWorkspace();
  writeJson(tree, 'package.json', {
    name: rootName,
    private: true,
    workspaces: ['packages/*', 'tools'],
    devDependencies: { '@types/aws-lambda': '^8.10.164', '@aws-sdk/client-dynamodb': '^3.1162.0', 'aws-cdk-lib': '2.278.0', 'aws-cdk': '2.1149.0', constructs: '10.8.1' },
  });
  writeJson(tree, 'tsconfig.base.json', { compilerOptions: { composite: true, customConditions: ['@fleece/source'] } });
  writeJson(tree, 'tsconfig.json', { extends: './tsconfig.base.json', files: [], references: [{ path: './packages/retry' }] });
  tree.write('jest.preset.js', 'module.exports = {};\n');
  for (const name of PACKAGES) {
    writeJson(tree, `packages/${name}/package.json`, { name: `@fleece/${name}`, version: name === 'log' ? '0.3.2' : '0.1.0' });
    writeJson(tree, `packages/${name}/tsconfig.lib.json`, {});
  }
  return tree;
}

/** The files of `tree` under `dir`, by their path relative to it. */
export function filesUnder(tree: Tree, dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (path: string) => {
    for (const child of tree.children(path)) {
      const full = `${path}/${child}`;
      if (tree.isFile(full)) files.set(full.slice(dir.length + 1), tree.read(full)!);
      else walk(full);
    }
  };
  walk(dir);
  return files;
}
