import { join } from 'node:path';
import { format } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { readGeoParquet, writeCollectionsParquet } from '../src/index.js';
import { tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('runs the README example and prints what the README shows', async () => {
  const lines: string[] = [];
  const console = { log: (...args: unknown[]) => lines.push(format(...args)) };
  const out = join(tmp.dir, 'out');
  // --- the README example, with `out` under a temporary folder ---
  const item = (id: string, cloud: number) => ({
    type: 'Feature' as const,
    stac_version: '1.1.0',
    id,
    collection: 'demo',
    geometry: { type: 'Point' as const, coordinates: [7.44, 46.95] },
    bbox: [7.44, 46.95, 7.44, 46.95],
    properties: { datetime: '2024-05-01T10:00:00Z', 'eo:cloud_cover': cloud },
    links: [],
    assets: { data: { href: `s3://bucket/${id}.tif`, roles: ['data'] } },
  });
  const collection = {
    type: 'Collection' as const,
    stac_version: '1.1.0',
    id: 'demo',
    description: 'Demo',
    license: 'CC0-1.0',
    links: [],
    extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
  };

  const result = await writeCollectionsParquet([item('a', 12), item('b', 3.5)], {
    root: out,
    collections: [collection],
  });
  console.log(result.files, result.rows, result.widened);
  for await (const back of readGeoParquet(join(out, 'demo/items.parquet')))
    console.log(back.id, back.properties);
  // --- end of the example ---
  expect(lines).toEqual([
    "[ 'demo/items.parquet', 'demo/collection.json' ] 2 [ 'demo: properties.eo:cloud_cover: int → double' ]",
    "a { datetime: '2024-05-01T10:00:00Z', 'eo:cloud_cover': 12 }",
    "b { datetime: '2024-05-01T10:00:00Z', 'eo:cloud_cover': 3.5 }",
  ]);
});
