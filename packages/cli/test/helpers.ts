import { build } from 'esbuild';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO, type CliServices } from '../src/index.js';

/** A temp directory removed by the returned function. */
export async function tempDir(prefix = 'fleece-cli-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  cwd: string;
  stdin?: string;
  answers?: string[];
  env?: Record<string, string | undefined>;
  stderrIsTTY?: boolean;
  services?: CliServices;
}

/** Runs `fleece <args>` in-process with recorded streams. */
export async function run(args: string[], options: RunOptions) {
  const out = { stdout: '', stderr: '', asked: [] as string[] };
  const answers = [...(options.answers ?? [])];
  const io: CliIO = {
    readStdin: async () => options.stdin ?? '',
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    ask: async (question) => {
      out.asked.push(question);
      return answers.shift();
    },
    cwd: options.cwd,
    env: options.env ?? {},
    stderrIsTTY: options.stderrIsTTY ?? false,
    stdinIsTTY: false,
  };
  const code = await main(args, { io, services: options.services });
  return { code, ...out };
}

const packages = resolve(__dirname, '..', '..');

/**
 * A temp directory inside this package (tmp/ is ignored by git and lint), for bundles whose
 * third-party imports must resolve from the workspace's node_modules at run time.
 */
export async function localTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const base = resolve(__dirname, '..', 'tmp');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'bundle-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Bundles a TypeScript entry of this repository into one module that Node runs as is: the
 * @fleece/* sources are compiled in (so the test needs no prior `npm run build`), third-party
 * packages stay imports, resolved from node_modules when it runs (so write it under
 * {@link localTempDir}).
 */
export async function bundle(entry: string, outfile: string, format: 'esm' | 'cjs' = 'esm'): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    plugins: [
      {
        name: 'third-party-external',
        setup(builder) {
          builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@fleece/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
    platform: 'node',
    format,
    target: 'node20',
    conditions: ['@fleece/source'],
    logLevel: 'error',
    // CommonJS dependencies inside an ES module bundle need a real require for Node built-ins.
    banner: format === 'esm' ? { js: "import { createRequire as __fleeceRequire } from 'node:module'; const require = __fleeceRequire(import.meta.url);" } : {},
  });
  return outfile;
}

/** The path of a package's source entry. */
export function sourceOf(pkg: string): string {
  return join(packages, pkg, 'src', 'index.ts');
}

/**
 * A scripted editor: a Node script that the `edit` command runs as `node editor.mjs plan "$1"`.
 * Each run applies the next step of the plan to the file and logs what it saw.
 */
export async function scriptedEditor(dir: string, steps: EditorStep[]): Promise<{ command: string; log: () => Promise<EditorVisit[]> }> {
  const plan = join(dir, 'plan.json');
  const logFile = join(dir, 'editor-log.json');
  await writeFile(plan, JSON.stringify(steps));
  await writeFile(logFile, '[]');
  const script = join(dir, 'editor.mjs');
  await writeFile(
    script,
    `import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
const [plan, file] = process.argv.slice(2);
const log = JSON.parse(readFileSync(${JSON.stringify(logFile)}, 'utf8'));
const step = JSON.parse(readFileSync(plan, 'utf8'))[log.length] ?? {};
const content = readFileSync(file, 'utf8');
log.push({ file, mode: statSync(file).mode & 0o777, dirMode: statSync(dirname(file)).mode & 0o777, content });
writeFileSync(${JSON.stringify(logFile)}, JSON.stringify(log));
if (step.replace) writeFileSync(file, content.split(step.replace[0]).join(step.replace[1]));
if (step.write !== undefined) writeFileSync(file, step.write);
process.exit(step.exit ?? 0);
`,
  );
  return {
    command: `${JSON.stringify(process.execPath)} ${JSON.stringify(script)} ${JSON.stringify(plan)}`,
    log: async () => JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(logFile, 'utf8'))),
  };
}

export interface EditorStep {
  replace?: [string, string];
  write?: string;
  exit?: number;
}

export interface EditorVisit {
  file: string;
  mode: number;
  dirMode: number;
  content: string;
}
