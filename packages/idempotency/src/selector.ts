import jmespath from 'jmespath';
import { invalid } from './validate.js';

/** Picks a value out of the arguments of a call: the key or the payload to validate. */
export type Selector<A extends unknown[]> = (...args: A) => unknown;

/** The event fields whose names are HTTP header names, matched case-insensitively. */
const HEADER_FIELDS = ['headers', 'multiValueHeaders'] as const;

/**
 * Builds a selector from a JMESPath expression (applied to the first argument, with the names in
 * `headers` and `multiValueHeaders` matched case-insensitively) or a function (given every argument).
 *
 * @throws TypeError naming `option` when the expression does not parse or the value is neither.
 */
export function selector<A extends unknown[]>(option: string, spec: string | Selector<A>): Selector<A> {
  if (typeof spec === 'function') return spec;
  if (typeof spec !== 'string' || spec.trim() === '') invalid(option, 'a JMESPath expression or a function', spec);
  try {
    // compile() parses without evaluating, so a valid expression never fails here on a sample value.
    (jmespath as unknown as { compile(expression: string): unknown }).compile(spec);
  } catch (error) {
    invalid(option, `a valid JMESPath expression (${(error as Error).message})`, spec);
  }
  return (...args: A) => jmespath.search(withCaseInsensitiveHeaders(args[0]), spec);
}

/**
 * A shallow view of an event whose header maps answer to any casing of a name, so
 * `headers."idempotency-key"` finds `Idempotency-Key`. The event itself is not changed.
 */
export function withCaseInsensitiveHeaders(data: unknown): unknown {
  if (!isPlainObject(data)) return data;
  let view: Record<string, unknown> | undefined;
  for (const field of HEADER_FIELDS) {
    const headers = data[field];
    if (!isPlainObject(headers)) continue;
    view ??= { ...data };
    view[field] = caseInsensitive(headers);
  }
  return view ?? data;
}

function caseInsensitive(headers: Record<string, unknown>): Record<string, unknown> {
  let lowered: Map<string, string> | undefined;
  return new Proxy(headers, {
    get(target, name, receiver) {
      if (typeof name !== 'string' || Object.hasOwn(target, name)) return Reflect.get(target, name, receiver);
      // Built on first miss only: most lookups hit the exact name.
      lowered ??= new Map(Object.keys(target).map((header) => [header.toLowerCase(), header]));
      const actual = lowered.get(name.toLowerCase());
      return actual === undefined ? undefined : target[actual];
    },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether a selected key is missing: `null`/`undefined`, an empty string, or an array or object
 * with nothing but missing values in it (`[headers.a, headers.b]` when neither header came).
 * Unlike Powertools, `0` and `false` are keys, not missing.
 */
export function isMissing(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.every(isMissing);
  if (typeof value === 'object') {
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function') return isMissing(toJSON.call(value));
    return Object.values(value).every(isMissing);
  }
  return false;
}
