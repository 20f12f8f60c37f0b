import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isScmError, type StacCatalog, type StacCollection, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { createJsonTreeWriter, type JsonTreeOptions, safePathSegment } from '../src/index.js';
import { goldenInput, linkProblems, linksWithRel, listFiles, readJson, sample, tempDir } from './helpers.js';

async function writeTree(options: Omit<JsonTreeOptions, 'root'> & { root?: string }, input = goldenInput()) {
  const root = options.root ?? join(await tempDir(), 'out');
  const writer = createJsonTreeWriter({ ...options, root });
  const paths: string[] = [];
  for (const collection of input.collections) paths.push(await writer.writeCollection(collection));
  for (const item of input.items) paths.push(await writer.writeItem(item));
  const result = await writer.finish();
  return { root, result, paths };
}

function minimalItem(id: string, collection?: string, extra: Partial<StacItem> = {}): StacItem {
  const item: StacItem = {
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    geometry: { type: 'Point', coordinates: [10, 20] },
    bbox: [10, 20, 10, 20],
    properties: { datetime: '2024-01-02T03:04:05Z' },
    links: [],
    assets: {},
    ...extra,
  };
  if (collection !== undefined) item.collection = collection;
  return item;
}

function minimalCollection(id: string, title?: string): StacCollection {
  const collection: StacCollection = {
    type: 'Collection',
    stac_version: '1.0.0',
    id,
    description: `collection ${id}`,
    license: 'CC-BY-4.0',
    extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
    links: [],
  };
  if (title !== undefined) collection.title = title;
  return collection;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
    expect.unreachable('expected a rejection');
  } catch (error) {
    expect(isScmError(error) && error.code).toBe(code);
  }
}

