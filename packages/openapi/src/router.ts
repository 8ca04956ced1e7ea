import { bag } from './bag.js';
import { MalformedRequestError } from './request.js';
import type { OperationSpec } from './spec.js';

/** A compiled path template and the operations on it, by method. */
interface Route {
  pattern: RegExp;
  names: string[];
  /** More literal segments first, so `/users/me` wins over `/users/{id}`. */
  literals: number;
  operations: Map<string, OperationSpec>;
}

/** What matching a request found. */
export type RouteMatch =
  | { kind: 'found'; operation: OperationSpec; pathParams: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

/** Routes a method and path to an operation by the document's path templates. */
export class Router {
  readonly #routes: Route[];
  /** Longest first, so `/v1/beta` is stripped before `/v1`. */
  readonly #basePaths: string[];

  /** @param basePaths - prefixes a request path must start with (`''` for none). */
  constructor(operations: OperationSpec[], basePaths: string[] = ['']) {
    this.#basePaths = [...basePaths].sort((a, b) => b.length - a.length);
    const byTemplate = new Map<string, Route>();
    for (const operation of operations) {
      const template = trimSlash(operation.path);
      let route = byTemplate.get(template);
      if (!route) {
        route = compile(template);
        byTemplate.set(template, route);
      }
      route.operations.set(operation.method, operation);
    }
    this.#routes = [...byTemplate.values()].sort((a, b) => b.literals - a.literals);
  }

  /** Every method the path answers to, or `undefined` for an unknown path. */
  methodsFor(path: string): string[] | undefined {
    const relative = this.#strip(path);
    if (relative === undefined) return undefined;
    const route = this.#routes.find((r) => r.pattern.test(trimSlash(relative)));
    return route ? [...route.operations.keys()] : undefined;
  }

  /**
   * Finds the operation for a method and a path (HEAD falls back to GET).
   * @throws MalformedRequestError when a path parameter's percent-encoding is broken.
   */
  match(method: string, path: string): RouteMatch {
    const relative = this.#strip(path);
    if (relative === undefined) return { kind: 'not-found' };
    const candidate = trimSlash(relative);
    let allow: string[] | undefined;
    for (const route of this.#routes) {
      const found = route.pattern.exec(candidate);
      if (!found) continue;
      const operation = route.operations.get(method) ?? (method === 'HEAD' ? route.operations.get('GET') : undefined);
      if (!operation) {
        allow ??= [...route.operations.keys()];
        continue;
      }
      // No prototype: parameter names come from the document, values from a stranger.
      const pathParams: Record<string, string> = bag<string>();
      route.names.forEach((name, i) => (pathParams[name] = decode(found[i + 1]!)));
      return { kind: 'found', operation, pathParams };
    }
    return allow ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }

  /** The path without its base path, or undefined when it lies outside every base path. */
  #strip(path: string): string | undefined {
    for (const base of this.#basePaths) {
      if (base === '') return path;
      if (path === base) return '/';
      if (path.startsWith(`${base}/`)) return path.slice(base.length);
    }
    return undefined;
  }
}

function compile(template: string): Route {
  const names: string[] = [];
  let literals = 0;
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        literals++;
        return escape(segment);
      }
      // A segment may mix text and parameters: /files/{name}.{ext}
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (!param) return escape(part);
          names.push(param[1]!);
          return '([^/]+?)';
        })
        .join('');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names, literals, operations: new Map() };
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Decodes a path segment; a broken escape (`%ZZ`) is the client's mistake, answered with a 400. */
function decode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new MalformedRequestError('malformed percent-encoding in the path');
  }
}
