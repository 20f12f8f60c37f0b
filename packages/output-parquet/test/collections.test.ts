import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScmError, type StacCollection, type StacItem } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CollectionsParquetResult,
  collectionDirName,
  createCollectionsParquetSink,
  openCollectionsParquet,
  type ParquetPartitioning,
  partitionFileName,
  partitionOfFileName,
  partitionOfItem,
  partitionOfItemText,
  readGeoParquetMetadata,
  writeCollectionsParquet,
} from '../src/index.js';
import { mixedItems } from './helpers/generate.js';
import { asJson, readAll, tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const landsat = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'collections', 'collection-landsat-c2-l2.json'), 'utf8'),
) as StacCollection;

function item(id: string, collection: string | undefined, extra: Record<string, unknown> = {}): StacItem {
  const out: Record<string, unknown> = {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: { type: 'Point', coordinates: [1, 2] },
    bbox: [1, 2, 1, 2],
    properties: { datetime: '2024-01-01T00:00:00Z', ...extra },
    links: [],
    assets: {},
  };
  if (collection !== undefined) out.collection = collection;
  return out as StacItem;
}

describe('collectionDirName', () => {
  it('keeps safe ids and percent-encodes everything else', () => {
    expect(collectionDirName('sentinel-2-l2a')).toBe('sentinel-2-l2a');
    expect(collectionDirName('HLSS30_2.0')).toBe('HLSS30_2.0');
    expect(collectionDirName('a/b')).toBe('a%2Fb');
    expect(collectionDirName('../etc')).toBe('..%2Fetc');
    expect(collectionDirName('ключ')).toBe('%D0%BA%D0%BB%D1%8E%D1%87');
    expect(collectionDirName('100%')).toBe('100%25');
    expect(collectionDirName('a b:c\\d')).toBe('a%20b%3Ac%5Cd');
  });

  it('refuses ids that cannot be folders (SCM_OUTPUT_PATH)', () => {
    for (const id of ['', '.', '..', 'x'.repeat(300)]) {
      try {
        collectionDirName(id);
        expect.unreachable(`accepted ${JSON.stringify(id)}`);
      } catch (error) {
        expect(isScmError(error) && error.code).toBe('SCM_OUTPUT_PATH');
      }
    }
  });
});

