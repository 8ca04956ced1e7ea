#!/usr/bin/env node
// Scaffolds packages/<name> with the layout every @fleece package shares:
//   node tools/new-package.mjs <name> <layer:kernel|client|runtime|testing|app> "<description>"
// then add `{ "path": "./packages/<name>" }` to the root tsconfig.json references and run npm install.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, layer, description] = process.argv.slice(2);
if (!name || !/^[a-z][a-z-]*$/.test(name) || !layer || !description) {
  console.error('usage: node tools/new-package.mjs <name> <layer> "<description>"');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'packages', name);
if (existsSync(dir)) {
  console.error(`packages/${name} exists already`);
  process.exit(1);
}
const template = join(root, 'packages', 'retry');
const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
Object.assign(manifest, { name: `@fleece/${name}`, version: '0.1.0', description, keywords: ['aws', 'lambda'] });
manifest.nx = { tags: [`layer:${layer}`] };
// The template's links point at packages/retry: point them at the new folder.
manifest.repository = { ...manifest.repository, directory: `packages/${name}` };
manifest.homepage = manifest.homepage?.replace('/packages/retry', `/packages/${name}`);

mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const file of ['tsconfig.json', 'tsconfig.lib.json', 'tsconfig.spec.json']) {
  writeFileSync(join(dir, file), readFileSync(join(template, file)));
}
writeFileSync(join(dir, 'jest.config.cjs'), `module.exports = { displayName: '${name}', preset: '../../jest.preset.js' };\n`);
writeFileSync(join(dir, 'src', 'index.ts'), '');
// Every tarball carries the license (the pack check compares it with the root's).
writeFileSync(join(dir, 'LICENSE'), readFileSync(join(root, 'LICENSE')));
writeFileSync(join(dir, 'README.md'), `# @fleece/${name}\n\n${description}\n`);
console.log(`created packages/${name}`);
