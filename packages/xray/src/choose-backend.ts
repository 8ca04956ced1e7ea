// Which tracing backend a process uses. Decided once, when the first span is recorded, so a team
// moves from the X-Ray SDK to OpenTelemetry by configuration (the ADOT layer, an OTLP endpoint, or
// FLEECE_TRACING) without touching its code.

/** The tracing backends `@fleece/xray` ships. */
export type BackendName = 'otel' | 'xray-sdk';

/** The backend names, as accepted by `configureXray({ backend })` and `FLEECE_TRACING`. */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['otel', 'xray-sdk']);

function isBackendName(value: unknown): value is BackendName {
  return value === 'otel' || value === 'xray-sdk';
}

/** A shortened, printable form of a rejected value: options are not secrets, but stay short. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks a `backend` option.
 *
 * @throws TypeError `@fleece/xray: option "backend" must be "otel" or "xray-sdk", got …`.
 */
export function checkBackendOption(value: unknown): BackendName | undefined {
  if (value === undefined || isBackendName(value)) return value;
  throw new TypeError(`@fleece/xray: option "backend" must be "otel" or "xray-sdk", got ${shown(value)}`);
}

// The ADOT Lambda layer's wrappers are all named /opt/otel-*: otel-handler, otel-instrument,
// otel-proxy-handler, otel-sqs-handler. Other wrappers (a web adapter, another vendor) say nothing
// about where traces should go.
const ADOT_WRAPPER = /(^|\/)otel-[a-z-]+$/;

function set(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  return value !== undefined && value.trim() !== '';
}

/**
 * The backend for this process: the `backend` option, else `FLEECE_TRACING`, else OpenTelemetry
 * when an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or the
 * ADOT wrapper (`AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler`) is configured, else the X-Ray SDK.
 *
 * @throws TypeError naming `FLEECE_TRACING` when it holds another value.
 */
export function chooseBackend(option: BackendName | undefined, env: NodeJS.ProcessEnv = process.env): BackendName {
  if (option !== undefined) return option;
  const fromEnv = env['FLEECE_TRACING']?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isBackendName(fromEnv)) return fromEnv;
    throw new TypeError(`@fleece/xray: FLEECE_TRACING must be "otel" or "xray-sdk", got ${shown(fromEnv)}`);
  }
  if (set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') || set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) return 'otel';
  const wrapper = env['AWS_LAMBDA_EXEC_WRAPPER'];
  if (wrapper !== undefined && ADOT_WRAPPER.test(wrapper.trim())) return 'otel';
  return 'xray-sdk';
}
