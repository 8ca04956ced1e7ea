import { readFile } from 'node:fs/promises';
import { parseEnvironments, type Environment } from '@fleece/config';
import { CliError } from '../errors.js';
import { EXIT_CODES } from '../exit-codes.js';

/**
 * Reads environments.yml (fleece's format: `environments: [{ name, account: '123456789012', role? }]`)
 * and returns the entry called `name`.
 *
 * @throws CliError naming the file when it cannot be read (exit code FILE) or is invalid (INVALID),
 * and naming the environment and the defined ones when it is not there (USAGE).
 */
export async function findEnvironment(path: string, displayPath: string, name: string): Promise<Environment> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CliError(
      `environment "${name}": cannot read ${displayPath}: ${missing ? 'no such file (set --environments)' : (error as Error).message}`,
      EXIT_CODES.FILE,
      { cause: error },
    );
  }
  let environments: Environment[];
  try {
    environments = await parseEnvironments(text, displayPath);
  } catch (error) {
    throw new CliError(`environment "${name}": ${displayPath} is invalid: ${(error as Error).message}`, EXIT_CODES.INVALID, { cause: error });
  }
  const found = environments.find((environment) => environment.name === name);
  if (found === undefined) {
    const defined = environments.map((environment) => environment.name).join(', ') || 'none';
    throw new CliError(`environment "${name}" is not defined in ${displayPath} (defined: ${defined})`, EXIT_CODES.USAGE);
  }
  return found;
}
