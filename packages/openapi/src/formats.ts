import type { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import type { Logger } from './logger.js';

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (ajv: Ajv) => void;

const INT32 = 2 ** 31;

/**
 * Registers JSON Schema's formats (ajv-formats) and OpenAPI's own (OpenAPI 3.0.3 §4.4 "Data Types"):
 * int32 and int64 ranges, float and double, byte (base64), binary and password (any string).
 */
export function registerFormats(ajv: Ajv): void {
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
  // A number beyond ±(2^53 − 1) has already been rounded by JSON.parse or coercion: refused, never
  // passed on silently changed. `type: string, format: int64` keeps such values as strings.
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('binary', true);
  ajv.addFormat('password', true);
}

/**
 * The logger ajv is given: an unknown format is accepted and reported once per name through
 * `logger.warn` (ajv would warn once per schema that uses it, thousands of lines on a big document).
 */
export function ajvLogger(logger: Logger, reported: Set<string>): { log(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void } {
  // ajv's own chatter (log, error) is dropped: every real problem reaches the caller as an exception.
  const ignore = (): void => undefined;
  return {
    log: ignore,
    warn: (...args: unknown[]) => {
      const unknown = /unknown format "([^"]+)"/.exec(args.map(String).join(' '));
      if (!unknown || reported.has(unknown[1]!)) return;
      reported.add(unknown[1]!);
      logger.warn(`@fleece/openapi: unknown format "${unknown[1]}" is not checked`);
    },
    error: ignore,
  };
}
