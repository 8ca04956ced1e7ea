// Arguments and results recorded as metadata are arbitrary user values: cyclic, huge, full of
// Buffers, class instances with throwing getters, or secrets. A trace document must stay well
// under the 64 KiB UDP limit and must never carry a password, so everything goes through here.

/** Default byte budget of one recorded value (`args` or `response`). */
export const DEFAULT_VALUE_BYTES = 2048;

const MAX_DEPTH = 6;
const MAX_STRING = 512;
const MAX_ENTRIES = 50;
/** Keys whose values never reach a trace. */
const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|authori[sz]ation|api[-_]?key|credential|private[-_]?key|cookie|signature|session[-_]?key/i;

/** Shown in place of a secret. */
export const REDACTED = '[redacted]';

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

class Walker {
  private readonly seen = new Set<object>();
  private budget: number;

  constructor(budget: number) {
    this.budget = budget;
  }

  // Every branch charges roughly its JSON size to the budget, so a huge input costs time
  // proportional to the budget, not to the input.
  private charge(n: number): boolean {
    this.budget -= n;
    return this.budget >= 0;
  }

  walk(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string': {
        const text = truncate(value, MAX_STRING);
        this.charge(text.length + 2);
        return text;
      }
      case 'number':
        this.charge(8);
        // -0 would not survive JSON; NaN and Infinity are not JSON.
        if (value === 0) return 0;
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        this.charge(5);
        return value;
      case 'bigint':
        this.charge(20);
        return `${value}n`;
      case 'undefined':
        this.charge(4);
        return null;
      case 'symbol':
        this.charge(20);
        return value.toString();
      case 'function':
        this.charge(20);
        return `[Function ${value.name || 'anonymous'}]`;
      default:
        return this.walkObject(value as object | null, depth);
    }
  }

  private walkObject(value: object | null, depth: number): unknown {
    if (value === null) {
      this.charge(4);
      return null;
    }
    if (this.seen.has(value)) return '[Circular]';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return `[${value.constructor.name} ${value.byteLength} bytes]`;
    }
    if (value instanceof Error) {
      return { name: truncate(String(value.name), MAX_STRING), message: truncate(String(value.message), MAX_STRING) };
    }
    if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
    if (typeof (value as { then?: unknown }).then === 'function') return '[Promise]';
    this.seen.add(value);
    try {
      if (Array.isArray(value)) return this.walkArray(value, depth);
      if (value instanceof Map) return this.walkEntries(value.entries(), depth);
      if (value instanceof Set) return this.walkArray([...value], depth);
      return this.walkEntries(Object.entries(value), depth);
    } finally {
      this.seen.delete(value);
    }
  }

  private walkArray(values: readonly unknown[], depth: number): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      if (i >= MAX_ENTRIES || this.budget <= 0) {
        out.push(`…(${values.length - i} more)`);
        break;
      }
      this.charge(1);
      out.push(this.walk(values[i], depth + 1));
    }
    return out;
  }

  private walkEntries(entries: Iterable<[unknown, unknown]>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [rawKey, entry] of entries) {
      if (count >= MAX_ENTRIES || this.budget <= 0) {
        out['…'] = 'truncated';
        break;
      }
      const key = truncate(String(rawKey), 64);
      if (key === '__proto__') continue;
      this.charge(key.length + 4);
      out[key] = SECRET_KEY.test(key) ? REDACTED : this.walk(entry, depth + 1);
      count++;
    }
    return out;
  }
}

/**
 * A JSON-safe copy of `value` whose JSON text is at most `maxBytes` bytes of UTF-8: secrets (by key
 * name) redacted, strings truncated, cycles, depth and collection sizes bounded, Buffers and
 * functions described rather than copied. Never throws: whatever cannot be read is described.
 */
export function toSafeJson(value: unknown, maxBytes = DEFAULT_VALUE_BYTES): unknown {
  let copy: unknown;
  let text: string;
  try {
    copy = new Walker(maxBytes).walk(value, 0);
    text = JSON.stringify(copy) ?? 'null';
  } catch (error) {
    // A getter, proxy trap or toString that throws: describe the failure instead of the value.
    const reason = error instanceof Error ? error.name : typeof error;
    return `[unreadable: ${reason}]`;
  }
  if (Buffer.byteLength(text) <= maxBytes) return copy;
  // The walk's budget is an estimate (multi-byte characters, escapes); cut hard as a last resort.
  return cutToBytes(text, maxBytes);
}

// The JSON text itself as a string, cut so that its own JSON stays within maxBytes.
function cutToBytes(text: string, maxBytes: number): unknown {
  const room = maxBytes - Buffer.byteLength('"…"');
  if (room <= 0) return null;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify(text.slice(0, mid))) - 2 <= room) lo = mid;
    else hi = mid - 1;
  }
  let prefix = text.slice(0, lo);
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
  return `${prefix}…`;
}