describe('writeCollectionsParquet', () => {
  it('writes one folder per collection with items.parquet and collection.json', async () => {
    const root = join(tmp.dir, 'by-collection');
    const items = [
      item('a1', 'alpha'),
      item('b1', 'landsat-c2-l2', { 'eo:cloud_cover': 3 }),
      item('a2', 'alpha'),
      item('c1', '../escape'),
      item('b2', 'landsat-c2-l2', { 'eo:cloud_cover': 4.5 }),
    ];
    const result = await writeCollectionsParquet(items, { root, collections: [landsat] });
    expect(result.reported).toEqual([]);
    expect(result.written).toBe(5);
    expect(result.collections.map((c) => [c.id, c.dir, c.rows]).sort()).toEqual([
      ['../escape', '..%2Fescape', 1],
      ['alpha', 'alpha', 2],
      ['landsat-c2-l2', 'landsat-c2-l2', 2],
    ]);
    expect(result.files.sort()).toEqual([
      '..%2Fescape/items.parquet',
      'alpha/items.parquet',
      'landsat-c2-l2/collection.json',
      'landsat-c2-l2/items.parquet',
    ]);
    expect(readdirSync(root).sort()).toEqual(['..%2Fescape', 'alpha', 'landsat-c2-l2']);
    expect(JSON.parse(readFileSync(join(root, 'landsat-c2-l2', 'collection.json'), 'utf8'))).toEqual(landsat);
    expect(await readAll(join(root, 'alpha', 'items.parquet'))).toStrictEqual([items[0], items[2]]);
    const meta = await readGeoParquetMetadata(join(root, 'landsat-c2-l2', 'items.parquet'));
    expect(Object.keys(meta.collections)).toEqual(['landsat-c2-l2']);
    // The collection's item_assets seed the schema: every declared asset is a struct column.
    expect(meta.roundtrip).toBeDefined();
    expect(result.widened).toContain('landsat-c2-l2: properties.eo:cloud_cover: int → double');
    // no temporary files left behind
    expect(readdirSync(join(root, 'alpha'))).toEqual(['items.parquet']);
    expect(readdirSync(root).some((n) => n.startsWith('.scm-parquet-spill'))).toBe(false);
  });

  it('declares item_assets from the collection as asset structs', async () => {
    const root = join(tmp.dir, 'item-assets');
    await writeCollectionsParquet([item('x', 'landsat-c2-l2')], {
      root,
      collections: { [landsat.id]: landsat },
    });
    const path = join(root, 'landsat-c2-l2', 'items.parquet');
    const back = await readAll(path);
    expect(back).toStrictEqual([item('x', 'landsat-c2-l2')]);
    const { parquetMetadataAsync, asyncBufferFromFile, parquetSchema } = await import('hyparquet');
    const schema = parquetSchema(await parquetMetadataAsync(await asyncBufferFromFile(path)));
    const assets = schema.children.find((c) => c.element.name === 'assets')!;
    expect(assets.children.map((c) => c.element.name).sort()).toEqual(
      Object.keys(landsat.item_assets!).sort(),
    );
  });

  it('splits a large collection into part files and removes stale ones', async () => {
    const root = join(tmp.dir, 'parts');
    const items = mixedItems(25).map((i) => ({ ...i, collection: 'mixed' }) as StacItem);
    const result = await writeCollectionsParquet(items, { root, maxRowsPerFile: 10, rowGroupSize: 4 });
    expect(result.collections[0]!.files).toEqual([
      'mixed/part-00000.parquet',
      'mixed/part-00001.parquet',
      'mixed/part-00002.parquet',
    ]);
    const back = [
      ...(await readAll(join(root, 'mixed', 'part-00000.parquet'))),
      ...(await readAll(join(root, 'mixed', 'part-00001.parquet'))),
      ...(await readAll(join(root, 'mixed', 'part-00002.parquet'))),
    ];
    expect(back).toStrictEqual(asJson(items));
    const rows = await Promise.all(
      [0, 1, 2].map(
        async (i) => (await readGeoParquetMetadata(join(root, 'mixed', `part-0000${i}.parquet`))).rows,
      ),
    );
    expect(rows).toEqual([10, 10, 5]);
    // a smaller rerun replaces the parts with one file
    const again = await writeCollectionsParquet(items.slice(0, 3), { root, maxRowsPerFile: 10 });
    expect(again.collections[0]!.files).toEqual(['mixed/items.parquet']);
    expect(readdirSync(join(root, 'mixed'))).toEqual(['items.parquet']);
  });

  it('cuts a collection into one file per month, and rewrites only the months it is given', async () => {
    const root = join(tmp.dir, 'monthly');
    const at = (id: string, datetime: string | null, extra: Record<string, unknown> = {}) =>
      item(id, 'hls', { datetime, ...extra });
    const items = [
      at('a', '2022-09-30T23:30:00-02:00'), // October in UTC
      at('b', '2022-09-01T00:00:00Z'),
      at('c', '2022-10-15T10:00:00Z'),
      at('d', null, { start_datetime: '2022-11-02T00:00:00Z', end_datetime: '2022-11-03T00:00:00Z' }),
      at('e', '2022-09-12T00:00:00Z'),
    ];
    const first = await writeCollectionsParquet(items, { root, partitionBy: 'month' });
    expect(first.collections[0]!.files.sort()).toEqual([
      'hls/items-2022-09.parquet',
      'hls/items-2022-10.parquet',
      'hls/items-2022-11.parquet',
    ]);
    expect((await readAll(join(root, 'hls', 'items-2022-10.parquet'))).map((i) => i.id).sort()).toEqual([
      'a',
      'c',
    ]);
    const september = join(root, 'hls', 'items-2022-09.parquet');
    const untouched = readFileSync(september);
    // October changes, November empties: September's file is not written again.
    const october = [{ ...items[2]!, properties: { ...items[2]!.properties, note: 'changed' } } as StacItem];
    const again = await writeCollectionsParquet(october, {
      root,
      partitionBy: 'month',
      onlyPartitions: new Set(['2022-10', '2022-11']),
    });
    expect(again.collections[0]!.files).toEqual(['hls/items-2022-10.parquet']);
    expect(readdirSync(join(root, 'hls')).sort()).toEqual(['items-2022-09.parquet', 'items-2022-10.parquet']);
    expect(readFileSync(september).equals(untouched)).toBe(true);
    expect(await readAll(join(root, 'hls', 'items-2022-10.parquet'))).toStrictEqual(asJson(october));
  });

  it('removes the files of a known collection that has no items left', async () => {
    const root = join(tmp.dir, 'emptied');
    await writeCollectionsParquet([item('a', landsat.id)], { root, collections: [landsat] });
    expect(readdirSync(join(root, landsat.id)).sort()).toEqual(['collection.json', 'items.parquet']);
    await writeCollectionsParquet([], { root, collections: [landsat] });
    expect(readdirSync(join(root, landsat.id))).toEqual(['collection.json']);
  });

  it('names partition files the way it reads them back, and finds partitions in item texts', () => {
    for (const [partition, part] of [
      ['', undefined],
      ['', 3],
      ['2022', undefined],
      ['2022-09', 12],
      ['undated', undefined],
    ] as const) {
      expect(partitionOfFileName(partitionFileName(partition, part))).toBe(partition);
    }
    expect(partitionOfFileName('collection.json')).toBeUndefined();
    expect(partitionOfFileName('items-2022-9.parquet')).toBeUndefined();
    const cases = [
      item('x', 'c', { datetime: '2021-12-31T23:59:59.999-00:30' }),
      item('y', 'c', { datetime: null, start_datetime: '1999-02-03T00:00:00Z' }),
      item('z', 'c', { datetime: 'soon' }),
    ];
    for (const by of ['none', 'year', 'month'] as const) {
      for (const one of cases) {
        expect(partitionOfItemText(JSON.stringify(one), by)).toBe(partitionOfItem(one, by));
      }
    }
    expect(cases.map((c) => partitionOfItem(c, 'month'))).toEqual(['2022-01', '1999-02', 'undated']);
    expect(partitionOfItemText('{"id":"broken"', 'month')).toBeUndefined();
  });

  it('reports items it cannot place instead of throwing', async () => {
    const root = join(tmp.dir, 'reported');
    const result = await writeCollectionsParquet(
      [
        item('no-collection', undefined),
        item('dot', '..'),
        item('ok', 'fine'),
        item('bad-datetime', 'fine', { datetime: 'soon' }),
      ],
      { root },
    );
    expect(result.written).toBe(1);
    expect(result.reported.map((f) => [f.item_id, f.error_type, f.error_context.step])).toEqual([
      ['no-collection', 'validation_error', 'output'],
      ['dot', 'validation_error', 'output'],
      ['bad-datetime', 'validation_error', 'output'],
    ]);
    expect(result.reported[1]!.error_context.details).toEqual({ code: 'SCM_OUTPUT_PATH' });
    expect(result.reported[2]!.error_message).toMatch(/properties\.datetime/);
    expect(existsSync(join(tmp.dir, 'reported', '..'))).toBe(true);
    expect(readdirSync(root)).toEqual(['fine']);
  });

  it('keeps collection-less items in the `uncollected` folder when asked', async () => {
    const root = join(tmp.dir, 'uncollected');
    const result = await writeCollectionsParquet([item('loose', undefined)], { root, uncollected: '_loose' });
    expect(result.reported).toEqual([]);
    expect(await readAll(join(root, '_loose', 'items.parquet'))).toStrictEqual([item('loose', undefined)]);
  });

  it('refuses ids that differ only in case (their folders would collide)', async () => {
    const root = join(tmp.dir, 'case');
    const result = await writeCollectionsParquet([item('1', 'Alpha'), item('2', 'alpha')], { root });
    expect(result.written).toBe(1);
    expect(result.reported[0]!.error_context.details).toEqual({ code: 'SCM_OUTPUT_PATH' });
  });

  it('writes collection.json for known collections without items, and refuses a bad configured id', async () => {
    const root = join(tmp.dir, 'empty');
    const result = await writeCollectionsParquet([], { root, collections: [landsat] });
    expect(result.files).toEqual(['landsat-c2-l2/collection.json']);
    await expect(
      writeCollectionsParquet([], { root, collections: [{ ...landsat, id: '..' }] }),
    ).rejects.toMatchObject({ code: 'SCM_OUTPUT_PATH' });
  });

  it('works as a Sink', async () => {
    const root = join(tmp.dir, 'sink');
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'unrelated.txt'), 'kept');
    const sink = createCollectionsParquetSink({ root });
    const result = await sink.write(
      (async function* () {
        yield item('s1', 'one');
        yield item('s2', 'two');
      })(),
    );
    expect(result.written).toBe(2);
    expect(result.files.sort()).toEqual(['one/items.parquet', 'two/items.parquet']);
    expect(readFileSync(join(root, 'unrelated.txt'), 'utf8')).toBe('kept');
  });

  it('stops with SCM_ABORTED and leaves no temporary files', async () => {
    const root = join(tmp.dir, 'aborted');
    const controller = new AbortController();
    const items = (async function* () {
      yield item('a', 'one');
      controller.abort();
      yield item('b', 'one');
    })();
    await expect(writeCollectionsParquet(items, { root, signal: controller.signal })).rejects.toMatchObject({
      code: 'SCM_ABORTED',
    });
    expect(readdirSync(root)).toEqual([]);
  });
});

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

