/**
 * The structural logger this package writes to: `@fleece/log`, winston, Powertools Logger and
 * `console` all fit. Messages never carry resolved secrets nor the ResponseURL's signature.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// One JSON line a record, so CloudWatch Logs Insights can query the fields; debug is dropped
// because a custom resource's default log should stay short.
function line(level: string, write: (text: string) => void) {
  return (message: string, fields?: Record<string, unknown>): void => {
    write(JSON.stringify({ level, message, ...fields }));
  };
}

/** The logger used when none is given: info and above as JSON lines on the console. */
export function consoleLogger(): Logger {
  return {
    debug: () => undefined,
    info: line('info', (text) => console.info(text)),
    warn: line('warn', (text) => console.warn(text)),
    error: line('error', (text) => console.error(text)),
  };
}

/** `logger` with every call guarded: a throwing log sink must not cost the stack its answer. */
export function safeLogger(logger: Logger): Logger {
  const guard =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      try {
        logger[level](message, fields);
      } catch {
        // Nothing else could report it; the answer to CloudFormation matters more.
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
