import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';

// Clients are made on first use, not at import, so a cold start that never overflows loads no S3 code.
let s3: Promise<S3Client> | undefined;
let lambda: Promise<LambdaClient> | undefined;

/** The S3 client used when none is given: one per container, with @fleece/aws timeouts and retries. */
export function defaultS3Client(): Promise<S3Client> {
  s3 ??= Promise.all([import('@fleece/aws'), import('@aws-sdk/client-s3')]).then(([{ client }, { S3Client }]) => client(S3Client, {}));
  return s3;
}

/** The Lambda client used when none is given. */
export function defaultLambdaClient(): Promise<LambdaClient> {
  lambda ??= Promise.all([import('@fleece/aws'), import('@aws-sdk/client-lambda')]).then(([{ client }, { LambdaClient }]) => client(LambdaClient, {}));
  return lambda;
}