/** An item as a caller that gives its text may give it: what chooses its file, nothing else. */
function outlineOf(item: StacItem): StacItem {
  const { datetime, start_datetime, end_datetime } = item.properties;
  return {
    id: item.id,
    collection: item.collection,
    properties: { datetime, start_datetime, end_datetime },
  } as StacItem;
}

/**
 * What a caller such as the rebuild's sinks does: each item's line appended to its collection's file.
 * `thread`: items observed here before the rest go to the observer thread, and whether those are given as
 * outlines.
 */
async function streamed(
  root: string,
  items: StacItem[],
  partitionBy: ParquetPartitioning,
  thread: { after: number; outlines: boolean } = { after: Number.POSITIVE_INFINITY, outlines: false },
) {
  const lines = `${root}-lines`;
  const writer = await openCollectionsParquet({
    root,
    uncollected: 'items',
    partitionBy,
    replay: true,
    observerThreadAfter: thread.after,
  });
  expect(writer.observesText).toBe(partitionBy === 'none' && Number.isFinite(thread.after));
  const counts = new Map<string, number>();
  for (const item of items) {
    const collection = typeof item.collection === 'string' && item.collection !== '' ? item.collection : '_';
    const file = `${lines}-${collection}.ndjson`;
    const line = (counts.get(file) ?? 0) + 1;
    counts.set(file, line);
    const text = JSON.stringify(item);
    appendFileSync(file, `${text}\n`);
    await writer.add(thread.outlines ? outlineOf(item) : item, text, { file, line });
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

  // The thread takes over after no item, after a few (the writers it adopts have observed some items and
  // reported one), and the items it gets are whole or outlines: the files and failures stay those above.
  for (const thread of [
    { after: 0, outlines: false },
    { after: 0, outlines: true },
    { after: 13, outlines: true },
  ]) {
    it(`writes the same files with pass one on the observer thread after ${thread.after} items${thread.outlines ? ', given outlines' : ''}`, async () => {
      // The thread observes the texts, where a -0 of the fixtures is 0: the reference sees what they hold.
      const items = fixtureItems().map((one) => JSON.parse(JSON.stringify(one)) as StacItem);
      const expected = join(tmp.dir, `expected-thread-${thread.after}-${thread.outlines}`);
      const reference = await writeCollectionsParquet(items, {
        root: expected,
        collections: [landsat],
        uncollected: 'items',
      });
      const actual = join(tmp.dir, `actual-thread-${thread.after}-${thread.outlines}`);
      const result = await streamed(actual, items, 'none', thread);

      expect(result.rows).toBe(reference.rows);
      expect(failures(result)).toEqual(failures(reference));
      // A failure quotes the whole item, not the outline it was given as.
      expect(result.reported.map((f) => f.error_context.source_data)).toEqual(
        reference.reported.map((f) => f.error_context.source_data),
      );
      expect(result.widened.sort()).toEqual(reference.widened.sort());
      const want = filesOf(expected);
      const got = filesOf(actual);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [path, bytes] of want) expect(got.get(path)?.equals(bytes), path).toBe(true);
    });
  }

  it('fails the write with SCM_INTERNAL when the observer thread cannot parse a text, and leaves no file', async () => {
    const root = join(tmp.dir, 'bad-text');
    const writer = await openCollectionsParquet({ root, replay: true, observerThreadAfter: 0 });
    const file = join(tmp.dir, 'bad-text.ndjson');
    await writer.add(item('a', 'one'), JSON.stringify(item('a', 'one')), { file, line: 1 });
    await writer.add(item('b', 'one'), '{"id": "b", "collection": "one", ', { file, line: 2 });
    const error = await writer.finish([]).catch((e: unknown) => e);
    expect(isScmError(error) && error.code).toBe('SCM_INTERNAL');
    expect((error as Error).message).toMatch(/observer thread failed: .*JSON/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('needs the line of each item when pass two replays files', async () => {
    const writer = await openCollectionsParquet({ root: join(tmp.dir, 'no-line'), replay: true });
    const error = await writer.add(fixtureItems()[1]!).catch((e: unknown) => e);
    expect(isScmError(error) && error.code).toBe('SCM_USAGE');
    await writer.abort();
  });
});
