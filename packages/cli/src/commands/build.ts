import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BuildError } from '../build/build-error.js';
import type { BuildFunctionOptions } from '../build/build-function.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

interface BuildCommandOptions {
  source: string;
  entry: string;
  target: string;
  name?: string;
  exclude?: string[];
  format: string;
  external?: string[];
  bundleAwsSdk?: boolean;
  minify: boolean;
  node: string;
  conditions?: string[];
}

const HELP = `
The zip holds the bundle (<entry>.mjs, or .js with --format cjs), its source map (set
NODE_OPTIONS=--enable-source-maps on the function) and every non-code file under the source
directory (an OpenAPI document, templates), minus --exclude. Its bytes depend only on the inputs:
fixed timestamps and order, so the same source gives the same hash and Terraform sees no change.

The AWS SDK v3 (@aws-sdk/*) is left to the Lambda runtime unless --bundle-aws-sdk. Packages given
to --external are neither bundled nor zipped: a layer must provide them. Put [dir] before the
variadic options, or repeat them: fleece build . --exclude '*.md' --exclude 'fixtures/**'

Examples:
  fleece build                                  ./src/handler.ts -> ./dist/<package name>.zip
  fleece build functions/orders --format cjs --external sharp
`;

/** The Lambda runtime name for a Node major version, for the report. */
function runtimeOf(node: number, format: string): string {
  return `nodejs${node}.x, ${format}`;
}

/** Adds `fleece build` to the program. */
export function registerBuildCommand(program: Command, context: CliContext): void {
  program
    .command('build')
    .description('bundle a Lambda function with esbuild into a deterministic zip')
    .argument('[dir]', 'the function\'s directory', '.')
    .option('-s, --source <dir>', 'source directory, relative to [dir]', 'src')
    .option('--entry <file>', 'handler module, relative to the source directory', 'handler.ts')
    .option('-t, --target <dir>', 'where <name>.zip goes, relative to [dir]', 'dist')
    .option('-n, --name <name>', 'zip name without .zip (default: package.json name without scope, else the directory name)')
    .option('-e, --exclude <glob...>', 'files under the source directory to leave out of the zip')
    .option('-f, --format <format>', 'esm or cjs', 'esm')
    .option('--external <package...>', 'packages to leave out of the bundle (a layer provides them)')
    .option('--bundle-aws-sdk', 'bundle @aws-sdk/* instead of using the runtime\'s copy')
    .option('--no-minify', 'do not minify')
    .option('--node <major>', 'Node major version of the Lambda runtime', '22')
    .option('--conditions <name...>', 'extra package.json exports conditions (e.g. a workspace source condition)')
    .addHelpText('after', HELP)
    .action(async (dir: string, options: BuildCommandOptions) => {
      const { io } = context;
      const node = Number(options.node);
      const buildOptions: BuildFunctionOptions = {
        dir: resolve(io.cwd, dir),
        source: options.source,
        entry: options.entry,
        target: options.target,
        name: options.name,
        exclude: options.exclude,
        format: options.format as 'esm' | 'cjs',
        external: options.external,
        bundleAwsSdk: options.bundleAwsSdk ?? false,
        minify: options.minify,
        node,
        conditions: options.conditions,
      };
      // Loaded here so that `fleece config` never loads the bundler.
      const { buildFunction } = await import('../build/build-function.js');
      const { formatReport, formatWarnings } = await import('../build/report.js');
      let result;
      try {
        result = await buildFunction(buildOptions);
      } catch (error) {
        if (!(error instanceof BuildError)) throw error;
        const code = error.kind === 'options' ? EXIT_CODES.USAGE : error.kind === 'file' ? EXIT_CODES.FILE : EXIT_CODES.INVALID;
        throw new CliError(`build: ${error.message}`, code, { cause: error });
      }
      for (const warning of formatWarnings(result)) io.stderr(`${warning}\n`);
      io.stdout(formatReport(result, io.cwd, runtimeOf(node, buildOptions.format ?? 'esm')));
    });
}
