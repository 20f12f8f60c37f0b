import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScmError, type StacCollection, type StacItem } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CollectionsParquetResult,
  openCollectionsParquet,
  type ParquetPartitioning,
  writeCollectionsParquet,
} from '../src/index.js';
import { mixedItems } from './helpers/generate.js';
import { tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const landsat = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'collections', 'collection-landsat-c2-l2.json'), 'utf8'),
) as StacCollection;

/**
 * Items of two collections (one of them declares `item_assets`), two without a collection, one whose
 * collection id cannot be a folder and one the writer refuses (a non-string `title`).
 */
function fixtureItems(): StacItem[] {
  const items = mixedItems(36).map((item, i) => {
    const collection = i % 3 === 0 ? landsat.id : 'mixed';
    return { ...item, collection } as StacItem;
  });
  items[5] = { ...items[5]!, collection: '' } as StacItem;
  delete (items[7] as { collection?: unknown }).collection;
  delete (items[8] as { collection?: unknown }).collection;
  items[11] = { ...items[11]!, properties: { ...items[11]!.properties, datetime: 'yesterday' } } as StacItem;
  return items;
}

/** The files under `root` and their bytes, by relative path. */
function filesOf(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out.set(path.slice(root.length + 1), readFileSync(path));
    }
  }
  return out;
}

/** What a caller such as the rebuild's sinks does: each item's line appended to its collection's file. */
async function streamed(root: string, items: StacItem[], partitionBy: ParquetPartitioning) {
  const lines = join(root, '..', `${partitionBy}-lines`);
  const writer = await openCollectionsParquet({ root, uncollected: 'items', partitionBy, replay: true });
  const counts = new Map<string, number>();
  for (const item of items) {
    const collection = typeof item.collection === 'string' && item.collection !== '' ? item.collection : '_';
    const file = `${lines}-${collection}.ndjson`;
    const line = (counts.get(file) ?? 0) + 1;
    counts.set(file, line);
    const text = JSON.stringify(item);
    appendFileSync(file, `${text}\n`);
    await writer.add(item, text, { file, line });
  }
  return writer.finish([landsat]);
}

function failures(result: CollectionsParquetResult): string[] {
  return result.reported.map((f) => `${f.item_id}: ${f.error_message}`).sort();
}

describe('openCollectionsParquet', () => {
  for (const partitionBy of ['none', 'month'] as const) {
    it(`writes the files writeCollectionsParquet writes (partitionBy ${partitionBy}; collections known only at the end)`, async () => {
      const items = fixtureItems();
      const expected = join(tmp.dir, `expected-${partitionBy}`);
      const reference = await writeCollectionsParquet(items, {
        root: expected,
        collections: [landsat],
        uncollected: 'items',
        partitionBy,
      });
      const actual = join(tmp.dir, `actual-${partitionBy}`);
      const result = await streamed(actual, items, partitionBy);

      expect(result.rows).toBe(reference.rows);
      expect(result.rows).toBe(items.length - 2);
      expect(failures(result)).toEqual(failures(reference));
      expect(result.files.sort()).toEqual(reference.files.sort());
      const want = filesOf(expected);
      const got = filesOf(actual);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [path, bytes] of want) expect(got.get(path)?.equals(bytes), path).toBe(true);
    });
  }

  it('needs the line of each item when pass two replays files', async () => {
    const writer = await openCollectionsParquet({ root: join(tmp.dir, 'no-line'), replay: true });
    const error = await writer.add(fixtureItems()[1]!).catch((e: unknown) => e);
    expect(isScmError(error) && error.code).toBe('SCM_USAGE');
    await writer.abort();
  });
});
