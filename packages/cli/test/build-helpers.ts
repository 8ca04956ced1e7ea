import { CommanderError } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { registerBuildCommand } from '../src/commands/build.js';
import { registerRunCommand } from '../src/commands/run.js';
import { createProgram, exitCodeOf, type CliIO } from '../src/index.js';

/**
 * Runs `fleece <args>` in-process with recorded streams, as `main` does, with `build` and `run`
 * registered even before the program's command list names them.
 */
export async function fleece(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  const out = { stdout: '', stderr: '' };
  const io: CliIO = {
    readStdin: async () => '',
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    ask: async () => undefined,
    cwd: options.cwd,
    env: options.env ?? {},
    stderrIsTTY: false,
    stdinIsTTY: false,
  };
  const context = { io, services: {} };
  const program = createProgram(context);
  if (!program.commands.some((command) => command.name() === 'build')) registerBuildCommand(program, context);
  if (!program.commands.some((command) => command.name() === 'run')) registerRunCommand(program, context);
  let code = 0;
  let error: unknown;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (caught) {
    error = caught;
    code = exitCodeOf(caught);
    if (!(caught instanceof CommanderError)) io.stderr(`fleece: ${(caught as Error).message}\n`);
  }
  return { code, error, ...out };
}

/** Writes `files` (path → content) under `root`, making directories as needed. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}
