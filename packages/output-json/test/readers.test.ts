import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collect, type Failure, isFailure, isScmError, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import {
  createJsonTreeWriter,
  createNdjsonWriter,
  type JsonTreeEntry,
  type NdjsonEntry,
  readJsonTree,
  readNdjsonDir,
} from '../src/index.js';
import { goldenInput, readJson, sample, tempDir } from './helpers.js';

async function writeGoldenTree(organizeBy: 'collection' | 'catalog' = 'collection'): Promise<string> {
  const root = join(await tempDir(), 'tree');
  const writer = createJsonTreeWriter({ root, organizeBy });
  const { collections, items } = goldenInput();
  for (const collection of collections) await writer.writeCollection(collection);
  for (const item of items) await writer.writeItem(item);
  await writer.writeItem(sample<StacItem>('stac-spec-collectionless-item.json'));
  await writer.finish();
  return root;
}

function entries(values: (JsonTreeEntry | Failure)[]): JsonTreeEntry[] {
  return values.filter((value): value is JsonTreeEntry => !isFailure(value));
}

describe('readJsonTree', () => {
  for (const organizeBy of ['collection', 'catalog'] as const) {
    it(`reads back everything the writer wrote (${organizeBy})`, async () => {
      const root = await writeGoldenTree(organizeBy);
      const found = await collect(readJsonTree(root));
      expect(found.filter(isFailure)).toEqual([]);
      const byKind = (kind: string) => entries(found).filter((entry) => entry.kind === kind);
      expect(byKind('catalog').map((entry) => entry.path)).toEqual(['catalog.json']);
      expect(byKind('collection').map((entry) => entry.value.id)).toEqual([
        'landsat-c2-l2',
        'simple-collection',
      ]);
      expect(
        byKind('item')
          .map((entry) => entry.value.id)
          .sort(),
      ).toEqual([...goldenInput().items.map((item) => item.id), 'CS3-20160503_132131_08'].sort());
      for (const entry of entries(found)) expect(entry.value).toEqual(readJson(join(root, entry.path)));
    });
  }

  it('yields collection, then its items, in link order', async () => {
    const root = await writeGoldenTree();
    const order = entries(await collect(readJsonTree(root))).map(
      (entry) => `${entry.kind}:${entry.value.id}`,
    );
    expect(order).toEqual([
      'catalog:catalog',
      'collection:landsat-c2-l2',
      'item:LC09_L2SP_089090_20240417_02_T1',
      'item:LC09_L2SP_089089_20240417_02_T1',
      'item:LC09_L2SP_089088_20240417_02_T2',
      'collection:simple-collection',
      'item:20201211_223832_CS2',
      'item:CS3-20160503_132131_08',
    ]);
  });

  it('skips remote links, links leaving the root, missing and wrong files, with a failure for each', async () => {
    const base = await tempDir();
    const root = join(base, 'tree');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(
      join(base, 'outside.json'),
      JSON.stringify({ type: 'Feature', id: 'outside', links: [] }),
    );
    await writeFile(join(root, 'sub', 'ok.json'), JSON.stringify({ type: 'Feature', id: 'ok', links: [] }));
    await writeFile(join(root, 'sub', 'broken.json'), '{ not json');
    await writeFile(
      join(root, 'sub', 'collection.json'),
      JSON.stringify({ type: 'Collection', id: 'sub', links: [{ rel: 'item', href: './ok.json' }] }),
    );
    const links = [
      { rel: 'self', href: 'https://example.com/catalog.json' },
      { rel: 'child', href: 'https://example.com/remote/collection.json' },
      { rel: 'item', href: '//example.com/x.json' },
      { rel: 'item', href: 's3://bucket/x.json' },
      { rel: 'item', href: '../outside.json' },
      { rel: 'item', href: join(base, 'outside.json') },
      { rel: 'item', href: './sub/..%2F..%2Foutside.json' },
      { rel: 'item', href: './missing.json' },
      { rel: 'item', href: './sub/broken.json' },
      { rel: 'item', href: './sub/collection.json' },
      { rel: 'item' },
      { rel: 'child', href: './sub/collection.json' },
      { rel: 'child', href: './sub/collection.json#again' },
      { rel: 'item', href: './sub/ok.json?x=1' },
      { rel: 'child', href: './catalog.json' },
      { rel: 'license', href: '../../etc/passwd' },
    ];
    await writeFile(join(root, 'catalog.json'), JSON.stringify({ type: 'Catalog', id: 'root', links }));
    const found = await collect(readJsonTree(root));
    const failures = found.filter(isFailure);
    expect(
      failures.map((failure) => (failure.error_context.details as { href: string | null }).href),
    ).toEqual([
      'https://example.com/remote/collection.json',
      '//example.com/x.json',
      's3://bucket/x.json',
      '../outside.json',
      join(base, 'outside.json'),
      './sub/..%2F..%2Foutside.json',
      './missing.json',
      './sub/broken.json',
      './sub/collection.json',
      null,
    ]);
    for (const failure of failures) {
      expect(failure).toMatchObject({
        error_type: 'other',
        error_context: { step: 'read', file: 'catalog.json' },
      });
    }
    expect(failures[3]!.error_message).toMatch(/outside the catalog folder/);
    expect(failures[1]!.error_message).toMatch(/only relative links are followed/);
    expect(entries(found).map((entry) => `${entry.kind}:${entry.path}`)).toEqual([
      'catalog:catalog.json',
      'collection:sub/collection.json',
      'item:sub/ok.json',
    ]);
  });

  it('throws SCM_INPUT_NOT_FOUND without a catalog.json', async () => {
    try {
      await collect(readJsonTree(await tempDir()));
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_INPUT_NOT_FOUND');
    }
  });

  it('drops __proto__ members from what it reads', async () => {
    const root = await tempDir();
    await writeFile(
      join(root, 'catalog.json'),
      '{"type":"Catalog","id":"c","description":"d","links":[],"__proto__":{"polluted":true}}',
    );
    const [first] = await collect(readJsonTree(root));
    expect(Object.keys((first as JsonTreeEntry).value)).not.toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readNdjsonDir', () => {
  it('reads back what the NDJSON writer wrote', async () => {
    const root = join(await tempDir(), 'nd');
    const writer = createNdjsonWriter({ root });
    const { collections, items } = goldenInput();
    for (const collection of collections) await writer.writeCollection(collection);
    for (const item of items) await writer.writeItem(item);
    await writer.writeItem(sample<StacItem>('stac-spec-collectionless-item.json'));
    await writer.finish();
    const found = (await collect(readNdjsonDir(root))) as NdjsonEntry[];
    expect(found.map((entry) => [entry.kind, entry.path, entry.line, entry.value.id])).toEqual([
      ['collection', 'collections.ndjson', 1, 'landsat-c2-l2'],
      ['collection', 'collections.ndjson', 2, 'simple-collection'],
      ['item', 'items.ndjson', 1, 'CS3-20160503_132131_08'],
      ['item', 'landsat-c2-l2/items.ndjson', 1, 'LC09_L2SP_089090_20240417_02_T1'],
      ['item', 'landsat-c2-l2/items.ndjson', 2, 'LC09_L2SP_089089_20240417_02_T1'],
      ['item', 'landsat-c2-l2/items.ndjson', 3, 'LC09_L2SP_089088_20240417_02_T2'],
      ['item', 'simple-collection/items.ndjson', 1, '20201211_223832_CS2'],
    ]);
    expect(found.filter((entry) => entry.kind === 'item').map((entry) => entry.value)).toEqual(
      expect.arrayContaining(items),
    );
  });

  it('reports bad lines with their file and number, skips blank lines and temporary files', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'c'));
    await mkdir(join(root, '.hidden'));
    await writeFile(
      join(root, 'c', 'items.ndjson'),
      '{"type":"Feature","id":"a"}\n\n{oops\n{"type":"Collection","id":"x"}\n',
    );
    await writeFile(join(root, 'c', '.items.ndjson.1-ab.tmp'), '{"type":"Feature","id":"tmp"}\n');
    await writeFile(join(root, '.hidden', 'items.ndjson'), '{"type":"Feature","id":"hidden"}\n');
    const found = await collect(readNdjsonDir(root));
    expect(
      found.filter((value) => !isFailure(value)).map((value) => (value as NdjsonEntry).value.id),
    ).toEqual(['a']);
    expect(
      found.filter(isFailure).map((failure) => [failure.error_context.file, failure.error_context.line]),
    ).toEqual([
      ['c/items.ndjson', 3],
      ['c/items.ndjson', 4],
    ]);
  });

  it('tells onBytesRead the bytes read so far of the files it reads, up to their summed size', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'c'));
    await mkdir(join(root, '.hidden'));
    const collectionLine = '{"type":"Collection","id":"c"}\n';
    const itemLines = '{"type":"Feature","id":"a"}\n{"type":"Feature","id":"b"}\n';
    await writeFile(join(root, 'collections.ndjson'), collectionLine);
    await writeFile(join(root, 'c', 'items.ndjson'), itemLines);
    await writeFile(join(root, '.hidden', 'items.ndjson'), '{"type":"Feature","id":"hidden"}\n');
    const calls: [number, number][] = [];
    const found = await collect(
      readNdjsonDir(root, { onBytesRead: (read, total) => calls.push([read, total]) }),
    );
    expect(found).toHaveLength(3);
    const total = Buffer.byteLength(collectionLine) + Buffer.byteLength(itemLines);
    expect(calls).toEqual([
      [Buffer.byteLength(collectionLine), total],
      [total, total],
    ]);
  });

  it('throws SCM_INPUT_NOT_FOUND for a missing folder', async () => {
    try {
      await collect(readNdjsonDir(join(await tempDir(), 'nope')));
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_INPUT_NOT_FOUND');
    }
  });
});
