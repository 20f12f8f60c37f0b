#!/usr/bin/env node
// Times publishFolder on a catalog folder against an S3 server (AWS_ENDPOINT_URL, keys from the environment):
// the first publish into a new bucket, a rerun with nothing changed, and a rerun with one item changed.
// Usage: node bench/publish.mjs <catalog folder>   (after `npx nx run @scm/object-store:build`)
import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client, publishFolder } from '../dist/index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/publish.mjs <catalog folder>');
const files = readdirSync(dir, { recursive: true }).filter((p) => statSync(join(dir, p)).isFile());
const bytes = files.reduce((n, p) => n + statSync(join(dir, p)).size, 0);
const client = createS3Client(process.env);
const bucket = `scm-bench-${Date.now().toString(36)}`;
await client.send(new CreateBucketCommand({ Bucket: bucket }));
const location = { bucket, prefix: 'catalog' };

async function timed(label) {
  const start = performance.now();
  const result = await publishFolder({ client, dir, location });
  const s = (performance.now() - start) / 1000;
  console.log(
    `${label}: ${s.toFixed(2)} s, ${result.uploaded.length} uploaded, ${result.unchanged.length} unchanged, ${result.deleted.length} deleted`,
  );
}

console.log(
  `${files.length} files, ${(bytes / 1e6).toFixed(1)} MB; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await timed('first publish');
await timed('rerun, nothing changed');
const item = files.find((p) => p.endsWith('.json') && p.split('/').length === 3);
appendFileSync(join(dir, item), ' ');
await timed('rerun, one item changed');
console.log(
  `load average after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
