import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { BuildOptions as EsbuildOptions, Message, Metafile, Plugin } from 'esbuild';
import { collectAssets } from './assets.js';
import { BuildError } from './build-error.js';
import { compileGlobs, type PathMatcher } from './glob.js';
import { findNativeModules, packageOf, type NativeModuleWarning } from './native.js';
import { deterministicZip, type ZipEntry } from './zip.js';

/** What {@link buildFunction} bundles and where it writes the zip. Paths are relative to `dir`. */
export interface BuildFunctionOptions {
  /** The function's directory. Default the current directory. */
  dir?: string;
  /** The source directory, relative to `dir`. Default `src`. */
  source?: string;
  /** The handler module, relative to `source`. Default `handler.ts`. */
  entry?: string;
  /** Where the zip goes, relative to `dir`. Default `dist`. */
  target?: string;
  /** The zip's name without `.zip`. Default the `name` in `dir/package.json` without its scope, else the directory's name. */
  name?: string;
  /** Globs of files under `source` to leave out of the zip (see `compileGlobs`). Default none. */
  exclude?: readonly string[];
  /** The bundle's module format: `esm` writes `<entry>.mjs`, `cjs` writes `<entry>.js`. Default `esm`. */
  format?: 'esm' | 'cjs';
  /** Packages left out of the bundle (provided by the runtime or a layer): names or `@scope/*` globs. Default none besides the AWS SDK. */
  external?: readonly string[];
  /** Bundle the AWS SDK v3 (`@aws-sdk/*`) too, instead of using the copy the Lambda Node runtime has. Default `false`. */
  bundleAwsSdk?: boolean;
  /** Minify the bundle (names are kept, and the source map maps stack traces back). Default `true`. */
  minify?: boolean;
  /** The Node major version of the Lambda runtime the bundle targets. Default 22 (`nodejs22.x`). */
  node?: number;
  /** Extra package.json `exports` conditions to resolve with (a workspace's source condition, say). Default none. */
  conditions?: readonly string[];
}

/** A file inside the zip. Sizes are bytes. */
export interface ZipFileInfo {
  path: string;
  bytes: number;
}

/** One input of the bundle: a package (files under node_modules grouped by package) or a source file. */
export interface BundleInput {
  name: string;
  /** Bytes it contributes to the bundle (after tree shaking and minification). */
  bytes: number;
}

/** What {@link buildFunction} wrote and found. Sizes are bytes. */
export interface BuildFunctionResult {
  /** The zip's absolute path. */
  zipPath: string;
  zipBytes: number;
  /** base64 SHA-256 of the zip, as Terraform's `filebase64sha256()` computes it for `source_code_hash`. */
  sha256: string;
  /** The zip's files in archive order (the bundle, its source map, then assets). */
  files: ZipFileInfo[];
  /** The Lambda `handler` setting for the entry's `handler` export, e.g. `handler.handler`. */
  handler: string;
  /** The bundle's own size (the .mjs/.js file). */
  bundleBytes: number;
  /** Every input, largest first. */
  inputs: BundleInput[];
  nativeModules: NativeModuleWarning[];
  /** The bundler's warnings, formatted. */
  warnings: string[];
}

/** The Lambda Node runtime (nodejs18.x and later) provides the AWS SDK v3: every client and its helpers. */
export const AWS_SDK_EXTERNALS: readonly string[] = ['@aws-sdk/*'];

/** Lambda's limits on a deployment package: 50 MiB zipped for a direct upload, 250 MB unzipped. */
export const LAMBDA_ZIP_LIMIT_BYTES = 50 * 1024 * 1024;
export const LAMBDA_UNZIPPED_LIMIT_BYTES = 262_144_000;

/**
 * CommonJS dependencies inside an ES module bundle still call `require()` for Node built-ins and
 * read `__dirname`: give them both, from the bundle's own URL.
 */
const ESM_SHIM = [
  "import { createRequire as __fleeceCreateRequire } from 'node:module';",
  "import { fileURLToPath as __fleeceFileURLToPath } from 'node:url';",
  "import { dirname as __fleeceDirname } from 'node:path';",
  'const require = __fleeceCreateRequire(import.meta.url);',
  'const __filename = __fleeceFileURLToPath(import.meta.url);',
  'const __dirname = __fleeceDirname(__filename);',
].join('\n');

const SOURCE_EXTENSION = /\.(?:[cm]?[jt]sx?)$/;

interface Resolved {
  dir: string;
  sourceDir: string;
  entryPath: string;
  targetDir: string;
  name: string;
  excluded: PathMatcher;
  format: 'esm' | 'cjs';
  external: string[];
  minify: boolean;
  node: number;
  conditions: string[];
}

function stringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    throw new BuildError(`option "${option}" must be a list of non-empty strings, got ${JSON.stringify(value)}`, 'options');
  }
  return value.map((item: string) => item.trim());
}

function relativeOption(option: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') throw new BuildError(`option "${option}" must be a non-empty path, got ${JSON.stringify(value)}`, 'options');
  return value;
}

function excludeMatcher(patterns: string[]): PathMatcher {
  try {
    return compileGlobs(patterns);
  } catch (error) {
    throw new BuildError((error as Error).message, 'options', { cause: error });
  }
}

function defaultName(dir: string): string {
  try {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof name === 'string' && name !== '') return name.replace(/^@[^/]+\//, '');
  } catch {
    // No (readable) package.json: the directory names the function.
  }
  return basename(dir);
}

function resolveOptions(options: BuildFunctionOptions): Resolved {
  if (options === null || typeof options !== 'object') throw new BuildError('options must be an object', 'options');
  const dir = resolve(relativeOption('dir', options.dir, '.'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BuildError(`${dir} is not a directory`, 'file');
  const sourceDir = resolve(dir, relativeOption('source', options.source, 'src'));
  if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) throw new BuildError(`source directory ${sourceDir} does not exist (set --source, relative to ${dir})`, 'file');
  const entry = relativeOption('entry', options.entry, 'handler.ts');
  const entryPath = resolve(sourceDir, entry);
  if (!existsSync(entryPath) || !statSync(entryPath).isFile()) throw new BuildError(`entry ${entryPath} does not exist (set --entry, relative to the source directory ${sourceDir})`, 'file');
  if (!SOURCE_EXTENSION.test(entryPath)) throw new BuildError(`entry ${entry} must be a .ts, .mts, .cts, .js, .mjs or .cjs module`, 'options');
  const rel = relative(sourceDir, entryPath);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new BuildError(`entry ${entry} must lie inside the source directory`, 'options');
  const name = options.name ?? defaultName(dir);
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw new BuildError(`option "name" must be a file name (letters, digits, "_", "-", "."), got ${JSON.stringify(name)}`, 'options');
  const format = options.format ?? 'esm';
  if (format !== 'esm' && format !== 'cjs') throw new BuildError(`option "format" must be "esm" or "cjs", got ${JSON.stringify(format)}`, 'options');
  const node = options.node ?? 22;
  if (!Number.isInteger(node) || node < 18) throw new BuildError(`option "node" must be a Node major version (18 or later), got ${JSON.stringify(node)}`, 'options');
  const minify = options.minify ?? true;
  if (typeof minify !== 'boolean') throw new BuildError(`option "minify" must be a boolean, got ${JSON.stringify(minify)}`, 'options');
  const bundleAwsSdk = options.bundleAwsSdk ?? false;
  if (typeof bundleAwsSdk !== 'boolean') throw new BuildError(`option "bundleAwsSdk" must be a boolean, got ${JSON.stringify(bundleAwsSdk)}`, 'options');
  const external = [...(bundleAwsSdk ? [] : AWS_SDK_EXTERNALS), ...stringList('external', options.external)];
  return {
    dir,
    sourceDir,
    entryPath,
    targetDir: resolve(dir, relativeOption('target', options.target, 'dist')),
    name,
    excluded: excludeMatcher(stringList('exclude', options.exclude)),
    format,
    external,
    minify,
    node,
    conditions: stringList('conditions', options.conditions),
  };
}

/** Records `.node` addons instead of failing on them: they are reported as native modules. */
function nativeAddonPlugin(found: string[]): Plugin {
  return {
    name: 'fleece-native-addons',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => {
        found.push(args.path.startsWith('.') ? resolve(args.resolveDir, args.path) : args.path);
        return { path: args.path, external: true };
      });
    },
  };
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/**
 * The package a bundle input belongs to: under node_modules, that package; elsewhere, the nearest
 * package.json's name when it is not the function's own (a workspace package used from source).
 */
