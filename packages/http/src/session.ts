import type { Got, Response } from 'got';
import { loadGot } from './load-got.js';
import { parseOptions, perform, type ParsedOptions, type RequestOptions } from './request.js';
import { invalid, isPlainObject } from './validate.js';

/** A session's defaults: the same options as a request, carried to every request it issues. */
export type SessionDefaults = RequestOptions;

/** Options of the method helpers (`get`, `post`, …), which set the method themselves. */
export type MethodOptions = Omit<RequestOptions, 'method'>;

/**
 * Something that issues requests: a session from {@link createSession}, or the module itself.
 * Every method resolves with got's `Response` (`body`, `statusCode`, `headers`, …) and rejects
 * with an {@link HttpRequestError} (`HttpError`, `HttpTimeoutError`) or a TypeError for bad options.
 * The methods are bound, so `const { get } = session` works.
 */
export interface HttpClient {
  /** The defaults this client carries (frozen). */
  readonly defaults: Readonly<SessionDefaults>;
  /** Any method (`options.method`, default GET). */
  request<T = string>(url: string | URL, options?: RequestOptions): Promise<Response<T>>;
  /** GET. */
  get<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>>;
  /** POST: not retried after it reached the server unless `allowedMethods` includes POST. */
  post<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>>;
  /** PUT. */
  put<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>>;
  /** PATCH: not retried after it reached the server unless `allowedMethods` includes PATCH. */
  patch<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>>;
  /** DELETE. */
  delete<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>>;
  /** HEAD. */
  head(url: string | URL, options?: MethodOptions): Promise<Response<string>>;
}

class Session implements HttpClient {
  readonly defaults: Readonly<SessionDefaults>;
  readonly #parsed: ParsedOptions;
  #instance: Promise<Got> | undefined;

  constructor(defaults: SessionDefaults | undefined) {
    this.#parsed = parseOptions('defaults', defaults);
    this.defaults = Object.freeze({ ...defaults });
  }

  // got is loaded (and the session's instance extended from it) on the first request only.
  #got(): Promise<Got> {
    this.#instance ??= loadGot().then((got) => (Object.keys(this.#parsed.got).length > 0 ? got.extend(this.#parsed.got) : got));
    return this.#instance;
  }

  readonly request = async <T = string>(url: string | URL, options?: RequestOptions): Promise<Response<T>> => {
    const own = parseOptions('options', options);
    return perform<T>(await this.#got(), url, this.#parsed, own);
  };

  readonly get = async <T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> => this.request<T>(url, withMethod(options, 'GET'));
  readonly post = async <T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> => this.request<T>(url, withMethod(options, 'POST'));
  readonly put = async <T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> => this.request<T>(url, withMethod(options, 'PUT'));
  readonly patch = async <T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> => this.request<T>(url, withMethod(options, 'PATCH'));
  readonly delete = async <T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> => this.request<T>(url, withMethod(options, 'DELETE'));
  readonly head = async (url: string | URL, options?: MethodOptions): Promise<Response<string>> => this.request<string>(url, withMethod(options, 'HEAD'));
}

function withMethod(options: MethodOptions | undefined, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'): RequestOptions {
  if (options !== undefined && !isPlainObject(options)) invalid('options', 'an options object', options);
  return { ...options, method };
}

/**
 * A client that carries its own defaults (`timeout`, `retries`, and got options such as
 * `prefixUrl` or `headers`) to every request it issues: got's `extend` under the hood.
 * For each request: its own options win, then the session's defaults, then the global ones
 * ({@link setDefaultTimeout}, {@link setDefaultRetries}, read at request time), then built-ins.
 *
 * @example
 * const api = createSession({ prefixUrl: 'https://api.example.com', timeout: 2000, retries: 2 });
 * const { body } = await api.get<{ id: string }>('users/42', { responseType: 'json' });
 * @throws TypeError naming the option when a default is invalid.
 */
export function createSession(defaults?: SessionDefaults): HttpClient {
  return new Session(defaults);
}

let root: HttpClient | undefined;

/** The client behind the module functions: no defaults of its own, only the global ones. */
export function defaultClient(): HttpClient {
  root ??= new Session(undefined);
  return root;
}
