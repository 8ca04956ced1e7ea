import { startLocalAws, startXrayCollector, type LocalAws, type XrayCollector } from '@fleece/testing';

/** The embedded local AWS and X-Ray daemon, and the environment that points an unmodified SDK at them. */
export interface LocalEnvironment {
  aws: LocalAws;
  xray: XrayCollector;
  /** Variables to give the function: endpoints, credentials, region, daemon address. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts every service of `@fleece/testing`'s local AWS and an X-Ray collector on 127.0.0.1.
 * Beyond `aws.env()` (an `AWS_ENDPOINT_URL_<SERVICE>` each, credentials, region), the environment
 * asks the SDK for S3 checksums only where required (the local S3 does not know the newer
 * ones) and sends X-Ray segments to the collector.
 */
export async function startLocalEnvironment(): Promise<LocalEnvironment> {
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
  let stopping: Promise<void> | undefined;
  return {
    aws,
    xray,
    env,
    stop() {
      stopping ??= Promise.all([aws.stop(), xray.stop()]).then(() => undefined);
      return stopping;
    },
  };
}

/** Variables that would make the SDK sign for, or reach, something other than the local AWS. */
export const CREDENTIAL_VARIABLES = ['AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];
