/** What an `s3://` output path changes before anything is written (the publish itself: @scm/object-store, shards-s3 test). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseConfig } from '@scm/config';
import { createS3Client, downloadPrefix, listObjects, parseS3Url } from '@scm/object-store';
import { httpUnavailable, integrationGate } from '@scm/testing/gate';
import { describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const config = parseConfig(
  `workflow: { name: s3 }
source: { type: local_files, paths: [${join(repoRoot, 'examples/quickstart/data')}] }
output: { format: [json], path: s3://bucket/catalogs/hls }
`,
  '/somewhere/config.yaml',
  { env: {} },
);

describe('rebuildCatalog with an s3:// output', () => {
  it('keeps the URL as given (not a path beside the config file)', () => {
    expect(config.output.path).toBe('s3://bucket/catalogs/hls');
  });

  it.each(['incremental', 'targeted'] as const)(
    'refuses --mode %s, which needs the catalog on disk',
    async (mode) => {
      await expect(rebuildCatalog(config, { mode, env: {} })).rejects.toMatchObject({
        code: 'SCM_USAGE',
        message: expect.stringContaining('s3://bucket/catalogs/hls'),
      });
    },
  );
});

describe('output.publish: snapshot', () => {
  it('refuses an output.base_url before anything is read or written', async () => {
    const absolute = parseConfig(
      `workflow: { name: s3 }
source: { type: local_files, paths: [${join(repoRoot, 'examples/quickstart/data')}] }
output: { format: [json], path: s3://bucket/q, publish: snapshot, base_url: https://example.com/q/ }
`,
      '/somewhere/config.yaml',
      { env: {} },
    );
    await expect(rebuildCatalog(absolute, { mode: 'full', env: {} })).rejects.toMatchObject({
      code: 'SCM_CONFIG_INVALID',
      message: expect.stringContaining('base_url'),
    });
  });

  const endpoint = process.env.SCM_S3_ENDPOINT?.replace(/\/+$/, '');
  const s3 = integrationGate('local S3 server (moto)', () =>
    endpoint
      ? httpUnavailable(`${endpoint}/moto-api/`, 'the S3 server')
      : 'SCM_S3_ENDPOINT is not set (bash tools/ci/start-s3.sh)',
  );

  /** Every item a reader reaches from `catalog.json` under `dir`, following child and item links. */
  function walk(path: string): string[] {
    const object = JSON.parse(readFileSync(path, 'utf8')) as {
      id: string;
      type?: string;
      links: { rel: string; href: string }[];
    };
    if (object.type === 'Feature') return [object.id];
    return object.links
      .filter((link) => link.rel === 'child' || link.rel === 'item')
      .flatMap((link) => walk(resolve(dirname(path), link.href)));
  }

  it.skipIf(s3.skip)(
    s3.title('publishes each full rebuild as a snapshot; the root leads to the newest one whole'),
    async () => {
      const bucket = `scm-wf-snapshot-${process.pid}-${Date.now().toString(36)}`;
      await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
      const env = {
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'scm-test',
        AWS_SECRET_ACCESS_KEY: 'scm-test-secret',
        AWS_REGION: 'us-east-1',
        SCM_WORK_DIR: mkdtempSync(join(tmpdir(), 'scm-wf-snapshot-')),
      };
      const snapshot = parseConfig(
        `workflow: { name: s3 }
source: { type: local_files, paths: [${join(repoRoot, 'examples/quickstart/data')}] }
output: { format: [json, ndjson], path: s3://${bucket}/q, publish: snapshot }
`,
        '/somewhere/config.yaml',
        { env: {} },
      );
      await rebuildCatalog(snapshot, { mode: 'full', env });
      await rebuildCatalog(snapshot, { mode: 'full', env });
      const client = createS3Client(env);
      const location = parseS3Url(`s3://${bucket}/q`);
      const paths = (await listObjects(client, location)).map((o) => o.path);
      const runs = [
        ...new Set(paths.filter((p) => p.startsWith('runs/')).map((p) => p.split('/')[1])),
      ].sort();
      expect(runs).toHaveLength(2);
      const local = mkdtempSync(join(tmpdir(), 'scm-wf-snapshot-read-'));
      await downloadPrefix(client, location, local);
      const root = JSON.parse(readFileSync(join(local, 'catalog.json'), 'utf8'));
      expect(root.links.every((l: { href: string }) => l.href.startsWith(`./runs/${runs[1]}/`))).toBe(true);
      expect(walk(join(local, 'catalog.json')).sort()).toHaveLength(24);
      expect(walk(join(local, 'runs', runs[0]!, 'catalog.json'))).toHaveLength(24);
    },
  );
});
