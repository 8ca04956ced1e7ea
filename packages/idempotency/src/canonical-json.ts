/**
 * JSON text for `value` with the keys of every object sorted, so two values that are equal as JSON
 * give the same text (and the same idempotency key) whatever order their keys were built in.
 *
 * It follows `JSON.stringify` otherwise: `toJSON` is honoured (a Date becomes its ISO string),
 * `undefined`, functions and symbols are left out of objects and become `null` in arrays, and
 * non-finite numbers become `null`. A value that is `undefined` as a whole gives `null`.
 *
 * @throws TypeError for a BigInt or a cycle, which JSON cannot represent.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '', new Set()) ?? 'null';
}

function write(input: unknown, key: string, ancestors: Set<object>): string | undefined {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  // Boxed primitives serialise as the primitive, as in JSON.stringify.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('@fleece/idempotency: a BigInt cannot be part of an idempotency key or payload');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object)) {
    throw new TypeError('@fleece/idempotency: a value with a cycle cannot be part of an idempotency key or payload');
  }
  ancestors.add(object);
  let text: string;
  if (Array.isArray(object)) {
    text = `[${object.map((item, index) => write(item, String(index), ancestors) ?? 'null').join(',')}]`;
  } else {
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const name of Object.keys(record).sort()) {
      const written = write(record[name], name, ancestors);
      if (written !== undefined) parts.push(`${JSON.stringify(name)}:${written}`);
    }
    text = `{${parts.join(',')}}`;
  }
  ancestors.delete(object);
  return text;
}
