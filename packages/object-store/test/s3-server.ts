import { execFileSync } from 'node:child_process';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { integrationGate } from '@scm/testing/gate';
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
  const probe =
    'fetch(process.argv[1],{signal:AbortSignal.timeout(5000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))';
  try {
    execFileSync(process.execPath, ['-e', probe, `${endpoint}/moto-api/`]);
    return undefined;
  } catch {
    return `the S3 server at ${endpoint} does not answer`;
  }
});

/** A new bucket on the server. */
export async function newBucket(label: string): Promise<{ client: S3Client; bucket: string }> {
  const client = createS3Client(s3Env);
  const bucket = `scm-${label}-${process.pid}-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { client, bucket };
}
