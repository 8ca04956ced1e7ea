import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

/** Which API Gateway payload the server sends: REST API (v1) or HTTP API (v2). */
export type EventVersion = 'v1' | 'v2';

/** Where the handler's AWS SDK calls go: the embedded local AWS, or the user's own account. */
export type AwsMode = 'local' | 'real';

/** A module and one of its exports: `src/handler.mjs#handler`. */
export interface ModuleRef {
  /** Absolute path of the module file. */
  file: string;
  /** The export to call. */
  exportName: string;
}

/** Everything `fleece serve` needs, validated. Durations are milliseconds. */
export interface ServeOptions {
  handler: ModuleRef;
  /** Port on 127.0.0.1; `0` takes a free one. Default 8080. */
  port?: number;
  /** Default `'v1'`. */
  event?: EventVersion;
  /** Default `'local'`. */
  aws?: AwsMode;
  /** The function's timeout; each invocation gets a 504 past it, as in Lambda. Default 3000 (Lambda's default). */
  timeoutMs?: number;
  /** The most invocations running at once, one per worker like Lambda execution environments; more wait. Default 10. */
  concurrency?: number;
  /** The function's name in contexts, ARNs and the local Lambda. Default: the package name without scope. */
  functionName?: string;
  /** A module run once before the handler loads, to create tables and buckets; may return environment variables for the function. */
  setup?: ModuleRef;
  /** Reload the handler when files under its directory change. Default true. */
  watch?: boolean;
  /** Extra environment variables for the function (after the local AWS ones and those `setup` returns). */
  env?: Record<string, string>;
}

/** A user-facing problem with the options; the command turns it into a usage error. */
export class ServeOptionError extends Error {
  override readonly name = 'ServeOptionError';
}

const HANDLER_EXTENSIONS = ['.mjs', '.js', '.cjs', '.ts', '.mts'];
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Parses `path/to/module[#export]` against `cwd`. The export defaults to `fallbackExport`; a module
 * named without its extension is found with any of .mjs, .js, .cjs, .ts, .mts.
 */
export function parseModuleRef(spec: string, cwd: string, fallbackExport: string, what = 'handler module'): ModuleRef {
  if (typeof spec !== 'string' || spec.trim() === '') throw new ServeOptionError(`the ${what} is missing: give a path like src/handler.mjs#handler`);
  const hash = spec.lastIndexOf('#');
  const path = hash >= 0 ? spec.slice(0, hash) : spec;
  const exportName = hash >= 0 ? spec.slice(hash + 1) : fallbackExport;
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new ServeOptionError(`"${exportName}" after # in ${spec} is not an export name`);
  const file = findModule(resolve(cwd, path));
  if (!file) throw new ServeOptionError(`the ${what} ${path} does not exist`);
  const ext = extname(file);
  if (!HANDLER_EXTENSIONS.includes(ext)) throw new ServeOptionError(`the ${what} ${path} must be a JavaScript or TypeScript module (${HANDLER_EXTENSIONS.join(', ')})`);
  return { file, exportName };
}

function findModule(path: string): string | undefined {
  if (isFile(path)) return path;
  if (extname(path) === '') return HANDLER_EXTENSIONS.map((ext) => path + ext).find(isFile);
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A TCP port, 0 to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ServeOptionError(`--port must be a port number (0 for any free one), got "${value}"`);
  return port;
}

/** A positive whole number of milliseconds. */
export function parseMs(option: string, value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value) || ms < 1 || ms > 900_000) throw new ServeOptionError(`${option} must be milliseconds from 1 to 900000 (Lambda's 15 minutes), got "${value}"`);
  return ms;
}

/** A positive whole number. */
export function parseCount(option: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new ServeOptionError(`${option} must be a whole number from 1 to 1000, got "${value}"`);
  return n;
}

/** `v1` or `v2`. */
export function parseEventVersion(value: string): EventVersion {
  if (value !== 'v1' && value !== 'v2') throw new ServeOptionError(`--event must be v1 (REST API) or v2 (HTTP API), got "${value}"`);
  return value;
}

/** `local` or `real`. */
export function parseAwsMode(value: string): AwsMode {
  if (value !== 'local' && value !== 'real') throw new ServeOptionError(`--aws must be local (the embedded local AWS) or real (your AWS credentials), got "${value}"`);
  return value;
}

/** A Lambda function name. */
export function checkFunctionName(value: string): string {
  if (!FUNCTION_NAME.test(value)) throw new ServeOptionError(`--name must be a Lambda function name (1-64 of a-z, A-Z, 0-9, - and _), got "${value}"`);
  return value;
}

/** `NAME=value`, for --env. */
export function parseEnvPair(value: string): [string, string] {
  const eq = value.indexOf('=');
  const name = eq > 0 ? value.slice(0, eq) : '';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ServeOptionError(`--env takes NAME=value, got "${value}"`);
  return [name, value.slice(eq + 1)];
}

/**
 * The default function name: the `name` of the nearest package.json above the module, without its
 * scope, made a valid Lambda name; else the module's directory name.
 */
export function defaultFunctionName(moduleFile: string): string {
  let dir = dirname(moduleFile);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name !== '') return sanitize(name.replace(/^@[^/]+\//, ''));
      } catch {
        // A broken package.json names nothing; fall through to the directory name.
      }
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return sanitize(basename(dirname(moduleFile)));
}

function sanitize(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return clean === '' ? 'fleece-serve' : clean;
}
