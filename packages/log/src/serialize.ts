import { types } from 'node:util';
import { REDACTED, type Redactor } from './redact.js';

// Deep enough for real payloads (API Gateway events nest about 6 levels), shallow enough that a
// runaway structure (an SDK response holding a socket) cannot blow the stack or the line.
const MAX_DEPTH = 16;

/** The fields every line starts with; keys of the same name elsewhere get a trailing `_`. */
export const RESERVED_FIELDS: readonly string[] = Object.freeze(['timestamp', 'level', 'logger', 'message']);

// `__proto__` is renamed too: merged with Object.assign it would replace the line's prototype.
const RENAMED: readonly string[] = [...RESERVED_FIELDS, '__proto__'];

interface Walk {
  readonly redactor: Redactor;
  readonly ancestors: Set<object>;
}

/**
 * A JSON-safe version of `value`, masking redacted keys at any depth. It never throws: errors
 * become `{ name, message, stack, …own fields, cause }` (recursively), BigInt a decimal string,
 * binary data a `"[Buffer 12 bytes]"` placeholder (never its bytes: they may be a decrypted secret),
 * Maps objects, Sets arrays, a circular reference `"[Circular]"`, and anything deeper than 16
 * levels `"[Truncated]"`. Values already safe are returned as they are (no copy).
 */
export function toJsonValue(value: unknown, redactor: Redactor): unknown {
  return walk(value, { redactor, ancestors: new Set() }, 0);
}

/**
 * The top-level fields of a line from an object the caller passed (meta, bindings, appended keys):
 * JSON-safe and redacted as {@link toJsonValue}, with reserved keys renamed (`message` → `message_`).
 * A value that is not a plain object is kept under `meta` (an Error under `error`).
 */
export function toFields(value: unknown, redactor: Redactor): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (isError(value)) return { error: toJsonValue(value, redactor) };
  const json = toJsonValue(value, redactor);
  if (typeof json !== 'object' || json === null || Array.isArray(json) || json instanceof Date) return { meta: json };
  const fields = json as Record<string, unknown>;
  return hasReserved(fields) ? renameReserved(fields) : fields;
}

/** Sets `key` even when it is `__proto__`, which plain assignment would take as the prototype. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function hasReserved(fields: Record<string, unknown>): boolean {
  for (const key of RENAMED) if (Object.prototype.hasOwnProperty.call(fields, key)) return true;
  return false;
}

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) put(renamed, RENAMED.includes(key) ? `${key}_` : key, fields[key]);
  return renamed;
}

function walk(value: unknown, w: Walk, depth: number): unknown {
  if (typeof value === 'string') return w.redactor.scrub(value);
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? value.toString() : value;
  // A Date serializes itself safely; anything else may hide a cycle, a BigInt or a throwing getter.
  if (value instanceof Date) return value;
  if (w.ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  w.ancestors.add(value);
  try {
    return walkObject(value, w, depth);
  } catch (error) {
    return `[Unserializable: ${describe(error)}]`;
  } finally {
    w.ancestors.delete(value);
  }
}

function walkObject(value: object, w: Walk, depth: number): unknown {
  if (isError(value)) return walkError(value, w, depth);
  if (ArrayBuffer.isView(value)) return `[${value.constructor?.name ?? 'Binary'} ${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
    return `[${value.constructor.name} ${value.byteLength} bytes]`;
  }
  if (Array.isArray(value)) return walkArray(value, w, depth);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) {
      const name = String(key);
      put(out, name, w.redactor.matches(name) ? REDACTED : walk(item, w, depth + 1));
    }
    return out;
  }
  if (value instanceof Set) return walkArray([...value], w, depth);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(value);
    // What toJSON returns is serialized in its place, so it gets the same care (it may hold a BigInt).
    if (json !== value) return walk(json, w, depth + 1);
  }
  return walkRecord(value as Record<string, unknown>, w, depth);
}

// Copy-on-write: the common payload (strings, numbers, plain objects, no secrets) is returned as is,
// so a line costs one walk and one JSON.stringify, not a deep copy.
function walkRecord(value: Record<string, unknown>, w: Walk, depth: number): Record<string, unknown> {
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    let original: unknown;
    let child: unknown;
    if (w.redactor.matches(key)) {
      original = undefined;
      child = REDACTED;
    } else {
      try {
        original = value[key];
        child = walk(original, w, depth + 1);
      } catch (error) {
        original = undefined;
        child = `[Unreadable: ${describe(error)}]`;
      }
    }
    if (out === undefined && child !== original) {
      out = {};
      for (const earlier of keys.slice(0, i)) put(out, earlier, value[earlier]);
    }
    if (out !== undefined) put(out, key, child);
  }
  return out ?? value;
}

function walkArray(value: readonly unknown[], w: Walk, depth: number): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const original = value[i];
    const child = walk(original, w, depth + 1);
    if (out === undefined && child !== original) out = value.slice(0, i);
    if (out !== undefined) out.push(child);
  }
  return (out ?? value) as unknown[];
}

function walkError(error: Error, w: Walk, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const field = (key: string, read: () => unknown): void => {
    if (w.redactor.matches(key)) {
      put(out, key, REDACTED);
      return;
    }
    try {
      const item = read();
      if (item !== undefined) put(out, key, walk(item, w, depth + 1));
    } catch (thrown) {
      put(out, key, `[Unreadable: ${describe(thrown)}]`);
    }
  };
  // name, message and stack live on the prototype or are non-enumerable: copy them explicitly.
  field('name', () => String(error.name));
  field('message', () => String(error.message));
  field('stack', () => error.stack);
  for (const key of Object.keys(error)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause' && key !== 'errors') {
      field(key, () => (error as unknown as Record<string, unknown>)[key]);
    }
  }
  const { errors } = error as { errors?: unknown };
  if (Array.isArray(errors)) field('errors', () => errors);
  if ('cause' in error) field('cause', () => error.cause);
  return out;
}

/** An Error of this realm or another (a `vm` context, a jest sandbox). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** A short, never-throwing description of something thrown. */
export function describe(thrown: unknown): string {
  try {
    return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    return 'unknown error';
  }
}
