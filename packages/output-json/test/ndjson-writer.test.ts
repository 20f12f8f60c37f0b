import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isScmError, type StacCollection, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { createNdjsonWriter } from '../src/index.js';
import { goldenInput, listFiles, sample, tempDir } from './helpers.js';

function item(id: string, collection?: string, n = 0): StacItem {
  const value: StacItem = {
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z', n },
    links: [],
    assets: {},
  };
  if (collection !== undefined) value.collection = collection;
  return value;
}

function lines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
    expect.unreachable('expected a rejection');
  } catch (error) {
    expect(isScmError(error) && error.code).toBe(code);
  }
}

describe('NDJSON writer', () => {
  it('writes collections.ndjson and one items.ndjson per collection', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    const { collections, items } = goldenInput();
    for (const collection of collections)
      expect(await writer.writeCollection(collection)).toBe('collections.ndjson');
    const paths: string[] = [];
    for (const value of items) paths.push(await writer.writeItem(value));
    paths.push(await writer.writeItem(sample<StacItem>('stac-spec-collectionless-item.json')));
    const result = await writer.finish();
    expect(paths).toEqual([
      'landsat-c2-l2/items.ndjson',
      'landsat-c2-l2/items.ndjson',
      'landsat-c2-l2/items.ndjson',
      'simple-collection/items.ndjson',
      'items.ndjson',
    ]);
    expect(result).toEqual({
      written: 5,
      collections: 2,
      files: [
        'collections.ndjson',
        'landsat-c2-l2/items.ndjson',
        'simple-collection/items.ndjson',
        'items.ndjson',
      ],
      duplicatesDropped: 0,
      duplicates: [],
      lines: {
        'collections.ndjson': 2,
        'landsat-c2-l2/items.ndjson': 3,
        'simple-collection/items.ndjson': 1,
        'items.ndjson': 1,
      },
    });
    expect(listFiles(root)).toEqual([...result.files].sort());
    // Records are written unchanged, one compact JSON text per line.
    expect(lines(join(root, 'collections.ndjson'))).toEqual(collections);
    expect(lines(join(root, 'landsat-c2-l2/items.ndjson'))).toEqual(items.slice(0, 3));
    for (const line of readFileSync(join(root, 'landsat-c2-l2/items.ndjson'), 'utf8').trimEnd().split('\n')) {
      expect(line).toBe(JSON.stringify(JSON.parse(line)));
    }
  });

  it("tells where each collection's items file ends up and how many lines it took so far", async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    expect(writer.itemsFile('c1')).toBeUndefined();
    await writer.writeItem(item('a', 'c1'));
    await writer.writeItem(item('a', 'c1'));
    await writer.writeItem(item('b', 'c1'));
    await writer.writeItem(item('x', ''));
    await writer.writeItem(item('y'));
    expect(writer.itemsFile('c1')).toEqual({ path: join(root, 'c1', 'items.ndjson'), items: 2 });
    // an empty collection id is no collection, as writeItem files it
    expect(writer.itemsFile('')).toEqual({ path: join(root, 'items.ndjson'), items: 2 });
    expect(writer.itemsFile(undefined)).toEqual(writer.itemsFile(''));
    await writer.finish();
    expect(lines(writer.itemsFile('c1')!.path).map((line) => line.id)).toEqual(['a', 'b']);
    expect(lines(writer.itemsFile(undefined)!.path).map((line) => line.id)).toEqual(['x', 'y']);
  });

  it('drops later records with an id already written, per collection, and reports them', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    const collection = sample<StacCollection>('stac-spec-collection.json');
    await writer.writeCollection(collection);
    await writer.writeCollection({ ...collection, title: 'again' });
    await writer.writeItem(item('a', 'c1', 1));
    await writer.writeItem(item('a', 'c1', 2));
    await writer.writeItem(item('a', 'c2', 3));
    await writer.writeItem(item('b', 'c1', 4));
    await writer.writeItem(item('a', 'c1', 5));
    await writer.writeItem(item('a', undefined, 6));
    await writer.writeItem(item('a', undefined, 7));
    const result = await writer.finish();
    expect(result.written).toBe(4);
    expect(result.duplicatesDropped).toBe(4);
    expect(result.duplicates).toEqual([
      { type: 'Collection', id: 'simple-collection' },
      { type: 'Feature', id: 'a', collection: 'c1' },
      { type: 'Feature', id: 'a', collection: 'c1' },
      { type: 'Feature', id: 'a' },
    ]);
    const c1 = lines(join(root, 'c1/items.ndjson'));
    expect(c1.map((line) => [line.id, (line.properties as { n: number }).n])).toEqual([
      ['a', 1],
      ['b', 4],
    ]);
    expect(lines(join(root, 'c2/items.ndjson'))).toHaveLength(1);
    expect(lines(join(root, 'items.ndjson'))).toHaveLength(1);
    const collectionLines = lines(join(root, 'collections.ndjson'));
    expect(collectionLines).toHaveLength(1);
    expect(collectionLines[0]!.title).toBe('Simple Example Collection');
    for (const file of result.files) {
      const ids = lines(join(root, file)).map((line) => line.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('writes under a temporary name until finish, so a crash leaves no file under a final name', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    await writer.writeCollection(sample<StacCollection>('stac-spec-collection.json'));
    await writer.writeItem(item('a', 'c1'));
    await writer.writeItem(item('b'));
    const during = listFiles(root);
    expect(during.every((file) => /(^|\/)\.[^/]+\.tmp$/.test(file))).toBe(true);
    expect(during).toHaveLength(3);
    expect(existsSync(join(root, 'collections.ndjson'))).toBe(false);
    await writer.finish();
    expect(listFiles(root)).toEqual(['c1/items.ndjson', 'collections.ndjson', 'items.ndjson']);
  });

  it('removes its temporary files on abort', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    await writer.writeItem(item('a', 'c1'));
    await writer.abort();
    expect(listFiles(root)).toEqual([]);
    await expectCode(writer.finish(), 'SCM_USAGE');
    await expectCode(writer.writeItem(item('b')), 'SCM_USAGE');
  });

  it('keeps few files open and appends correctly when collections interleave', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root, maxOpenFiles: 2 });
    for (let i = 0; i < 60; i += 1) await writer.writeItem(item(`item-${i}`, `c${i % 5}`, i));
    const result = await writer.finish();
    expect(result.written).toBe(60);
    for (let c = 0; c < 5; c += 1) {
      const ns = lines(join(root, `c${c}/items.ndjson`)).map((line) => (line.properties as { n: number }).n);
      expect(ns).toEqual(Array.from({ length: 12 }, (_, k) => k * 5 + c));
    }
  });

  it('streams many large records through backpressure', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    const big = sample<StacItem[]>('items-landsat-c2-l2-pc.json')[0]!;
    async function* items() {
      for (let i = 0; i < 400; i += 1) yield { ...big, id: `scene-${i}` };
    }
    const result = await writer.write(items());
    expect(result.written).toBe(400);
    const ids = lines(join(root, 'landsat-c2-l2/items.ndjson')).map((line) => line.id);
    expect(ids).toEqual(Array.from({ length: 400 }, (_, i) => `scene-${i}`));
  });

  it('writes every record on one line that pypgstac reads back unchanged', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createNdjsonWriter({ root });
    const tricky = item('tricky', 'c', 1);
    tricky.properties.note = 'C:\\data\\new\u2028line';
    await writer.writeItem(tricky);
    await writer.finish();
    const text = readFileSync(join(root, 'c/items.ndjson'), 'utf8');
    expect(text).not.toContain('\\\\');
    expect(text.split('\n')).toHaveLength(2);
    expect(JSON.parse(text)).toEqual(tricky);
  });

  it('names collection folders safely and keeps them inside the root', async () => {
    const base = await tempDir();
    const root = join(base, 'out');
    const writer = createNdjsonWriter({ root });
    const ids = [
      '../../escape',
      'a/b',
      '..',
      '.',
      'collections.ndjson',
      'items.ndjson',
      'ABC',
      'abc',
      'x'.repeat(300),
    ];
    for (const id of ids) await writer.writeItem(item('i', id));
    const result = await writer.finish();
    expect(result.files).toHaveLength(ids.length);
    expect(listFiles(base).every((file) => file.startsWith('out/'))).toBe(true);
    expect(result.files.slice(0, 6)).toEqual([
      '~2E.~2F..~2Fescape/items.ndjson',
      'a~2Fb/items.ndjson',
      '~2E~2E/items.ndjson',
      '~2E/items.ndjson',
      'collections~2Endjson/items.ndjson',
      'items~2Endjson/items.ndjson',
    ]);
    expect(result.files[6]).toBe('ABC/items.ndjson');
    expect(result.files[7]).toMatch(/^abc~h[0-9a-f]{16}\/items\.ndjson$/);
    expect(new Set(result.files.map((file) => file.toLowerCase())).size).toBe(ids.length);
    for (const [index, file] of result.files.entries()) {
      expect(lines(join(root, file))[0]!.collection).toBe(ids[index]);
    }
  });

  it('refuses what is not an item or collection with SCM_OUTPUT_INVALID', async () => {
    const writer = createNdjsonWriter({ root: join(await tempDir(), 'out') });
    await expectCode(writer.writeItem({ id: 'x' } as never), 'SCM_OUTPUT_INVALID');
    await expectCode(writer.writeCollection(item('x') as never), 'SCM_OUTPUT_INVALID');
    expect((await writer.finish()).files).toEqual([]);
  });

  it('fails with SCM_OUTPUT_WRITE when a file cannot be made, and cleans up', async () => {
    const root = join(await tempDir(), 'out');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'blocked'), 'a file where a folder should be');
    const writer = createNdjsonWriter({ root });
    await writer.writeItem(item('fine', 'ok'));
    await expectCode(writer.writeItem(item('x', 'blocked')), 'SCM_OUTPUT_WRITE');
    await expectCode(writer.writeItem(item('y', 'ok')), 'SCM_OUTPUT_WRITE');
    await expectCode(writer.finish(), 'SCM_OUTPUT_WRITE');
    expect(listFiles(root)).toEqual(['blocked']);
  });
});
