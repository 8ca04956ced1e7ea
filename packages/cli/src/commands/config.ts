import { basename, dirname, extname, relative, resolve } from 'node:path';
import {
  ConfigFormatError,
  generateLocalKey,
  putParameters,
  renderConfig,
  renderModule,
  sealArtifact,
  toParameters,
  toYaml,
  writeFileAtomic,
  type RenderResult,
} from '@fleece/config';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { editConfig } from './config-edit.js';
import { openForm, requireConfig, session, writeClosed, type ConfigOptions, type ConfigSession } from './config-session.js';

type RenderFormat = 'yaml' | 'json' | 'encrypt' | 'module' | 'parameter-store';

interface RenderOptions {
  json?: boolean;
  encrypt?: boolean;
  module?: boolean;
  parameterStore?: string;
  ssmKmsKey?: string;
  out?: string;
  importFrom?: string;
}

function renderFormat(options: RenderOptions): RenderFormat {
  const chosen = (
    [
      ['json', options.json],
      ['encrypt', options.encrypt],
      ['module', options.module],
      ['parameter-store', options.parameterStore !== undefined],
    ] as const
  ).filter(([, on]) => on);
  if (chosen.length > 1) throw new CliError(`choose one of --json, --encrypt, --module, --parameter-store (got ${chosen.map(([name]) => `--${name}`).join(' and ')})`, EXIT_CODES.USAGE);
  const format = chosen[0]?.[0] ?? 'yaml';
  if (options.ssmKmsKey !== undefined && format !== 'parameter-store') throw new CliError('--ssm-kms-key goes with --parameter-store', EXIT_CODES.USAGE);
  if (options.out !== undefined && format === 'parameter-store') throw new CliError('--out does not go with --parameter-store', EXIT_CODES.USAGE);
  if (options.importFrom !== undefined && format !== 'module') throw new CliError('--import-from goes with --module', EXIT_CODES.USAGE);
  if (options.importFrom === '' || options.parameterStore === '') throw new CliError('--import-from and --parameter-store need a value', EXIT_CODES.USAGE);
  return format;
}

async function render(config: ConfigSession, stage: string, options: RenderOptions): Promise<void> {
  const { io } = config.context;
  const format = renderFormat(options);
  const text = await requireConfig(config);
  await config.checkEnvironments(text, config.configName);
  const rendered = await renderConfig(text, stage, { keys: config.keys, source: config.configName });
  warnAmbiguities(config, rendered);
  const write = async (content: string, secret: boolean) => {
    if (options.out === undefined) return io.stdout(content);
    // A plaintext render holds secrets: a file of it is for its owner only.
    await writeFileAtomic(resolve(io.cwd, options.out), content, { mode: secret ? 0o600 : 0o644 });
    io.stderr(`wrote ${options.out}\n`);
  };
  switch (format) {
    case 'yaml':
      return write(await toYaml(rendered.config), true);
    case 'json':
      return write(`${JSON.stringify(rendered.config, null, 2)}\n`, true);
    case 'encrypt': {
      const artifact = await sealArtifact(rendered.config, { stage, key: rendered.match.value.key, keys: config.keys });
      return write(`${JSON.stringify(artifact)}\n`, false);
    }
    case 'module': {
      const artifact = await sealArtifact(rendered.config, { stage, key: rendered.match.value.key, keys: config.keys });
      const module = renderModule(artifact, { from: options.importFrom });
      if (options.out === undefined) return io.stdout(module.esm);
      const out = resolve(io.cwd, options.out);
      const base = ['.mjs', '.cjs', '.js'].includes(extname(out)) ? out.slice(0, -extname(out).length) : out;
      await writeFileAtomic(`${base}.mjs`, module.esm);
      await writeFileAtomic(`${base}.cjs`, module.cjs);
      io.stderr(`wrote ${relative(io.cwd, `${base}.mjs`)} and ${basename(base)}.cjs\n`);
      return;
    }
    case 'parameter-store':
      return uploadParameters(config, rendered, options.parameterStore ?? '', options.ssmKmsKey);
  }
}

function warnAmbiguities(config: ConfigSession, rendered: RenderResult): void {
  const { io } = config.context;
  if (rendered.match.alsoMatched.length) {
    io.stderr(`warning: stage "${rendered.stage}" matches ${rendered.match.name} and also ${rendered.match.alsoMatched.join(', ')}; using ${rendered.match.name}, the first in the file\n`);
  }
  for (const { path, chosen, alsoMatched } of rendered.ambiguities) {
    io.stderr(`warning: ${path}: stage "${rendered.stage}" matches ${chosen} and also ${alsoMatched.join(', ')}; using ${chosen}, the first in the file\n`);
  }
}

