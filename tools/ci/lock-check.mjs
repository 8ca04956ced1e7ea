#!/usr/bin/env node
// Fails when package-lock.json is out of date: when `npm install` would rewrite it (a dependency
// added to a package.json without the lock, or platform packages the registry serves that the
// lock lacks), so that `npm ci` and a fresh `npm install` keep agreeing with the committed lock.
//
// It re-resolves the lock in a scratch copy of the manifests (`npm install --package-lock-only
// --ignore-scripts`, nothing downloaded but metadata), so the working tree is never touched, and
// prints which entries differ.
//   node tools/ci/lock-check.mjs
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { npm, root, tempDir } from './workspace.mjs';

const scratch = tempDir('lock');
try {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) if (existsSync(join(root, file))) copyFileSync(join(root, file), join(scratch, file));
  // Every workspace's manifest, from the root's `workspaces` patterns (`dir/*` and plain folders).
  for (const pattern of manifest.workspaces ?? []) {
    const dirs = pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((d) => `${pattern.slice(0, -2)}/${d}`) : [pattern];
    for (const dir of dirs) {
      if (!existsSync(join(root, dir, 'package.json'))) continue;
      mkdirSync(join(scratch, dir), { recursive: true });
      copyFileSync(join(root, dir, 'package.json'), join(scratch, dir, 'package.json'));
    }
  }
  npm(['install', '--package-lock-only', '--ignore-scripts'], scratch);
  const before = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const after = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8')).packages;
  const changed = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(key in after)) changed.push(`- ${key || '(root)'}`);
    else if (!(key in before)) changed.push(`+ ${key || '(root)'}`);
    else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed.push(`~ ${key || '(root)'}`);
  }
  if (changed.length) {
    console.error(`lock check: package-lock.json is out of date: npm install would change ${changed.length} entries:`);
    for (const line of changed.slice(0, 40)) console.error(`  ${line}`);
    if (changed.length > 40) console.error(`  … and ${changed.length - 40} more`);
    console.error('Run `npm install --no-audit --no-fund` and commit package-lock.json.');
    process.exit(1);
  }
  console.log(`lock check: package-lock.json is up to date (${Object.keys(before).length} entries)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
