import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const repo = resolve(new URL('.', import.meta.url).pathname, '../../..');
const example = join(repo, 'examples/enrich');

async function enrich(extra: string[] = []) {
  const dir = tempDir('scm-enrich-');
  const run = await cli([
    'transform-metadata',
    '--input',
    join(repo, 'examples/extensions/cmr-items.ndjson'),
    '--sidecar',
    join(example, 'sidecar-cloud-cover.json'),
    '--sidecar-keyed',
    '--mapping-schema',
    join(example, 'mapping.yaml'),
    '--output-path',
    join(dir, 'items.ndjson'),
    '--quiet',
    ...extra,
  ]);
  const items = readFileSync(join(dir, 'items.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; properties: Record<string, unknown> });
  return { run, items, dir };
}

describe('transform-metadata --sidecar (enrichment)', () => {
  it('maps the sidecar row of each item into it and keeps items without one', async () => {
    const { run, items, dir } = await enrich();
    expect(run.code).toBe(0);
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    expect(byId['HLS.S30.T13SFC.2022273T174141.v2.0']!.properties).toMatchObject({
      'eo:cloud_cover': 0,
      snow_cover: 0,
    });
    expect(byId['HLS.S30.T13SGC.2022273T174141.v2.0']!.properties.snow_cover).toBeUndefined();
    const audit = JSON.parse(readFileSync(join(dir, 'items.transformation_audit.json'), 'utf8'));
    expect(audit.enrichment).toMatchObject({ items: 2, matched: 1, unmatched: 1 });
    const check = await cli(['validate', '--input', join(dir, 'items.ndjson'), '--quiet']);
    expect(check.code).toBe(0);
  });

  it('makes an item without a sidecar row a failure with --on-missing fail', async () => {
    const { run, items } = await enrich(['--on-missing', 'fail']);
    expect(run.code).toBe(1);
    expect(items.map((i) => i.id)).toEqual(['HLS.S30.T13SFC.2022273T174141.v2.0']);
  });
});
