import { bag as newBag } from './bag.js';
import type { HttpRequest } from './request.js';
import type { ParameterSpec } from './spec-parameters.js';

/** A value written in a way its parameter's style does not allow; reported as a 400 issue. */
export class StyleError extends Error {
  override readonly name = 'StyleError';
}

/** A map without a prototype, for values keyed by names a client chose. */
function bag(): Record<string, unknown> {
  return newBag();
}

/**
 * Reads one parameter from a request by its style (OpenAPI 3.0.3 §4.7.12.4, "Style Values") and
 * the shape of its schema: strings, arrays of strings or objects of strings, which ajv then
 * coerces to the schema's types. `undefined` when the request does not carry it.
 *
 * @param claimed - names of the operation's other query parameters (an exploded form object takes the rest).
 * @throws StyleError when the value is not written in the parameter's style.
 */
export function readParameter(parameter: ParameterSpec, request: HttpRequest, pathParams: Record<string, string>, claimed: Set<string>): unknown {
  switch (parameter.in) {
    case 'path': {
      const raw = pathParams[parameter.name];
      return raw === undefined ? undefined : parameter.json ? json(raw) : pathStyle(parameter, raw);
    }
    case 'header': {
      const values = request.headers[parameter.name.toLowerCase()];
      if (!values) return undefined;
      if (parameter.json) return json(values.join(', '));
      // A string header is never split: `If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT` is one value.
      if (parameter.shape === 'primitive') return values.length === 1 ? values[0] : values;
      return pathStyle({ ...parameter, style: 'simple' }, values.join(','));
    }
    case 'cookie': {
      if (!(parameter.name in request.cookies)) return undefined;
      const raw = request.cookies[parameter.name]!;
      return parameter.json ? json(raw) : split(parameter, [raw]);
    }
    default:
      return queryParameter(parameter, request.query, claimed);
  }
}

function queryParameter(parameter: ParameterSpec, query: Record<string, string[]>, claimed: Set<string>): unknown {
  if (parameter.style === 'deepObject') return deepObject(parameter.name, query);
  if (parameter.shape === 'object' && parameter.explode && !parameter.json) {
    // `?role=admin&firstName=Alex`: the object's properties are the query's other names.
    const properties = Object.keys((parameter.schema.properties ?? {}) as object);
    const out = bag();
    for (const name of Object.keys(query)) {
      if (claimed.has(name) || (properties.length > 0 && !properties.includes(name))) continue;
      const values = query[name]!;
      out[name] = values.length === 1 ? values[0] : values;
    }
    return Object.keys(out).length ? out : undefined;
  }
  const values = query[parameter.name];
  if (values === undefined) return undefined;
  if (parameter.json) return json(values[0]!);
  return split(parameter, values);
}

/** form, spaceDelimited, pipeDelimited and Swagger 2.0 collection formats: split non-exploded arrays and objects. */
function split(parameter: ParameterSpec, values: string[]): unknown {
  if (parameter.shape === 'array') return parameter.explode ? values : values.flatMap((v) => (v === '' ? [] : v.split(parameter.delimiter)));
  if (parameter.shape === 'object') return pairs(values.flatMap((v) => v.split(parameter.delimiter)), parameter);
  return values.length === 1 ? values[0] : values;
}

/** simple, label and matrix: the styles of path segments (and `simple` of headers). */
function pathStyle(parameter: ParameterSpec, raw: string): unknown {
  let text = raw;
  let separator = ',';
  if (parameter.style === 'label') {
    if (!text.startsWith('.')) throw new StyleError('is not written in label style (.value)');
    text = text.slice(1);
    if (parameter.explode) separator = '.';
  } else if (parameter.style === 'matrix') {
    if (!text.startsWith(';')) throw new StyleError('is not written in matrix style (;name=value)');
    const parts = text.slice(1).split(';');
    if (parameter.shape === 'object' && parameter.explode) return keyValues(parts, parameter);
    const prefix = `${parameter.name}=`;
    if (!parts.every((p) => p.startsWith(prefix) || p === parameter.name)) throw new StyleError(`is not written in matrix style (;${parameter.name}=value)`);
    const values = parts.map((p) => p.slice(prefix.length));
    if (parameter.shape === 'array') return parameter.explode ? values : values.flatMap((v) => (v === '' ? [] : v.split(',')));
    if (parameter.shape === 'object') return pairs(values.join(',').split(','), parameter);
    return values.length === 1 ? values[0] : values;
  }
  if (parameter.shape === 'array') return text === '' ? [] : text.split(separator);
  if (parameter.shape === 'object') {
    const parts = text.split(separator);
    return parameter.explode ? keyValues(parts, parameter) : pairs(parts, parameter);
  }
  return text;
}

/** `role,admin,firstName,Alex` → `{ role: 'admin', firstName: 'Alex' }`. */
function pairs(parts: string[], parameter: ParameterSpec): Record<string, unknown> {
  if (parts.length % 2 !== 0) throw new StyleError(`is not a list of name${parameter.delimiter}value pairs`);
  const out = bag();
  for (let i = 0; i < parts.length; i += 2) out[parts[i]!] = parts[i + 1];
  return out;
}

/** `role=admin`, `firstName=Alex` → `{ role: 'admin', firstName: 'Alex' }`. */
function keyValues(parts: string[], parameter: ParameterSpec): Record<string, unknown> {
  const out = bag();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new StyleError(`is not a list of name=value pairs (${parameter.style}, explode)`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * `filter[size]=3&filter[tags][]=a` → `{ size: '3', tags: ['a'] }` (deepObject; nested brackets
 * nest further, as Stripe-style form bodies write them). Undefined when no key starts with `name[`.
 */
export function deepObject(name: string, fields: Record<string, string[]>): Record<string, unknown> | undefined {
  const prefix = `${name}[`;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    if (!key.startsWith(prefix)) continue;
    const path = [...key.slice(name.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
    if (path.length === 0) continue;
    out ??= bag();
    let target = out;
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1 || (i === path.length - 2 && path[i + 1] === '');
      if (last) {
        const values = fields[key]!;
        target[segment] = path[i + 1] === '' || values.length > 1 ? values : values[0];
        break;
      }
      const next = target[segment];
      target = (next && typeof next === 'object' && !Array.isArray(next) ? next : (target[segment] = bag())) as Record<string, unknown>;
    }
  }
  return out;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StyleError('is not valid JSON');
  }
}