describe('JSON tree, organizeBy collection (golden)', () => {
  it('writes the STAC best-practice layout, byte for byte', async () => {
    const { root, result, paths } = await writeTree({ catalog: { title: 'Golden catalog' } });
    const files = listFiles(root);
    expect(files.join('\n')).toMatchInlineSnapshot(`
      "catalog.json
      landsat-c2-l2/LC09_L2SP_089088_20240417_02_T2/LC09_L2SP_089088_20240417_02_T2.json
      landsat-c2-l2/LC09_L2SP_089089_20240417_02_T1/LC09_L2SP_089089_20240417_02_T1.json
      landsat-c2-l2/LC09_L2SP_089090_20240417_02_T1/LC09_L2SP_089090_20240417_02_T1.json
      landsat-c2-l2/collection.json
      simple-collection/20201211_223832_CS2/20201211_223832_CS2.json
      simple-collection/collection.json"
    `);
    expect([...result.files].sort()).toEqual(files);
    expect(result).toMatchObject({
      written: 4,
      collections: 2,
      duplicatesDropped: 0,
      missingCollections: [],
    });
    expect(paths[0]).toBe('landsat-c2-l2/collection.json');
    expect(paths[2]).toBe(
      'landsat-c2-l2/LC09_L2SP_089090_20240417_02_T1/LC09_L2SP_089090_20240417_02_T1.json',
    );
    for (const file of files) {
      await expect(readFileSync(join(root, file), 'utf8')).toMatchFileSnapshot(
        `fixtures/golden/by-collection/${file}`,
      );
    }
  });

  it('links every file both ways with relative hrefs', async () => {
    const { root } = await writeTree({});
    expect(linkProblems(root)).toEqual([]);
  });

  it('replaces structural links, keeps the others, drops paging links', async () => {
    const input = goldenInput();
    const first = input.items[0]!;
    first.links.push(
      { rel: 'next', href: 'https://example.com/page/2' },
      { rel: 'prev', href: 'https://example.com/page/0' },
    );
    const { root } = await writeTree({}, input);
    const item = readJson<StacItem>(join(root, 'landsat-c2-l2', first.id, `${first.id}.json`));
    expect(item.links.map((link) => link.rel)).toEqual([
      'root',
      'parent',
      'collection',
      'cite-as',
      'via',
      'via',
      'preview',
    ]);
    expect(linksWithRel(item, 'via')[0]!.href).toMatch(/^https:\/\/landsatlook\.usgs\.gov\//);
    const collection = readJson<StacCollection>(join(root, 'landsat-c2-l2', 'collection.json'));
    expect(collection.links.map((link) => link.rel)).toEqual([
      'root',
      'parent',
      'items',
      'cite-as',
      'cite-as',
      'cite-as',
      'license',
      'describedby',
      'item',
      'item',
      'item',
    ]);
  });

  it('is the same when items come before their collection', async () => {
    const input = goldenInput();
    const early = await writeTree({});
    const root = join(await tempDir(), 'out');
    const writer = createJsonTreeWriter({ root });
    for (const item of input.items) await writer.writeItem(item);
    for (const collection of input.collections) await writer.writeCollection(collection);
    await writer.finish();
    expect(listFiles(root)).toEqual(listFiles(early.root));
    for (const file of listFiles(root)) {
      if (file === 'catalog.json') continue; // child links follow first mention
      expect(readFileSync(join(root, file), 'utf8')).toBe(readFileSync(join(early.root, file), 'utf8'));
    }
  });

  it('writes compact JSON when pretty is false', async () => {
    const { root } = await writeTree({ pretty: false });
    const text = readFileSync(join(root, 'catalog.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.trimEnd()).not.toContain('\n');
    expect(linkProblems(root)).toEqual([]);
  });

  it('leaves no temporary file behind', async () => {
    const { root } = await writeTree({});
    expect(
      listFiles(root).filter((file) => file.includes('.tmp') || file.split('/').pop()!.startsWith('.')),
    ).toEqual([]);
  });
});

describe('JSON tree, organizeBy catalog', () => {
  it('puts every item under the root catalog and keeps collections as children', async () => {
    const { root, result } = await writeTree({ organizeBy: 'catalog' });
    expect(listFiles(root)).toEqual([
      '20201211_223832_CS2/20201211_223832_CS2.json',
      'LC09_L2SP_089088_20240417_02_T2/LC09_L2SP_089088_20240417_02_T2.json',
      'LC09_L2SP_089089_20240417_02_T1/LC09_L2SP_089089_20240417_02_T1.json',
      'LC09_L2SP_089090_20240417_02_T1/LC09_L2SP_089090_20240417_02_T1.json',
      'catalog.json',
      'landsat-c2-l2/collection.json',
      'simple-collection/collection.json',
    ]);
    expect(result.written).toBe(4);
    const catalog = readJson<StacCatalog>(join(root, 'catalog.json'));
    expect(linksWithRel(catalog, 'child').map((l) => l.href)).toEqual([
      './landsat-c2-l2/collection.json',
      './simple-collection/collection.json',
    ]);
    expect(linksWithRel(catalog, 'item')).toHaveLength(4);
    const collection = readJson<StacCollection>(join(root, 'landsat-c2-l2/collection.json'));
    expect(linksWithRel(collection, 'item')).toEqual([]);
    const item = readJson<StacItem>(
      join(root, 'LC09_L2SP_089090_20240417_02_T1/LC09_L2SP_089090_20240417_02_T1.json'),
    );
    expect(linksWithRel(item, 'parent')[0]!.href).toBe('../catalog.json');
    expect(linksWithRel(item, 'collection')[0]!.href).toBe('../landsat-c2-l2/collection.json');
    expect(linkProblems(root)).toEqual([]);
    await expect(readFileSync(join(root, 'catalog.json'), 'utf8')).toMatchFileSnapshot(
      'fixtures/golden/by-catalog/catalog.json',
    );
  });

  it('keeps items with the same id in different collections apart', async () => {
    const input = {
      collections: [minimalCollection('a'), minimalCollection('b')],
      items: [minimalItem('same', 'a'), minimalItem('same', 'b'), minimalItem('same')],
    };
    const { root, result, paths } = await writeTree({ organizeBy: 'catalog' }, input);
    expect(result.written).toBe(3);
    expect(result.duplicatesDropped).toBe(0);
    expect(new Set(paths.slice(2)).size).toBe(3);
    expect(paths[2]).toBe('same/same.json');
    expect(paths[3]).toMatch(/^same~h[0-9a-f]{16}\/same~h[0-9a-f]{16}\.json$/);
    expect(linkProblems(root)).toEqual([]);
  });
});

describe('JSON tree, self-contained or published', () => {
  it('writes no self link without baseUrl (a relative self href fails the STAC 1.1.0 schema)', async () => {
    const { root, result } = await writeTree({});
    for (const file of result.files) expect(linksWithRel(readJson(join(root, file)), 'self')).toEqual([]);
  });

  for (const organizeBy of ['collection', 'catalog'] as const) {
    it(`makes every structural link absolute with baseUrl (${organizeBy})`, async () => {
      const baseUrl = 'https://data.example.com/stac';
      const { root } = await writeTree({ baseUrl, organizeBy });
      expect(linkProblems(root, baseUrl)).toEqual([]);
      const catalog = readJson<StacCatalog>(join(root, 'catalog.json'));
      expect(linksWithRel(catalog, 'self')[0]!.href).toBe('https://data.example.com/stac/catalog.json');
      expect(linksWithRel(catalog, 'root')[0]!.href).toBe('https://data.example.com/stac/catalog.json');
      expect(linksWithRel(catalog, 'child')[0]!.href).toBe(
        'https://data.example.com/stac/landsat-c2-l2/collection.json',
      );
      const folder = organizeBy === 'collection' ? 'simple-collection/' : '';
      const item = readJson<StacItem>(join(root, `${folder}20201211_223832_CS2/20201211_223832_CS2.json`));
      expect(linksWithRel(item, 'self')[0]!.href).toBe(
        `https://data.example.com/stac/${folder}20201211_223832_CS2/20201211_223832_CS2.json`,
      );
      expect(linksWithRel(item, 'collection')[0]!.href).toBe(
        'https://data.example.com/stac/simple-collection/collection.json',
      );
    });
  }

  it('keeps a detached item consistent when published', async () => {
    const baseUrl = 'https://data.example.com/stac/';
    const input = { collections: [], items: [minimalItem('lost-1', 'never-written')] };
    const { root } = await writeTree({ baseUrl }, input);
    expect(linkProblems(root, baseUrl)).toEqual([]);
    const item = readJson<StacItem>(join(root, 'never-written/lost-1/lost-1.json'));
    expect(linksWithRel(item, 'parent')[0]!.href).toBe('https://data.example.com/stac/catalog.json');
  });

  it('refuses a baseUrl that is not an absolute URL', () => {
    expect(() => createJsonTreeWriter({ root: '/tmp/x', baseUrl: 'not a url' })).toThrow(/absolute URL/);
  });
});

describe('JSON tree, items without a written collection', () => {
  const input = () => ({
    collections: [minimalCollection('known', 'Known')],
    items: [
      minimalItem('k1', 'known'),
      minimalItem('lost-1', 'never-written', {
        bbox: [1, 2, 3, 4],
        properties: { datetime: '2020-01-01T00:00:00Z' },
      }),
      minimalItem('lost-2', 'never-written', {
        bbox: [-5, -6, 0, 1],
        properties: {
          datetime: null,
          start_datetime: '2019-06-01T00:00:00Z',
          end_datetime: '2021-02-03T00:00:00Z',
        },
      }),
      sample<StacItem>('stac-spec-collectionless-item.json'),
    ],
  });

  it('links them from the root catalog by default, without a dangling collection reference', async () => {
    const { root, result } = await writeTree({}, input());
    expect(result.missingCollections).toEqual([{ id: 'never-written', items: 2 }]);
    expect(result.placeholderCollections).toEqual([]);
    expect(result.collections).toBe(1);
    expect(listFiles(root)).toEqual([
      'CS3-20160503_132131_08/CS3-20160503_132131_08.json',
      'catalog.json',
      'known/collection.json',
      'known/k1/k1.json',
      'never-written/lost-1/lost-1.json',
      'never-written/lost-2/lost-2.json',
    ]);
    const catalog = readJson<StacCatalog>(join(root, 'catalog.json'));
    expect(linksWithRel(catalog, 'child').map((l) => [l.href, l.title])).toEqual([
      ['./known/collection.json', 'Known'],
    ]);
    expect(linksWithRel(catalog, 'item').map((l) => l.href)).toEqual([
      './never-written/lost-1/lost-1.json',
      './never-written/lost-2/lost-2.json',
      './CS3-20160503_132131_08/CS3-20160503_132131_08.json',
    ]);
    const lost = readJson<StacItem>(join(root, 'never-written/lost-1/lost-1.json'));
    expect(lost.collection).toBeUndefined();
    expect(linksWithRel(lost, 'collection')).toEqual([]);
    expect(linksWithRel(lost, 'parent')[0]!.href).toBe('../../catalog.json');
    const collectionless = readJson<StacItem>(
      join(root, 'CS3-20160503_132131_08/CS3-20160503_132131_08.json'),
    );
    expect(collectionless.links.map((l) => l.rel)).toEqual(['root', 'parent', 'alternate', 'license']);
    expect(linkProblems(root)).toEqual([]);
  });

  it('writes a placeholder collection when asked', async () => {
    const { root, result } = await writeTree({ missingCollections: 'placeholder' }, input());
    expect(result.missingCollections).toEqual([{ id: 'never-written', items: 2 }]);
    expect(result.placeholderCollections).toEqual(['never-written']);
    expect(result.collections).toBe(2);
    const placeholder = readJson<StacCollection>(join(root, 'never-written/collection.json'));
    expect(placeholder).toMatchObject({
      type: 'Collection',
      id: 'never-written',
      license: 'other',
      extent: {
        spatial: { bbox: [[-5, -6, 3, 4]] },
        temporal: { interval: [['2019-06-01T00:00:00Z', '2021-02-03T00:00:00Z']] },
      },
    });
    expect(linksWithRel(placeholder, 'item')).toHaveLength(2);
    const lost = readJson<StacItem>(join(root, 'never-written/lost-1/lost-1.json'));
    expect(lost.collection).toBe('never-written');
    expect(linkProblems(root)).toEqual([]);
  });

  it('also handles missing collections in the catalog layout', async () => {
    const { root, result } = await writeTree({ organizeBy: 'catalog' }, input());
    expect(result.missingCollections).toEqual([{ id: 'never-written', items: 2 }]);
    const lost = readJson<StacItem>(join(root, 'lost-1/lost-1.json'));
    expect(lost.collection).toBeUndefined();
    expect(linksWithRel(lost, 'collection')).toEqual([]);
    expect(linkProblems(root)).toEqual([]);
  });
});

describe('JSON tree, duplicates', () => {
  it('keeps the first item and the first collection with an id, and reports the rest', async () => {
    const input = {
      collections: [minimalCollection('c', 'first'), minimalCollection('c', 'second')],
      items: [
        minimalItem('x', 'c', { properties: { datetime: '2020-01-01T00:00:00Z', n: 1 } }),
        minimalItem('x', 'c', { properties: { datetime: '2020-01-01T00:00:00Z', n: 2 } }),
        minimalItem('x', 'other'),
        minimalItem('y'),
        minimalItem('y'),
      ],
    };
    const { root, result, paths } = await writeTree({ missingCollections: 'placeholder' }, input);
    expect(result.written).toBe(3);
    expect(result.duplicatesDropped).toBe(3);
    expect(result.duplicates).toEqual([
      { type: 'Collection', id: 'c' },
      { type: 'Feature', id: 'x', collection: 'c' },
      { type: 'Feature', id: 'y' },
    ]);
    expect(paths[3]).toBe(paths[2]);
    expect(readJson<StacItem>(join(root, 'c/x/x.json')).properties.n).toBe(1);
    expect(readJson<StacCollection>(join(root, 'c/collection.json')).title).toBe('first');
    expect(linksWithRel(readJson(join(root, 'c/collection.json')), 'item')).toHaveLength(1);
    expect(linkProblems(root)).toEqual([]);
  });
});

describe('JSON tree, unsafe ids', () => {
  const evil = [
    '../../escape',
    'a/b',
    '..',
    '.',
    '',
    'con',
    'CON',
    'aux.json',
    'collection.json',
    'catalog.json',
    'x'.repeat(400),
    `${'x'.repeat(400)}-2`,
    'é/ü',
    '日本語',
    'A',
    'a',
    '/etc/passwd',
    'C:\\Windows',
    'tab\there',
    'spaced out ',
  ];

  for (const organizeBy of ['collection', 'catalog'] as const) {
    it(`never writes outside the root and keeps self links valid (${organizeBy})`, async () => {
      const base = await tempDir();
      const root = join(base, 'nested', 'out');
      const input = {
        collections: [
          minimalCollection('../../evil'),
          minimalCollection('CATALOG.JSON'),
          minimalCollection('a/b'),
        ],
        items: [
          ...evil.map((id) => minimalItem(id, '../../evil')),
          ...evil.map((id) => minimalItem(id, 'a/b')),
          ...evil.map((id) => minimalItem(id)),
          minimalItem('in-a-lost-one', '../../lost'),
        ],
      };
      const baseUrl = 'https://data.example.com/stac';
      const { result, paths } = await writeTree({ root, organizeBy, baseUrl }, input);
      expect(listFiles(base).every((file) => file.startsWith('nested/out/'))).toBe(true);
      expect(result.written).toBe(evil.length * 3 + 1);
      expect(result.duplicatesDropped).toBe(0);
      expect(new Set(paths).size).toBe(paths.length);
      const lowerCased = new Set(listFiles(root).map((file) => file.toLowerCase()));
      expect(lowerCased.size).toBe(listFiles(root).length);
      expect(listFiles(root)).toEqual([...result.files].sort());
      for (const path of paths) {
        for (const segment of path.split('/')) expect(segment).toMatch(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/);
        const doc = readJson<StacItem>(join(root, path));
        expect(linksWithRel(doc, 'self')[0]!.href).toBe(`${baseUrl}/${path}`);
      }
      expect(linkProblems(root, baseUrl)).toEqual([]);
      const selfContained = await writeTree({ root: join(base, 'relative'), organizeBy }, input);
      expect(linkProblems(selfContained.root)).toEqual([]);
    });
  }

  it('names a collection folder with safePathSegment', async () => {
    const { paths } = await writeTree({}, { collections: [minimalCollection('../../evil')], items: [] });
    expect(paths[0]).toBe(`${safePathSegment('../../evil')}/collection.json`);
    expect(paths[0]).toBe('~2E.~2F..~2Fevil/collection.json');
  });
});

describe('JSON tree, errors and the Sink interface', () => {
  it('refuses values that are not items or collections with SCM_OUTPUT_INVALID', async () => {
    const writer = createJsonTreeWriter({ root: join(await tempDir(), 'out') });
    await expectCode(writer.writeItem({ type: 'Feature' } as never), 'SCM_OUTPUT_INVALID');
    await expectCode(writer.writeCollection(minimalItem('x') as never), 'SCM_OUTPUT_INVALID');
  });

  it('refuses writes after finish with SCM_USAGE and returns the same result twice', async () => {
    const writer = createJsonTreeWriter({ root: join(await tempDir(), 'out') });
    const first = await writer.finish();
    expect(await writer.finish()).toBe(first);
    expect(first.files).toEqual(['catalog.json']);
    await expectCode(writer.writeItem(minimalItem('late')), 'SCM_USAGE');
  });

  it('reports SCM_OUTPUT_WRITE when the file system refuses, and leaves no link to the failed item', async () => {
    const root = join(await tempDir(), 'out');
    // A file where the collection folder should be makes every item write in it fail.
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'blocked'), 'not a folder');
    const writer = createJsonTreeWriter({ root });
    await expectCode(writer.writeItem(minimalItem('x', 'blocked')), 'SCM_OUTPUT_WRITE');
    await writer.writeItem(minimalItem('ok'));
    const result = await writer.finish();
    expect(result.written).toBe(1);
    expect(result.missingCollections).toEqual([]);
    expect(linksWithRel(readJson(join(root, 'catalog.json')), 'item').map((l) => l.href)).toEqual([
      './ok/ok.json',
    ]);
  });

  it('works as a Sink over an async iterable', async () => {
    const root = join(await tempDir(), 'out');
    const writer = createJsonTreeWriter({ root, concurrency: 3 });
    await writer.writeCollection(minimalCollection('c'));
    async function* items() {
      for (let i = 0; i < 50; i += 1) yield minimalItem(`item-${i}`, 'c');
    }
    const result = await writer.write(items());
    expect(result.written).toBe(50);
    const collection = readJson<StacCollection>(join(root, 'c/collection.json'));
    expect(linksWithRel(collection, 'item').map((l) => l.href)).toEqual(
      Array.from({ length: 50 }, (_, i) => `./item-${i}/item-${i}.json`),
    );
    expect(linkProblems(root)).toEqual([]);
  });

  it('stops on an aborted signal with SCM_ABORTED', async () => {
    const writer = createJsonTreeWriter({ root: join(await tempDir(), 'out') });
    const controller = new AbortController();
    controller.abort();
    await expectCode(writer.write([minimalItem('a')], { signal: controller.signal }), 'SCM_ABORTED');
  });
});
