import { ConfigFormatError } from './errors.js';
import { isPlainObject, type Stages } from './stages.js';
import { parseText } from './yaml-text.js';

/** One entry of environments.yml (the `fleece run` format). */
export interface Environment {
  name: string;
  /** The AWS account id, a string (quote it in YAML so it is not read as a number). */
  account: string;
  /** A role to assume in the account, if any. */
  role?: string;
}

/**
 * Parses environments.yml: `environments: [{ name, account, role? }]`. Other fields of an entry
 * (the Python version's Rackspace credential variables) are allowed and ignored.
 */
export async function parseEnvironments(text: string, source = 'environments.yml'): Promise<Environment[]> {
  const { value } = await parseText(text, source);
  const list = isPlainObject(value) ? value['environments'] : undefined;
  if (!Array.isArray(list)) throw new ConfigFormatError('', `${source} must be a map with an "environments" list`);
  return list.map((entry, index) => {
    const where = `environments[${index}]`;
    if (!isPlainObject(entry) || typeof entry['name'] !== 'string' || entry['name'] === '') throw new ConfigFormatError(where, 'needs a "name"');
    const account = entry['account'];
    if (typeof account !== 'string' || !/^\d{12}$/.test(account)) {
      throw new ConfigFormatError(where, `"account" must be a 12-digit account id in quotes${typeof account === 'number' ? ' (YAML read it as a number; quote it)' : ''}`);
    }
    const role = entry['role'];
    if (role !== undefined && typeof role !== 'string') throw new ConfigFormatError(where, '"role" must be a string');
    return role === undefined ? { name: entry['name'], account } : { name: entry['name'], account, role };
  });
}

/** Checks that every stage names an environment that environments.yml defines. */
export function checkStageEnvironments(stages: Stages, environments: readonly Environment[]): void {
  const known = new Set(environments.map((environment) => environment.name));
  for (const [name, definition] of stages.list()) {
    if (definition.environment !== undefined && !known.has(definition.environment)) {
      throw new ConfigFormatError(`stages.${name}`, `environment "${definition.environment}" is not defined in environments.yml (defined: ${[...known].join(', ') || 'none'})`);
    }
  }
}
