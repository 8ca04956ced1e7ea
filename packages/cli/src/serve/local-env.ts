import { startLocalAws, startXrayCollector, type LocalAws, type XrayCollector } from '@fleece/testing';

/** The embedded local AWS and X-Ray daemon, and the environment that points an unmodified SDK at them. */
export interface LocalEnvironment {
  aws: LocalAws;
  xray: XrayCollector;
  /** Variables to give the function: endpoints, credentials, region, daemon address. */
  env: Record<string, string>;
  /** What the X-Ray collector received since the start, counted across its trims. */
  received(): { subsegments: number; traces: number };
  stop(): Promise<void>;
}

/** Options of {@link startLocalEnvironment}. */
export interface LocalEnvironmentOptions {
  /**
   * The most X-Ray documents and local AWS request records kept; past it they are dropped (counted
   * first), so a long-running server's memory stays flat. Default 5000.
   */
  maxRecords?: number;
  /** How often the records are checked against `maxRecords`, ms. Default 5000. */
  trimEveryMs?: number;
}

/**
 * Starts every service of `@fleece/testing`'s local AWS and an X-Ray collector on 127.0.0.1.
 * Beyond `aws.env()` (an `AWS_ENDPOINT_URL_<SERVICE>` each, credentials, region), the environment
 * asks the SDK for S3 checksums only where required (the local S3 does not know the newer
 * ones) and sends X-Ray segments to the collector.
 */
export async function startLocalEnvironment(options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const maxRecords = options.maxRecords ?? 5000;
  const aws = await startLocalAws();
  let xray: XrayCollector;
  try {
    xray = await startXrayCollector();
  } catch (error) {
    await aws.stop();
    throw error;
  }
  const env = {
    ...aws.env(),
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_XRAY_DAEMON_ADDRESS: xray.address,
  };
  // The collector keeps every document and the local AWS every request record: a server that runs
  // for hours would grow without end. Both are trimmed; what the summary needs is counted first.
  // (A trace whose subsegments straddle a trim counts once on each side.)
  const counted = { subsegments: 0, traces: 0 };
  const countXray = () => {
    const subsegments = xray.subsegments();
    return { subsegments: subsegments.length, traces: new Set(subsegments.map((s) => s.trace_id)).size };
  };
  const trim = () => {
    if (xray.documents().length > maxRecords) {
      const now = countXray();
      counted.subsegments += now.subsegments;
      counted.traces += now.traces;
      xray.reset();
    }
    if (aws.requests().length > maxRecords) aws.resetRequests();
  };
  const trimmer = setInterval(trim, options.trimEveryMs ?? 5000);
  trimmer.unref();
  let stopping: Promise<void> | undefined;
  return {
    aws,
    xray,
    env,
    received() {
      const now = countXray();
      return { subsegments: counted.subsegments + now.subsegments, traces: counted.traces + now.traces };
    },
    stop() {
      clearInterval(trimmer);
      stopping ??= Promise.all([aws.stop(), xray.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

/** Variables that would make the SDK sign for, or reach, something other than the local AWS. */
export const CREDENTIAL_VARIABLES = ['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];