async function uploadParameters(config: ConfigSession, rendered: RenderResult, prefix: string, kmsKey: string | undefined): Promise<void> {
  const { io, services } = config.context;
  // Every name and value is checked before the first AWS call: a bad configuration writes nothing.
  const entries = toParameters(rendered.config, prefix);
  const total = entries.length;
  const every = io.stderrIsTTY ? 1 : Math.max(10, Math.ceil(total / 10));
  io.stderr(`writing ${total} parameter${total === 1 ? '' : 's'} under ${prefix} as SecureString${kmsKey ? ` with key ${kmsKey}` : ''}\n`);
  await putParameters(entries, {
    ssm: services.ssm,
    kmsKey,
    onProgress: ({ done, name }) => {
      if (total <= 10) return;
      if (io.stderrIsTTY) io.stderr(`\r${done}/${total} ${name}\x1b[K`);
      else if (done % every === 0 || done === total) io.stderr(`${done}/${total} written\n`);
    },
  });
  if (io.stderrIsTTY && total > 10) io.stderr('\n');
  io.stderr(`wrote ${total} parameter${total === 1 ? '' : 's'} under ${prefix}\n`);
}

const HELP_FILES = `
The open form (what export writes, import reads, edit shows):

  stages:
    prod: { environment: prod, key: alias/prod-config }   # KMS ARN, id, alias (alias/ optional)
    /dev-.*/: { environment: dev, key: local:dev.key }    # or a key file from "fleece config keygen"
  config:
    table: greetings                                      # plain value
    password:                                             # per-stage values: keys start with "+"
      +prod: :encrypt:the-prod-password                   # :encrypt: only inside per-stage values
      +/dev-.*/: :encrypt:the-dev-password

Stages match exactly first, then by /regex/ names in file order (full match).
`;

/** Adds `fleece config` and its subcommands to the program. */
export function registerConfigCommand(program: Command, context: CliContext): void {
  const config = program
    .command('config')
    .description('encrypted per-stage configuration: import, export, edit, render, keygen')
    .option('-c, --config <file>', 'the closed configuration file', 'config.yml')
    .option('--environments <file>', 'environments.yml (stage environments are checked against it when it exists)')
    .addHelpText('after', HELP_FILES);
  const sessionOf = () => session(context, config.opts<ConfigOptions>());

  config
    .command('import')
    .description('read the open form (YAML or JSON) from stdin and write config.yml atomically')
    .action(async () => {
      const { io } = context;
      if (io.stdinIsTTY) io.stderr('reading the open configuration from stdin (end with Ctrl-D)\n');
      const text = await io.readStdin();
      if (text.trim() === '') throw new ConfigFormatError('', 'stdin is empty: pipe the open form in, e.g. "fleece config import < open.yml"');
      await writeClosed(sessionOf(), text, 'stdin');
    });

  config
    .command('export')
    .description('write the open form (secrets in plain text) to stdout')
    .option('--json', 'JSON instead of YAML')
    .action(async (options: { json?: boolean }) => {
      const current = sessionOf();
      const { text, isNew } = await openForm(current, options.json ? 'json' : 'yaml');
      if (isNew) context.io.stderr(`${current.configName} does not exist; this is a template\n`);
      context.io.stdout(text);
    });

  config
    .command('edit')
    .description('export to a private temporary file, open an editor, and import on save')
    .option('--json', 'edit JSON instead of YAML')
    .option('--editor <command>', 'the editor (default $FLEECE_EDITOR, then $EDITOR, then vi)')
    .action(async (options: { json?: boolean; editor?: string }) => {
      await editConfig(sessionOf(), { format: options.json ? 'json' : 'yaml', editor: options.editor });
    });

  config
    .command('render')
    .description("write one stage's resolved configuration (YAML by default)")
    .argument('<stage>', 'the stage to render')
    .option('--json', 'plaintext JSON')
    .option('--encrypt', 'an envelope-encrypted JSON artifact for loadConfig (one KMS call to open)')
    .option('--module', 'an ES module exporting the configuration (with --out, also its CommonJS twin)')
    .option('--parameter-store <prefix>', 'write each value as a SecureString parameter under this path')
    .option('--ssm-kms-key <key>', 'the KMS key for the SecureStrings (default: SSM\'s own)')
    .option('--out <file>', 'write to a file instead of stdout (for --module: <file>.mjs and <file>.cjs)')
    .option('--import-from <specifier>', 'where the --module output imports loadConfig from', '@fleece/config')
    .action(async (stage: string, options: RenderOptions, command: Command) => {
      // The default of --import-from is not a choice of the user's; only a given value must go with --module.
      if (command.getOptionValueSource('importFrom') === 'default') delete options.importFrom;
      await render(sessionOf(), stage, options);
    });

  config
    .command('keygen')
    .description('make a local key file (AES-256) for offline stages: key: local:<file>')
    .argument('[file]', 'where to write the key', 'fleece.key')
    .action(async (file: string) => {
      const { io } = context;
      const written = await generateLocalKey(resolve(io.cwd, file));
      const current = sessionOf();
      const reference = relative(dirname(current.configPath), written) || written;
      io.stderr(`wrote ${written} (mode 0600)\nuse it in a stage as   key: local:${reference}\nkeep it out of version control (add it to .gitignore)\n`);
    });
}
