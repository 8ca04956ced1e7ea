import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@fleece/config';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';
import { openForm, writeClosed, type ConfigSession } from './config-session.js';

/** Options of {@link editConfig}. */
export interface EditOptions {
  format: 'yaml' | 'json';
  /** The editor command; default `$FLEECE_EDITOR`, then `$EDITOR`, then `vi`. */
  editor?: string;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `fleece config edit`: the open form goes to a file of mode 0600 in a private directory under
 * the system temp dir (never in the repository, where it could be committed), the editor opens
 * it, and the result is imported. On an invalid edit the problem is shown with its line and
 * column and the user may edit again; config.yml is replaced only by a valid import. The
 * temporary directory is removed on every way out, signals included.
 */
export async function editConfig(config: ConfigSession, options: EditOptions): Promise<void> {
  const { io } = config.context;
  const editor = options.editor ?? io.env['FLEECE_EDITOR'] ?? io.env['EDITOR'] ?? 'vi';
  if (editor.trim() === '') throw new CliError('the editor command is empty', EXIT_CODES.USAGE);
  const { text: initial, isNew } = await openForm(config, options.format);

  const dir = await mkdtemp(join(tmpdir(), 'fleece-edit-'));
  const file = join(dir, options.format === 'json' ? 'config.json' : 'config.yml');
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.kill(process.pid, signal);
  };
  // Without these, Ctrl-C or a closed terminal would end the process and leave secrets on disk.
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.once('exit', cleanup);
  try {
    await writeFile(file, initial, { mode: 0o600, flag: 'wx' });
    for (;;) {
      await runEditor(editor, file, config.configName);
      const edited = await readFile(file, 'utf8');
      if (edited === initial && !isNew) {
        io.stderr(`no changes; ${config.configName} left as it was\n`);
        return;
      }
      try {
        await writeClosed(config, edited, 'the edited file');
        return;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.stderr(`fleece: ${error.message}\n`);
        const answer = await io.ask('Edit again? [Y/n] ');
        if (answer === undefined || /^\s*n/i.test(answer)) {
          throw new CliError(`edit abandoned; ${config.configName} was left unchanged`, EXIT_CODES.ABORTED, { cause: error });
        }
      }
    }
  } finally {
    cleanup();
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    process.removeListener('exit', cleanup);
  }
}

/** Runs the editor on `file` through the shell, so `code --wait` and the like work as in git. */
function runEditor(editor: string, file: string, configName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child =
      process.platform === 'win32'
        ? spawn(`${editor} "${file}"`, { shell: true, stdio: 'inherit' })
        : spawn('/bin/sh', ['-c', `${editor} "$1"`, 'fleece-edit', file], { stdio: 'inherit' });
    child.on('error', (error) => reject(new CliError(`cannot start the editor (${editor}): ${error.message}`, EXIT_CODES.ABORTED, { cause: error })));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new CliError(`the editor (${editor}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; ${configName} was left unchanged`, EXIT_CODES.ABORTED));
    });
  });
}
