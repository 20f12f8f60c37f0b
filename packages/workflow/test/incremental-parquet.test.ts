import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { readGeoParquet, writeCollectionsParquet } from '@scm/output-parquet';
import { describe, expect, it } from 'vitest';
import { partitionOfLine, rewriteCollectionParquet } from '../src/incremental-parquet.js';

function item(id: string, datetime: string): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    collection: 'c',
    geometry: { type: 'Point', coordinates: [1, 2] },
    bbox: [1, 2, 1, 2],
    properties: { datetime },
    links: [],
    assets: {},
  } as unknown as StacItem;
}

describe('rewriteCollectionParquet', () => {
  it('rewrites the listed months from the merged NDJSON and leaves the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-incremental-parquet-'));
    const root = join(dir, 'parquet');
    const items = [item('a', '2022-01-05T00:00:00Z'), item('b', '2022-02-05T00:00:00Z')];
    await writeCollectionsParquet(items, { root, partitionBy: 'month' });
    const merged = join(dir, 'items.ndjson');
    const changed = { ...items[1]!, properties: { datetime: '2022-02-05T00:00:00Z', note: 'x' } };
    writeFileSync(merged, `${JSON.stringify(items[0])}\n${JSON.stringify(changed)}\n`);
    const result = await rewriteCollectionParquet(
      root,
      { id: 'c', collection: undefined, itemsFile: merged, partitions: new Set(['2022-02']) },
      'month',
    );
    expect(result.files).toEqual(['c/items-2022-02.parquet']);
    const rows: StacItem[] = [];
    for await (const row of readGeoParquet(join(root, 'c', 'items-2022-02.parquet')))
      rows.push(row as StacItem);
    expect(rows.map((r) => r.properties.note)).toEqual(['x']);
  });

  it('drops the listed months of a collection that has no items file any more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-incremental-parquet-'));
    const root = join(dir, 'parquet');
    await writeCollectionsParquet([item('a', '2022-01-05T00:00:00Z'), item('b', '2022-02-05T00:00:00Z')], {
      root,
      partitionBy: 'month',
    });
    await rewriteCollectionParquet(
      root,
      {
        id: 'c',
        collection: undefined,
        itemsFile: join(dir, 'missing.ndjson'),
        partitions: new Set(['2022-01']),
      },
      'month',
    );
    expect(readdirSync(join(root, 'c'))).toEqual(['items-2022-02.parquet']);
  });

  it('finds the month of a line from its text, and of a line it cannot scan by parsing it', () => {
    expect(partitionOfLine(JSON.stringify(item('a', '2022-03-31T23:00:00-02:00')), 'month')).toBe('2022-04');
    expect(partitionOfLine('{"properties":{"datetime":null},"id":"x"}', 'year')).toBe('undated');
    expect(partitionOfLine('not json', 'month')).toBe('undated');
  });
});
