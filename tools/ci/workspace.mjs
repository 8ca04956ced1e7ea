// Helpers shared by the pack check and the publish rehearsal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Where the project lives, as every package.json's `repository`, `homepage` and `bugs` say.
 * One place: the pack check compares each manifest with what these give.
 */
export const REPOSITORY_URL = 'https://github.com/fleece-ts/fleece';

/** The `repository`, `homepage` and `bugs` a package in `directory` (relative, e.g. packages/log) declares. */
export function expectedLinks(directory) {
  return {
    repository: { type: 'git', url: `git+${REPOSITORY_URL}.git`, directory },
    homepage: `${REPOSITORY_URL}/tree/main/${directory}#readme`,
    bugs: { url: `${REPOSITORY_URL}/issues` },
  };
}

/**
 * The publishable packages: every packages/* that is not private, with its manifest; `--only a,b`
 * on the command line narrows them to those folder names.
 */
export function publishablePackages() {
  const only = argument('--only')?.split(',');
  return readdirSync(join(root, 'packages'))
    .map((dir) => join(root, 'packages', dir))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ dir, manifest }) => !manifest.private && (!only || only.some((name) => dir.endsWith(`/${name}`))))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The value after `flag` on the command line, if any. */
export function argument(flag) {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A fresh temporary directory. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `fleece-${prefix}-`));
}

/** `npm pack`s each package into `destination` and returns the tarball paths, by package name. */
export function packAll(packages, destination) {
  const tarballs = new Map();
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${manifest.name} has no dist/: build it first (npx nx run-many -t build)`);
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [{ filename }] = JSON.parse(out);
    tarballs.set(manifest.name, join(destination, filename));
  }
  return tarballs;
}

/** Writes an empty CommonJS project at `dir`. */
export function emptyProject(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fleece-consumer', version: '1.0.0', private: true }, null, 2));
}

/** Runs npm in `cwd`, failing loudly. */
export function npm(args, cwd, env = {}) {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * The path of a Node binary of the given major version: this process's own for its major,
 * otherwise the registry's `node-<platform>-<arch>` package, installed once into a cache.
 */
export function nodeBinary(major) {
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath;
  const pkg = `node-${process.platform}-${process.arch}`;
  const cache = join(process.env.FLEECE_NODE_CACHE ?? join(homedir(), '.cache', 'fleece-node'), String(major));
  const binary = join(cache, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(binary)) {
    console.error(`fetching Node ${major} from the registry's ${pkg} package into ${cache} (once; about 20 s)`);
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{"private":true}');
    npm(['install', '--no-save', '--ignore-scripts', `${pkg}@${major}`], cache);
  }
  return binary;
}

/**
 * Loads every package from `project` with `require` and with `import` under `node`, checking that
 * both give the same non-empty set of exports. Returns one result per (package, mode).
 */
export function loadBothWays(node, project, names) {
  const results = [];
  for (const name of names) {
    const script = `
      const name = ${JSON.stringify(name)};
      const cjs = Object.keys(require(name)).filter((k) => k !== 'default' && k !== '__esModule').sort();
      import(name).then((esm) => {
        const keys = Object.keys(esm).filter((k) => k !== 'default' && k !== 'module.exports').sort();
        if (cjs.length === 0) throw new Error('require() gave no exports');
        if (JSON.stringify(keys) !== JSON.stringify(cjs)) throw new Error('import() and require() differ: ' + keys + ' vs ' + cjs);
        console.log(keys.length);
      }).catch((e) => { console.error(e.stack || e); process.exit(1); });`;
    const run = spawnSync(node, ['-e', script], { cwd: project, encoding: 'utf8' });
    results.push({ name, ok: run.status === 0, detail: run.status === 0 ? `${run.stdout.trim()} exports` : run.stderr.trim().split('\n').slice(0, 6).join('\n') });
  }
  return results;
}

/**
 * Type-checks a consumer that imports every package from an ES module and from a CommonJS module,
 * under `module` (nodenext or node16). `skipLibCheck: false` checks the packages' own .d.ts/.d.cts
 * (and what they import) as a strict consumer's compiler would.
 */
export function typecheckConsumer(project, names, { module = 'nodenext', skipLibCheck = true, prefix = 'consumer' } = {}) {
  const imports = names.map((name, i) => `import * as p${i} from '${name}';\nvoid p${i};`).join('\n');
  const requires = names.map((name, i) => `import p${i} = require('${name}');\nvoid p${i};`).join('\n');
  writeFileSync(join(project, `${prefix}-esm.mts`), imports + '\n');
  writeFileSync(join(project, `${prefix}-cjs.cts`), requires + '\n');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '--noEmit', '--strict', ...(skipLibCheck ? ['--skipLibCheck'] : []), '--module', module, '--moduleResolution', module, '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'), `${prefix}-esm.mts`, `${prefix}-cjs.cts`];
  const run = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8' });
  return { ok: run.status === 0, detail: (run.stdout + run.stderr).trim() };
}