function ownerOf(file: string, dir: string, manifests: Map<string, string | undefined>): string | undefined {
  const pkg = packageOf(file);
  if (pkg) return pkg.name;
  for (let at = dirname(file); at !== dirname(at); at = dirname(at)) {
    if (at === dir) return undefined;
    if (!manifests.has(at)) {
      let name: string | undefined;
      try {
        const parsed = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')) as { name?: unknown };
        name = typeof parsed.name === 'string' && parsed.name !== '' ? parsed.name : undefined;
      } catch {
        name = undefined;
      }
      manifests.set(at, name);
    }
    const name = manifests.get(at);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The bundle's inputs, summed per package (the function's own files one by one), largest first. */
function inputsOf(metafile: Metafile, bundleKey: string, dir: string): BundleInput[] {
  const sizes = new Map<string, number>();
  const manifests = new Map<string, string | undefined>();
  for (const [path, { bytesInOutput }] of Object.entries(metafile.outputs[bundleKey]?.inputs ?? {})) {
    const name = ownerOf(resolve(dir, path), dir, manifests) ?? path;
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return [...sizes]
    .map(([name, bytes]) => ({ name, bytes }))
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

async function formatMessages(messages: Message[], kind: 'error' | 'warning'): Promise<string[]> {
  if (messages.length === 0) return [];
  const { formatMessages: format } = await import('esbuild');
  return (await format(messages, { kind, color: false })).map((text) => text.trimEnd());
}

/**
 * Bundles a Lambda function with esbuild for the Lambda Node runtime (tree-shaken, minified with
 * names kept, a linked source map, the AWS SDK left to the runtime) and writes
 * `<target>/<name>.zip`: the bundle, its source map and the non-code files of the source directory,
 * as a {@link deterministicZip}. Nothing but the zip is written.
 *
 * @throws BuildError for bad options, missing files and compile errors (with the bundler's messages).
 */
export async function buildFunction(options: BuildFunctionOptions = {}): Promise<BuildFunctionResult> {
  const o = resolveOptions(options);
  const esbuild = await import('esbuild');
  const entryRel = toPosix(relative(o.sourceDir, o.entryPath));
  const bundleName = entryRel.replace(SOURCE_EXTENSION, o.format === 'esm' ? '.mjs' : '.js');
  // The outfile is never written (write: false); it fixes the relative paths in the source map
  // and so keeps them the same wherever the repository is checked out.
  const outfile = join(o.targetDir, ...bundleName.split('/'));
  const nodeImports: string[] = [];
  const buildOptions: EsbuildOptions = {
    absWorkingDir: o.dir,
    entryPoints: [o.entryPath],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    target: `node${o.node}`,
    format: o.format,
    mainFields: o.format === 'esm' ? ['module', 'main'] : ['main', 'module'],
    conditions: o.conditions,
    external: o.external,
    sourcemap: 'linked',
    sourcesContent: false,
    minify: o.minify,
    keepNames: true,
    treeShaking: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [nativeAddonPlugin(nodeImports)],
    ...(o.format === 'esm' && { banner: { js: ESM_SHIM } }),
    // In a CommonJS bundle, a lazy `import()` of the runtime's CommonJS AWS SDK costs up to 2.4× a
    // `require()` at cold start on Node 20 (BENCHMARKS.md); turn them into lazy requires.
    ...(o.format === 'cjs' && { supported: { 'dynamic-import': false } }),
  };
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build(buildOptions);
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw error;
    const text = await formatMessages(errors, 'error');
    throw new BuildError(`bundling ${relative(o.dir, o.entryPath)} failed:\n${text.join('\n')}`, 'bundle', { cause: error });
  }

  const bundleFiles: ZipEntry[] = (result.outputFiles ?? []).map((file) => ({ path: toPosix(relative(o.targetDir, file.path)), data: file.contents }));
  const insideSource = !relative(o.sourceDir, o.targetDir).startsWith('..');
  const assets = await collectAssets(o.sourceDir, o.excluded, insideSource ? o.targetDir : undefined);
  const clash = assets.find((asset) => bundleFiles.some((file) => file.path === asset.path));
  if (clash) throw new BuildError(`${clash.path} in the source directory has the name of the bundle: rename it or --exclude it`, 'options');
  const entries = [...bundleFiles, ...assets];
  const zip = deterministicZip(entries);

  await mkdir(o.targetDir, { recursive: true });
  const zipPath = join(o.targetDir, `${o.name}.zip`);
  const temporary = `${zipPath}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, zip);
    await rename(temporary, zipPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }

  const metafile = result.metafile as Metafile;
  const bundleKey = toPosix(relative(o.dir, outfile));
  return {
    zipPath,
    zipBytes: zip.byteLength,
    sha256: createHash('sha256').update(zip).digest('base64'),
    files: [...entries].sort((a, b) => (a.path < b.path ? -1 : 1)).map(({ path, data }) => ({ path, bytes: data.byteLength })),
    handler: `${bundleName.replace(/\.m?js$/, '')}.handler`,
    bundleBytes: bundleFiles.find((file) => file.path === bundleName)?.data.byteLength ?? 0,
    inputs: inputsOf(metafile, bundleKey, o.dir),
    nativeModules: findNativeModules(
      Object.keys(metafile.inputs).map((path) => resolve(o.dir, path)),
      nodeImports,
    ),
    warnings: await formatMessages(result.warnings, 'warning'),
  };
}
