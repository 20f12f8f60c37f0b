import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { isScmError } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { OUTPUT_MARKER, rebuildCatalog } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const data = join(repoRoot, 'examples/quickstart/data');

function configFor(out: string, extra = ''): ReturnType<typeof parseConfig> {
  const yaml = `
workflow: { name: test }
source: { type: local_files, paths: [${data}/HLSS30_2.0.collection.json, ${data}/items.ndjson] }
output: { format: [json, ndjson], path: ${out} }
${extra}`;
  return parseConfig(yaml, join(out, '..', 'config.yaml'), { env: {} });
}

function tempOut(): string {
  return join(mkdtempSync(join(tmpdir(), 'scm-rebuild-')), 'out');
}

describe('rebuildCatalog', () => {
  it('replaces its own previous output in one swap and leaves no staging folder', async () => {
    const out = tempOut();
    await rebuildCatalog(configFor(out), { mode: 'full' });
    writeFileSync(join(out, 'stale.txt'), 'from an earlier run');
    const result = await rebuildCatalog(configFor(out), { mode: 'full' });
    expect(result.summary.succeeded).toBe(24);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(true);
    expect(readdirSync(join(out, '..'))).toEqual(['out']);
  });

  it('leaves the previous output untouched when the run is aborted', async () => {
    const out = tempOut();
    await rebuildCatalog(configFor(out), { mode: 'full' });
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    const controller = new AbortController();
    controller.abort();
    const run = rebuildCatalog(configFor(out), { mode: 'full', signal: controller.signal });
    await expect(run).rejects.toSatisfy((e: unknown) => isScmError(e) && e.code === 'SCM_ABORTED');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(out, '..'))).toEqual(['out']);
  });

  it('applies configured extensions and validates against their schemas', async () => {
    const out = tempOut();
    const extra = `extensions:
  - name: alternate-assets
    config:
      alternates:
        - key: s3
          name: S3
          prefix: https://naipeuwest.blob.core.windows.net/naip/
          replace_prefix: s3://naip-mirror/`;
    const result = await rebuildCatalog(configFor(out, extra), { mode: 'full' });
    expect(result.summary.failed).toBe(0);
    const line = readFileSync(join(out, 'ndjson', 'naip', 'items.ndjson'), 'utf8').split('\n')[0]!;
    const item = JSON.parse(line);
    expect(item.stac_extensions).toContain(
      'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json',
    );
    expect(item.assets.image.alternate.s3.href).toMatch(/^s3:\/\/naip-mirror\//);
  });

  it('rejects an unknown extension before writing anything', async () => {
    const out = tempOut();
    const run = rebuildCatalog(configFor(out, 'extensions: [{ name: no-such-extension }]'), { mode: 'full' });
    await expect(run).rejects.toSatisfy(
      (e: unknown) => isScmError(e) && e.code === 'SCM_EXTENSION_NOT_FOUND',
    );
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('scaffolds the collections the source lacks from their items', async () => {
    const out = tempOut();
    const result = await rebuildCatalog(configFor(out), { mode: 'full' });
    expect(result.summary.collections).toBe(4);
    expect(result.summary.notes.join('\n')).toMatch(/collection "naip" was not in the source/);
    const naip = JSON.parse(readFileSync(join(out, 'naip', 'collection.json'), 'utf8'));
    expect(naip.extent.spatial.bbox[0]).toHaveLength(4);
    expect(naip.extent.temporal.interval[0][0]).toMatch(/^2016-08-05/);
  });
});

describe('rebuildCatalog and validate agree', () => {
  it('runs the built-in extension checks an item declares, even when that extension is not configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-rebuild-'));
    const item = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'dgeo-item.json'), 'utf8'));
    item.assets.red['dgeo:cid'] = 'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk2';
    writeFileSync(join(dir, 'item.json'), JSON.stringify(item));
    const out = join(dir, 'out');
    const yaml = `
workflow: { name: agree }
source: { type: local_files, paths: [${join(dir, 'item.json')}] }
output: { format: [ndjson], path: ${out} }
`;
    const result = await rebuildCatalog(parseConfig(yaml, join(dir, 'config.yaml'), { env: {} }), {
      mode: 'full',
    });
    expect(result.summary).toMatchObject({ processed: 1, failed: 1 });
    const failure = JSON.parse(readFileSync(join(out, 'failed_items.ndjson'), 'utf8'));
    expect(failure.error_message).toContain('/assets/red/dgeo:cid');
  });
});
