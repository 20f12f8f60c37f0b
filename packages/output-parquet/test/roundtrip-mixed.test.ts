import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { readGeoParquetMetadata, ROUNDTRIP_COLUMN, writeGeoParquet } from '../src/index.js';
import { mixedItems } from './helpers/generate.js';
import { asJson, readAll, tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('round trip of a generated set with disagreeing types', () => {
  const items = mixedItems(120);

  it('reads back deep-equal, with several row groups', async () => {
    const path = join(tmp.dir, 'mixed.parquet');
    const result = await writeGeoParquet(items, { path, rowGroupSize: 17 });
    expect(result.reported).toEqual([]);
    expect(result.rows).toBe(items.length);
    const back = await readAll(path);
    expect(back).toStrictEqual(asJson(items));
    const meta = await readGeoParquetMetadata(path);
    expect(meta.rowGroups).toBe(Math.ceil(items.length / 17));
    expect(meta.columns).toContain(ROUNDTRIP_COLUMN);
  });

  it('ends a row group once its JSON text reaches rowGroupBytes, with or without the helper thread', async () => {
    const subset = items.slice(0, 30);
    // Every text is longer than 1 character, so each row group holds one item; the helper thread splits each.
    const one = join(tmp.dir, 'bytes-one-thread.parquet');
    const two = join(tmp.dir, 'bytes-two-threads.parquet');
    await writeGeoParquet(subset, { path: one, rowGroupBytes: 1, helperThread: false });
    await writeGeoParquet(subset, { path: two, rowGroupBytes: 1, helperThread: true });
    expect((await readGeoParquetMetadata(one)).rowGroups).toBe(subset.length);
    expect(await readAll(one)).toStrictEqual(asJson(subset));
    expect(readFileSync(two).equals(readFileSync(one))).toBe(true);
    // Text of about two items a group: fewer groups than items, more than rowGroupSize alone gives.
    const text = subset.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
    const cap = join(tmp.dir, 'bytes-two-items.parquet');
    await writeGeoParquet(subset, { path: cap, rowGroupBytes: Math.ceil((2 * text) / subset.length) });
    const groups = (await readGeoParquetMetadata(cap)).rowGroups;
    expect(groups).toBeGreaterThan(1);
    expect(groups).toBeLessThan(subset.length);
    expect(await readAll(cap)).toStrictEqual(asJson(subset));
  });

  it('reports the widened columns', async () => {
    const result = await writeGeoParquet(items, { path: join(tmp.dir, 'widened.parquet') });
    expect(result.widened).toEqual(
      expect.arrayContaining(['properties.mixed: int → double', 'properties.mixed: double → json']),
    );
    // Timestamps-extension columns stay timestamps (other readers expect them to); text that
    // is not RFC 3339 goes to the side column instead of widening the column.
    expect(result.widened.some((w) => /properties\.(expires|published)/.test(w))).toBe(false);
  });

  for (const codec of ['SNAPPY', 'GZIP', 'UNCOMPRESSED', 'ZSTD'] as const) {
    it(`round-trips with ${codec}`, async () => {
      const path = join(tmp.dir, `codec-${codec}.parquet`);
      await writeGeoParquet(items.slice(0, 30), { path, codec });
      expect(await readAll(path)).toStrictEqual(asJson(items.slice(0, 30)));
    });
  }

  it('round-trips with assets and links as JSON text', async () => {
    const path = join(tmp.dir, 'json.parquet');
    await writeGeoParquet(items, { path, assetsAsJson: true, linksAsJson: true });
    expect(await readAll(path)).toStrictEqual(asJson(items));
  });

  it('round-trips items in any order of arrival (schema widens late)', async () => {
    const path = join(tmp.dir, 'reversed.parquet');
    const reversed = [...items].reverse();
    await writeGeoParquet(reversed, { path, rowGroupSize: 5 });
    expect(await readAll(path)).toStrictEqual(asJson(reversed));
  });

  it('writes no side column when nothing needs it', async () => {
    const plain: StacItem[] = [0, 1, 2].map((i) => ({
      type: 'Feature',
      stac_version: '1.1.0',
      id: `plain-${i}`,
      geometry: { type: 'Point', coordinates: [i, i] },
      bbox: [i, i, i, i],
      properties: { datetime: '2020-01-01T00:00:00Z', n: i },
      links: [],
      assets: {},
    }));
    const path = join(tmp.dir, 'plain.parquet');
    await writeGeoParquet(plain, { path });
    const meta = await readGeoParquetMetadata(path);
    expect(meta.columns).not.toContain(ROUNDTRIP_COLUMN);
    expect(meta.roundtrip?.side).toBeUndefined();
    expect(await readAll(path)).toStrictEqual(plain);
  });
});
