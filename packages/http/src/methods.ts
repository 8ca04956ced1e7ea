import type { Response } from 'got';
import type { RequestOptions } from './request.js';
import { defaultClient, type MethodOptions } from './session.js';

/**
 * Sends a request with the global defaults ({@link setDefaultTimeout}, {@link setDefaultRetries})
 * where `options` sets nothing. `options.method` defaults to GET.
 *
 * @example
 * const res = await request('https://example.com/items', { method: 'PUT', json: item, timeout: { connect: 500, read: 3000 } });
 */
export function request<T = string>(url: string | URL, options?: RequestOptions): Promise<Response<T>> {
  return defaultClient().request<T>(url, options);
}

/** GET `url`. */
export function get<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> {
  return defaultClient().get<T>(url, options);
}

/** POST to `url`; not retried once sent unless `retries.allowedMethods` includes POST. */
export function post<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> {
  return defaultClient().post<T>(url, options);
}

/** PUT to `url`. */
export function put<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> {
  return defaultClient().put<T>(url, options);
}

/** PATCH `url`; not retried once sent unless `retries.allowedMethods` includes PATCH. */
export function patch<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> {
  return defaultClient().patch<T>(url, options);
}

/**
 * DELETE `url`. Named `del` because `delete` is a reserved word; it is also exported as `delete`
 * (`import * as http from '@fleece/http'; http.delete(url)`, or `require('@fleece/http').delete`).
 */
export function del<T = string>(url: string | URL, options?: MethodOptions): Promise<Response<T>> {
  return defaultClient().delete<T>(url, options);
}

/** HEAD `url`. */
export function head(url: string | URL, options?: MethodOptions): Promise<Response<string>> {
  return defaultClient().head(url, options);
}
