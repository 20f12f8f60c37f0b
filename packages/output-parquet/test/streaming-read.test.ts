import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type GeoParquetBatch,
  readGeoParquet,
  readGeoParquetMetadata,
  writeGeoParquet,
} from '../src/index.js';
import { asJson, tempDir } from './helpers/io.js';
import { SAMPLES_DIR } from './helpers/samples.js';

const HLS = join(SAMPLES_DIR, 'cmr-stac', 'synthetic', 'item-HLS.S30.T13SFC.2022273T174141.v2.0.json');

/** `count` copies of the 40-asset HLS sample, each with its own id (in every href too) and datetime. */
function hlsItems(count: number): StacItem[] {
  const template = readFileSync(HLS, 'utf8');
  const { id } = JSON.parse(template) as StacItem;
  return Array.from({ length: count }, (_, i) => {
    const item = JSON.parse(template.replaceAll(id, `${id}-${i}`)) as StacItem;
    item.properties.datetime = new Date(Date.UTC(2022, 0, 1) + i * 60_000).toISOString();
    return item;
  });
}

describe('readGeoParquet streams', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const items = hlsItems(2_500);
  const path = join(tmp.dir, 'hls.parquet');

  it('a batch at a time, in order, decoding the next batch only once the last one was consumed', async () => {
    await writeGeoParquet(items, { path, rowGroupSize: 1_000 });
    const batches: GeoParquetBatch[] = [];
    let received = 0;
    const ids: string[] = [];
    const onBatch = (batch: GeoParquetBatch) => {
      // every row of the earlier batches has reached the consumer: at most one batch is held
      expect(batch.rowStart).toBe(received);
      batches.push(batch);
    };
    for await (const item of readGeoParquet(path, { rowsPerBatch: 300, onBatch })) {
      expect(asJson(item)).toEqual(asJson(items[received]));
      ids.push(item.id);
      received += 1;
      const live = batches.filter((b) => b.rowStart + b.rows > received - 1 && b.rowStart <= received - 1);
      expect(live).toHaveLength(1);
    }
    expect(ids).toEqual(items.map((item) => item.id));
    // 3 row groups of 1000, 1000, 500 rows, cut into batches of at most 300 rows that never span two groups
    expect(batches.map((b) => [b.rowGroup, b.rows])).toEqual([
      [0, 300],
      [0, 300],
      [0, 300],
      [0, 100],
      [1, 300],
      [1, 300],
      [1, 300],
      [1, 100],
      [2, 300],
      [2, 200],
    ]);
  });

  it('a single large row group is read in slices, each emitted before the next is decoded', async () => {
    const single = join(tmp.dir, 'one-group.parquet');
    await writeGeoParquet(items, { path: single, rowGroupSize: 100_000 });
    expect((await readGeoParquetMetadata(single)).rowGroups).toBe(1);
    for (const rowsPerBatch of [250, undefined]) {
      const batches: GeoParquetBatch[] = [];
      let received = 0;
      let decodedAtFirstItem = 0;
      const onBatch = (batch: GeoParquetBatch) => {
        expect(batch.rowStart).toBe(received); // the rows of the batch before were all emitted
        batches.push(batch);
      };
      for await (const item of readGeoParquet(single, { rowsPerBatch, onBatch })) {
        if (received === 0) decodedAtFirstItem = batches.reduce((sum, b) => sum + b.rows, 0);
        expect(item.id).toBe(items[received]!.id);
        received += 1;
      }
      expect(received).toBe(items.length);
      // the first item comes out when one slice of the group was decoded, not the group
      expect(decodedAtFirstItem).toBe(batches[0]!.rows);
      expect(decodedAtFirstItem).toBeLessThanOrEqual(items.length / 10);
      expect(batches.every((b) => b.rowGroup === 0 && b.rows <= batches[0]!.rows)).toBe(true);
      if (rowsPerBatch) expect(batches).toHaveLength(items.length / rowsPerBatch);
    }
  });

  it('refuses a rowsPerBatch that is not a positive integer (SCM_USAGE)', async () => {
    const reading = readGeoParquet(path, { rowsPerBatch: 0 });
    await expect(reading.next()).rejects.toMatchObject({ code: 'SCM_USAGE' });
  });
});
