import { EventEmitter } from 'node:events';
import type { LogInfo } from '../src/index.js';

/** How a winston transport can fail an entry. */
export type FailureMode = 'throw' | 'callback' | 'reject' | 'emit';
export const FAILURE_MODES: readonly FailureMode[] = ['throw', 'callback', 'reject', 'emit'];

/** A winston transport that fails its first `failures` attempts, in the given way, then takes entries. */
export function flaky(failures: number, mode: FailureMode = 'callback') {
  const emitter = new EventEmitter();
  const delivered: LogInfo[] = [];
  const errors: Error[] = [];
  let attempts = 0;
  const transport = Object.assign(emitter, {
    log(info: LogInfo, next: (error?: unknown) => void): unknown {
      attempts++;
      if (attempts <= failures) {
        const error = new Error(`failure ${attempts}`);
        errors.push(error);
        switch (mode) {
          case 'throw':
            throw error;
          case 'callback':
            next(error);
            return undefined;
          case 'reject':
            return Promise.reject(error);
          case 'emit':
            // As a network transport does: the error arrives later, and `next` is never called.
            setImmediate(() => emitter.emit('error', error));
            return undefined;
        }
      }
      delivered.push(info);
      next();
      return undefined;
    },
  });
  return {
    transport,
    delivered,
    errors,
    get attempts() {
      return attempts;
    },
  };
}

/** A winston info as a logger would hand it to a transport. */
export function info(message: string, level = 'info'): LogInfo {
  return { level, message, [Symbol.for('level')]: level, [Symbol.for('message')]: JSON.stringify({ level, message }) };
}
