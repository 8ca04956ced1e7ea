#!/usr/bin/env node
// Makes a package's CommonJS types (dist/*.d.cts) type-check in a CommonJS consumer
// (`module: node16`/`nodenext`, without skipLibCheck) when they import types from an ESM-only
// dependency such as got: TypeScript refuses a plain `import … from 'got'` in a .d.cts (TS1479:
// it would be a require() of an ES module). A type-only import that asks for the `import`
// resolution is what such a file may say, and it names the same declarations.
//   node ../../tools/build/cts-types.mjs got [other-esm-only-package …]   (from the package folder)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const esmOnly = process.argv.slice(2);
if (esmOnly.length === 0) {
  console.error('usage: node tools/build/cts-types.mjs <esm-only-package> [...]');
  process.exit(2);
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const specifier = new RegExp(`^(import|export)( type)? (\\{[^}]*\\}|\\* as \\w+) from (['"])(${esmOnly.map(escape).join('|')})(/[^'"]*)?\\4;?$`, 'gm');
let rewritten = 0;
for (const file of readdirSync('dist').filter((name) => name.endsWith('.d.cts'))) {
  const path = join('dist', file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(specifier, (_, keyword, _type, names, quote, pkg, sub = '') => {
    rewritten++;
    return `${keyword} type ${names} from ${quote}${pkg}${sub}${quote} with { 'resolution-mode': 'import' };`;
  });
  if (after !== before) writeFileSync(path, after);
}
console.log(`cts-types: ${rewritten} import(s) of ${esmOnly.join(', ')} marked resolution-mode import in dist/*.d.cts`);
