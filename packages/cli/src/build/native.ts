import { existsSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** A package (or file) in the bundle that carries native code, and how that was recognised. */
export interface NativeModuleWarning {
  /** The package name (`sharp`), or the path of a `.node` file outside any package. */
  name: string;
  /** Its version, when it is a package. */
  version?: string;
  /** What gave it away: `binding.gyp`, `"gypfile": true`, a dependency on `node-gyp-build`, a `.node` import. */
  reason: string;
}

/**
 * Dependencies that exist to load or build a compiled addon: a package that depends on one of
 * these ships native code, whatever it looks like from its JavaScript.
 */
const NATIVE_LOADERS = ['node-gyp-build', 'node-gyp-build-optional-packages', 'bindings', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'nan', 'node-addon-api', 'cmake-js', 'napi-build-utils'];

/** The package directory and name of a file under node_modules, from its innermost node_modules. */
export function packageOf(file: string): { dir: string; name: string } | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(sep);
  const length = rest[0]?.startsWith('@') ? 2 : 1;
  if (rest.length <= length) return undefined;
  const name = rest.slice(0, length).join('/');
  return { dir: file.slice(0, at + marker.length) + rest.slice(0, length).join(sep), name };
}

/**
 * Looks at the packages the bundle took files from and reports those with native code: it was
 * compiled for this machine (or not at all) and a `.node` file is never bundled, so it will not
 * load on Lambda unless built for Amazon Linux and the function's architecture and shipped in a
 * layer. `nodeImports` are the `.node` files the bundler met (each a warning of its own).
 */
export function findNativeModules(inputFiles: Iterable<string>, nodeImports: Iterable<string> = []): NativeModuleWarning[] {
  const warnings = new Map<string, NativeModuleWarning>();
  const checked = new Set<string>();
  for (const file of inputFiles) {
    const pkg = packageOf(file);
    if (pkg === undefined || checked.has(pkg.dir)) continue;
    checked.add(pkg.dir);
    const found = inspectPackage(pkg.dir);
    if (found) warnings.set(pkg.dir, { name: pkg.name, ...found });
  }
  for (const file of nodeImports) {
    const pkg = packageOf(file);
    const key = pkg?.dir ?? file;
    if (warnings.has(key)) continue;
    warnings.set(key, pkg ? { name: pkg.name, version: readManifest(pkg.dir)?.version, reason: 'a .node addon import' } : { name: file, reason: 'a .node addon import' });
  }
  return [...warnings.values()].sort((a, b) => a.name.localeCompare(b.name));
}

interface Manifest {
  version?: string;
  gypfile?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function inspectPackage(dir: string): { version?: string; reason: string } | undefined {
  const manifest = readManifest(dir);
  const version = typeof manifest?.version === 'string' ? manifest.version : undefined;
  const withVersion = (reason: string) => (version === undefined ? { reason } : { version, reason });
  if (existsSync(join(dir, 'binding.gyp'))) return withVersion('binding.gyp');
  if (manifest?.gypfile === true) return withVersion('"gypfile": true');
  const dependencies = { ...manifest?.optionalDependencies, ...manifest?.dependencies };
  const loader = NATIVE_LOADERS.find((name) => name in dependencies);
  if (loader !== undefined) return withVersion(`depends on ${loader}`);
  return undefined;
}
