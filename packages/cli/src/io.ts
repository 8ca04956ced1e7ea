import { createInterface } from 'node:readline/promises';

/** Everything the command reads and writes, so tests can drive it in-process. */
export interface CliIO {
  /** The whole of standard input. */
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks a question on the terminal; `undefined` when there is no terminal to ask on. */
  ask(question: string): Promise<string | undefined>;
  /** The directory relative paths are resolved from. */
  cwd: string;
  /** The environment (editor variables). */
  env: Record<string, string | undefined>;
  /** Whether standard error is a terminal, for progress lines that rewrite themselves. */
  stderrIsTTY: boolean;
  /** Whether standard input is a terminal, to hint that `import` waits for input. */
  stdinIsTTY: boolean;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    async ask(question) {
      if (!process.stdin.isTTY) return undefined;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    cwd: process.cwd(),
    env: process.env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
  };
}
