/**
 * Issue 13's acceptance with S3 output: four `rebuild-catalog` processes
 * started as a Kubernetes Indexed Job starts them (`JOB_COMPLETION_INDEX=0..3`)
 * against the real STAC API (tools/stac-server/), with `output.path:
 * s3://bucket/catalog` on the local S3 server (moto, tools/ci/start-s3.sh,
 * SCM_S3_ENDPOINT): each shard uploads its parts to `catalog/shards/K/`, then
 * `merge-shards --output-path s3://…` publishes the catalog. Downloaded back,
 * it equals a local single-process rebuild item for item in every format, as
 * does a single-process rebuild straight to S3. A month of the synthetic HLS
 * collection (a few hundred items) keeps it short. Runs the built CLI; without
 * the servers the suite is skipped with its reason (a failure under
 * SCM_REQUIRE_INTEGRATION=1).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createS3Client, downloadPrefix, listObjects, parseS3Url } from '@scm/object-store';
import { httpUnavailable, integrationGate } from '@scm/testing/gate';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { catalogItems, run, serverUrl, stacServerUnavailable, writeConfig } from './shards-helpers.js';

const TIMEOUT_MS = 900_000;
const endpoint = process.env.SCM_S3_ENDPOINT?.replace(/\/+$/, '');
const [START, END] = ['2020-01-01', '2020-01-31'];

function s3Unavailable(): string | undefined {
  if (!endpoint) return 'SCM_S3_ENDPOINT is not set (bash tools/ci/start-s3.sh)';
  return httpUnavailable(`${endpoint}/moto-api/`, 'the S3 server');
}

const gate = integrationGate(
  'sharded rebuild to S3 (real STAC API, local S3 server)',
  () => stacServerUnavailable() ?? s3Unavailable(),
);

/** Downloads everything under `url` into `dir/<name>` and returns that folder. */
async function download(
  env: Record<string, string>,
  url: string,
  dir: string,
  name: string,
): Promise<string> {
  const target = join(dir, name);
  await downloadPrefix(createS3Client(env), parseS3Url(url), target);
  return target;
}

describe('sharded rebuild published to S3', () => {
  describe.skipIf(gate.skip)(gate.title(`at ${serverUrl} and ${endpoint}`), () => {
    it(
      'four Indexed-Job shards merged to s3:// equal the local single-process catalog in every format',
      async () => {
        const dir = tempDir('scm-shards-s3-');
        const env = {
          AWS_ENDPOINT_URL: endpoint!,
          AWS_ACCESS_KEY_ID: 'scm-test',
          AWS_SECRET_ACCESS_KEY: 'scm-test-secret',
          AWS_REGION: 'us-east-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          SCM_WORK_DIR: join(dir, 'work'),
        };
        const bucket = `scm-shards-${process.pid}-${Date.now().toString(36)}`;
        expect((await fetch(`${endpoint}/${bucket}`, { method: 'PUT' })).ok).toBe(true);
        const url = `s3://${bucket}/catalog`;

        const single = await run(
          ['rebuild-catalog', '--config', writeConfig(dir, 'single', 'single', START, END)],
          dir,
        );
        expect(single.code, single.stderr).toBe(0);
        const expected = catalogItems(join(dir, 'single'));
        expect(expected.ndjson.length).toBeGreaterThan(100);

        const config = writeConfig(dir, 'sharded', url, START, END);
        const shards = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            run(['rebuild-catalog', '--config', config, '--shard-count', '4'], dir, {
              ...env,
              JOB_COMPLETION_INDEX: String(k),
            }),
          ),
        );
        for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
        const keys = (await listObjects(createS3Client(env), parseS3Url(url))).map((o) => o.path);
        expect(keys.filter((k) => k.endsWith('shard.json')).sort()).toEqual(
          [0, 1, 2, 3].map((k) => `shards/${k}/shard.json`),
        );
        expect(keys).not.toContain('catalog.json');

        const merged = await run(['merge-shards', '--output-path', url], dir, env);
        expect(merged.code, merged.stderr).toBe(0);
        const published = await download(env, url, dir, 'published');
        expect(catalogItems(published)).toEqual(expected);
        expect(existsSync(join(published, 'catalog.json'))).toBe(true);
        const summary = JSON.parse(readFileSync(join(published, 'summary.json'), 'utf8'));
        expect(summary.succeeded).toBe(expected.ndjson.length);
        // The local work folder is gone once published: the catalog lives in the bucket.
        expect(existsSync(join(dir, 'work', 's3', bucket, 'catalog', 'shards', '0'))).toBe(false);

        // Merging again publishes the same catalog.
        const again = await run(['merge-shards', '--output-path', url], dir, env);
        expect(again.code, again.stderr).toBe(0);
        expect(catalogItems(await download(env, url, dir, 'again'))).toEqual(expected);

        // One process straight to S3 gives the same catalog too.
        const directUrl = `s3://${bucket}/direct`;
        const direct = await run(
          ['rebuild-catalog', '--config', config, '--output-path', directUrl],
          dir,
          env,
        );
        expect(direct.code, direct.stderr).toBe(0);
        expect(catalogItems(await download(env, directUrl, dir, 'direct'))).toEqual(expected);

        // A prefix holding someone else's objects is refused (exit 2), nothing written.
        await fetch(`${endpoint}/${bucket}/theirs/data.tif`, { method: 'PUT', body: 'x' });
        const refused = await run(['merge-shards', '--output-path', `s3://${bucket}/theirs`], dir, env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/did not write .* pass --overwrite/);
      },
      TIMEOUT_MS,
    );
  });
});
