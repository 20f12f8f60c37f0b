import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { httpUnavailable, integrationGate } from '@scm/testing/gate';
import { createS3Client } from '../src/index.js';

/** The local S3 server of tools/ci/start-s3.sh. */
export const endpoint = process.env.SCM_S3_ENDPOINT?.replace(/\/+$/, '');

/** Credentials and endpoint as a user sets them; moto takes any keys. */
export const s3Env = {
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'scm-test',
  AWS_SECRET_ACCESS_KEY: 'scm-test-secret',
  AWS_REGION: 'us-east-1',
};

export const s3Gate = integrationGate('local S3 server (moto)', () => {
  if (!endpoint) return 'SCM_S3_ENDPOINT is not set (bash tools/ci/start-s3.sh)';
  return httpUnavailable(`${endpoint}/moto-api/`, 'the S3 server');
});

/** A new bucket on the server. */
export async function newBucket(label: string): Promise<{ client: S3Client; bucket: string }> {
  const client = createS3Client(s3Env);
  const bucket = `scm-${label}-${process.pid}-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { client, bucket };
}
