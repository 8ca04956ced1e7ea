/**
 * The one structural logger every fleece package accepts: `console`, winston, pino and
 * `@fleece/log` all fit. Packages never depend on a logging library, only on this shape.
 */
export interface Logger {
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
}
