import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  checkStageEnvironments,
  createKeyProvider,
  exportConfig,
  importConfig,
  parseEnvironments,
  stagesOf,
  templateConfig,
  writeFileAtomic,
  type Environment,
  type KeyProvider,
} from '@fleece/config';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

/** The options of `fleece config` itself. */
export interface ConfigOptions {
  config: string;
  environments?: string;
}

/** What the subcommands share: resolved paths, the key provider, and file helpers. */
export interface ConfigSession {
  context: CliContext;
  configPath: string;
  /** config.yml's path as the user wrote it, for messages. */
  configName: string;
  keys: KeyProvider;
  /** environments.yml's entries, or `undefined` when the default file does not exist. */
  environments(): Promise<Environment[] | undefined>;
  /** Checks the stages of a configuration text against environments.yml, when there is one. */
  checkEnvironments(text: string, source: string): Promise<void>;
  /** config.yml's text, or `undefined` when it does not exist. */
  readConfig(): Promise<string | undefined>;
}

const DEFAULT_ENVIRONMENTS = 'environments.yml';

/** Resolves paths and makes the key provider for one run of a subcommand. */
export function session(context: CliContext, options: ConfigOptions): ConfigSession {
  const { io, services } = context;
  const configPath = resolve(io.cwd, options.config);
  const environmentsPath = resolve(io.cwd, options.environments ?? DEFAULT_ENVIRONMENTS);
  let environments: Promise<Environment[] | undefined> | undefined;
  const self: ConfigSession = {
    context,
    configPath,
    configName: options.config,
    keys: createKeyProvider({ kms: services.kms, baseDir: dirname(configPath) }),
    environments() {
      environments ??= readOptional(environmentsPath).then((text) => {
        if (text === undefined) {
          if (options.environments !== undefined) throw new CliError(`cannot read ${options.environments}: no such file`, EXIT_CODES.FILE);
          return undefined;
        }
        return parseEnvironments(text, relative(io.cwd, environmentsPath) || environmentsPath);
      });
      return environments;
    },
    async checkEnvironments(text, source) {
      const known = await self.environments();
      if (known) checkStageEnvironments(await stagesOf(text, source), known);
    },
    readConfig: () => readOptional(configPath),
  };
  return self;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, EXIT_CODES.FILE, { cause: error });
  }
}

/** config.yml's text; a missing file is an error that says how to make one. */
export async function requireConfig(config: ConfigSession): Promise<string> {
  const text = await config.readConfig();
  if (text === undefined) throw new CliError(`${config.configName} does not exist; create it with "fleece config edit" or "fleece config import"`, EXIT_CODES.FILE);
  return text;
}

/** Writes the closed text of an import and says what was sealed (names and counts only). */
export async function writeClosed(config: ConfigSession, openText: string, source: string): Promise<void> {
  await config.checkEnvironments(openText, source);
  const result = await importConfig(openText, { keys: config.keys, source });
  await writeFileAtomic(config.configPath, result.text);
  const keys = result.keys.length ? ` under ${result.keys.length} key${result.keys.length > 1 ? 's' : ''} (${result.keys.join(', ')})` : '';
  config.context.io.stderr(`wrote ${config.configName}: ${result.sealed} secret${result.sealed === 1 ? '' : 's'} sealed${keys}\n`);
}

/** The open form for editing: config.yml exported, or a template when there is none yet. */
export async function openForm(config: ConfigSession, format: 'yaml' | 'json'): Promise<{ text: string; isNew: boolean }> {
  const closed = await config.readConfig();
  if (closed === undefined) {
    const environments = (await config.environments()) ?? [];
    return { text: await templateConfig(environments.map((environment) => environment.name), format), isNew: true };
  }
  return { text: await exportConfig(closed, { keys: config.keys, format, source: config.configName }), isNew: false };
}
