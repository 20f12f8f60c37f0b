import { S3Client } from '@aws-sdk/client-s3';

/** The environment variables this package reads; others (the SDK's credential chain) are read by the SDK. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * An S3 client configured from the environment only, as the AWS CLI reads it:
 * `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (an S3-compatible server such
 * as MinIO or moto; path-style addressing is then used, as those servers
 * expect, unless `AWS_S3_FORCE_PATH_STYLE=false`), `AWS_REGION`, else
 * `AWS_DEFAULT_REGION`, else `us-east-1`; credentials from the SDK's default
 * chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`,
 * `AWS_PROFILE`, web identity, instance roles). Nothing of it is logged.
 *
 * Checksums are sent and checked only where S3 requires them (each upload
 * carries its own Content-MD5 instead), which S3-compatible servers accept.
 */
export function createS3Client(env: Env = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const forcePathStyle =
    env.AWS_S3_FORCE_PATH_STYLE !== undefined
      ? env.AWS_S3_FORCE_PATH_STYLE === 'true'
      : endpoint !== undefined;
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return new S3Client({
    region,
    ...(credentials ? { credentials } : {}),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
