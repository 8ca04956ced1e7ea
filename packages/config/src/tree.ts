import { ConfigFormatError, formatPath } from './errors.js';
import { isPlainObject } from './stages.js';

/** A configuration value: what JSON can hold. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };

/** A location in the `config` tree: map keys and list indexes, from the root of `config`. */
export type TreePath = (string | number)[];

/** The marker of a value to encrypt, in the open form. */
export const ENCRYPT = ':encrypt:';
/** The marker of a value the Python fleece encrypted (one KMS call per value). */
export const LEGACY = ':decrypt:';
/** The marker of a value sealed with an envelope data key. */
export const SEALED = ':envelope:';

/** A string leaf of the tree and the per-stage key (without `+`) it sits under, if any. */
export interface Leaf {
  path: TreePath;
  value: string;
  stage: string | undefined;
}

/** `config.<path>`, the form every message uses. */
export function describe(path: TreePath): string {
  return formatPath(['config', ...path]);
}

/**
 * Whether a map is a per-stage value: every key starts with `+`. A map that mixes `+` keys with
 * plain ones is an error (it would be half a per-stage value and half a nested map).
 */
export function isPerStage(map: Record<string, unknown>, path: TreePath): boolean {
  const keys = Object.keys(map);
  const staged = keys.filter((key) => key.startsWith('+'));
  if (staged.length === 0) return false;
  if (staged.length !== keys.length) {
    const plain = keys.filter((key) => !key.startsWith('+'));
    throw new ConfigFormatError(describe(path), `mixes per-stage keys (${staged.join(', ')}) with plain keys (${plain.join(', ')}); use only "+stage" keys or only plain keys`);
  }
  if (staged.includes('+')) throw new ConfigFormatError(describe(path), 'a per-stage key "+" names no stage');
  return true;
}

/**
 * Walks the `config` tree depth first, in file order, checking that it holds only what JSON can
 * hold, and calls `onString` for every string leaf with the per-stage key it sits under.
 */
export function walk(tree: unknown, onString: (leaf: Leaf) => void): void {
  visit(tree, [], undefined, onString);
}

function visit(value: unknown, path: TreePath, stage: string | undefined, onString: (leaf: Leaf) => void): void {
  if (typeof value === 'string') {
    onString({ path, value, stage });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => visit(item, [...path, index], stage, onString));
  } else if (isPlainObject(value)) {
    const staged = isPerStage(value, path);
    for (const [key, item] of Object.entries(value)) visit(item, [...path, key], staged ? key.slice(1) : stage, onString);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigFormatError(describe(path), `${value} cannot be stored in JSON; quote it to keep it as text`);
  } else if (typeof value !== 'boolean' && value !== null) {
    throw new ConfigFormatError(describe(path), `a ${Object.prototype.toString.call(value).slice(8, -1)} value is not allowed; use strings, numbers, booleans, null, lists and maps`);
  }
}

/** Reads the value at `path`. */
export function getAt(tree: unknown, path: TreePath): unknown {
  let node = tree;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

/** Replaces the value at `path` (which must exist). */
export function setAt(tree: unknown, path: TreePath, value: unknown): void {
  const parent = getAt(tree, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
}

/** A deep copy of a JSON-shaped value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
