import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticCatalog } from '../src/index.js';
import { drain, fixture, rejection } from './helpers.js';

describe('readStaticCatalog', () => {
  it('walks child and item links depth first, once per file, inside the root folder only', async () => {
    const root = fixture('catalog', 'catalog.json');
    const warnings: { message: string; href?: string }[] = [];
    const { records, failures, sequence } = await drain(
      readStaticCatalog(root, {
        onWarning: (message, context) => warnings.push({ message, href: context.href }),
      }),
    );
    expect(records.map((r) => [r.value.type, r.value.id, r.origin.file])).toEqual([
      ['Catalog', 'examples', root],
      ['Collection', 'simple-collection', fixture('catalog', 'simple-collection', 'collection.json')],
      ['Feature', '20201211_223832_CS2', fixture('catalog', 'simple-collection', 'simple-item.json')],
      ['Feature', '20201211_223832_CS2', fixture('catalog', 'simple-collection', 'core-item.json')],
      ['Feature', '20201211_223832_CS2', fixture('catalog', 'simple-collection', 'extended-item.json')],
      ['Collection', 'sentinel-2', fixture('catalog', 'collection-only', 'collection.json')],
      ['Feature', 'CS3-20160503_132131_08', fixture('catalog', 'collectionless-item.json')],
    ]);
    // The missing child is a Failure in walk order; the cycle back to catalog.json and the repeated item are skipped.
    expect(sequence.findIndex((x) => !('origin' in x))).toBe(6);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error_context).toMatchObject({
      step: 'read',
      file: fixture('catalog', 'missing', 'collection.json'),
      details: { file: root, rel: 'child', href: './missing/collection.json' },
    });
    expect(failures[0]!.error_message).toContain('not found');
    expect(warnings.map((w) => w.href)).toEqual([
      'https://example.com/remote/catalog.json',
      '../outside/collection.json',
    ]);
    expect(warnings[1]!.message).toContain('outside the catalog folder');
  });

  it('says which forbidden members of a catalog file it dropped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scm-catalog-drop-'));
    const root = join(dir, 'catalog.json');
    await writeFile(
      root,
      JSON.stringify({
        type: 'Catalog',
        id: 'c',
        stac_version: '1.0.0',
        description: 'd',
        links: [],
      }).replace('"links"', '"__proto__": {"polluted": true}, "links"'),
    );
    const warnings: unknown[] = [];
    const { records } = await drain(
      readStaticCatalog(root, { onWarning: (_m, context) => warnings.push(context) }),
    );
    expect(records[0]!.value).not.toHaveProperty('polluted');
    expect(Object.hasOwn(records[0]!.value, '__proto__')).toBe(false);
    expect(warnings).toEqual([{ file: root, line: 1, dropped: ['/__proto__'] }]);
  });

  it('follows a link outside the root only with allowOutsideRoot', async () => {
    const { records } = await drain(readStaticCatalog(fixture('catalog'), { allowOutsideRoot: true }));
    expect(records.map((r) => r.value.id)).toContain('outside');
    expect(records[0]!.origin.file).toBe(fixture('catalog', 'catalog.json'));
  });

  it('starts from a collection.json and keeps relative display paths', async () => {
    const { records } = await drain(
      readStaticCatalog(fixture('catalog', 'simple-collection', 'collection.json')),
    );
    // catalog.json is reachable through a child link but lies outside this root's folder.
    expect(records.map((r) => r.value.type)).toEqual(['Collection', 'Feature', 'Feature', 'Feature']);
  });

  describe('other inputs', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'scm-input-stac-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('walks a local copy of a published catalog (absolute links under its self URL)', async () => {
      const base = 'https://stac.example.com/pub/';
      const published = join(dir, 'published');
      await mkdir(join(published, 'c', 'i'), { recursive: true });
      const link = (rel: string, path: string) => ({ rel, href: `${base}${path}` });
      const write = (path: string, value: object) => writeFile(join(published, path), JSON.stringify(value));
      await write('catalog.json', {
        type: 'Catalog',
        id: 'pub',
        links: [
          link('self', 'catalog.json'),
          link('child', 'c/collection.json'),
          link('child', 'x/../../y.json'),
        ],
      });
      await write('c/collection.json', {
        type: 'Collection',
        id: 'c',
        links: [
          link('self', 'c/collection.json'),
          link('item', 'c/i/i.json'),
          { rel: 'item', href: 'https://elsewhere.org/i.json' },
        ],
      });
      await write('c/i/i.json', { type: 'Feature', id: 'i', links: [link('self', 'c/i/i.json')] });
      const warnings: string[] = [];
      const { records } = await drain(
        readStaticCatalog(published, { onWarning: (_message, context) => warnings.push(context.href ?? '') }),
      );
      expect(records.map((r) => [r.value.id, r.origin.file])).toEqual([
        ['pub', join(published, 'catalog.json')],
        ['c', join(published, 'c', 'collection.json')],
        ['i', join(published, 'c', 'i', 'i.json')],
      ]);
      expect(warnings).toEqual([`${base}x/../../y.json`, 'https://elsewhere.org/i.json']);
    });

    it('reads an ItemCollection file and an NDJSON file of items', async () => {
      const ic = await drain(readStaticCatalog(fixture('json', 'item-collection.json')));
      expect(ic.records.map((r) => r.value.id)).toEqual(['item-1', 'item-2', 'item-3']);
      const items = join(dir, 'items.ndjson');
      await writeFile(items, '{"type":"Feature","id":"x"}\n{"type":"Feature","id":"y"}\n');
      const nd = await drain(readStaticCatalog(items));
      expect(nd.records.map((r) => [r.value.id, r.origin.line])).toEqual([
        ['x', 1],
        ['y', 2],
      ]);
    });

    it('yields a Failure for a linked file that is not JSON, and resolves file: URLs and %-escapes', async () => {
      await writeFile(join(dir, 'broken.json'), '{ not json');
      await writeFile(
        join(dir, 'my item.json'),
        JSON.stringify({ type: 'Feature', id: 'spaced', links: [] }),
      );
      const catalog = {
        type: 'Catalog',
        id: 'tmp',
        description: 'd',
        stac_version: '1.0.0',
        links: [
          { rel: 'item', href: './broken.json' },
          { rel: 'item', href: './my%20item.json' },
          { rel: 'child', href: new URL(`file://${join(dir, 'my item.json')}`).href },
          { rel: 'item', href: 42 },
        ],
      };
      await writeFile(join(dir, 'catalog.json'), JSON.stringify(catalog));
      const warnings: string[] = [];
      const { records, failures } = await drain(
        readStaticCatalog(join(dir, 'catalog.json'), { onWarning: (m) => warnings.push(m) }),
      );
      expect(records.map((r) => r.value.id)).toEqual(['tmp', 'spaced']);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.error_message).toContain('is not valid JSON');
      expect(failures[0]!.error_message).toContain('(item link "./broken.json" in');
      expect(warnings).toEqual([`a "item" link in ${join(dir, 'catalog.json')} has no href`]);
    });

    it('throws for a missing root and a folder without a catalog; a root that is not JSON is a Failure', async () => {
      expect((await rejection(drain(readStaticCatalog(join(dir, 'nope.json'))))).code).toBe(
        'SCM_INPUT_NOT_FOUND',
      );
      const empty = await mkdtemp(join(dir, 'empty-'));
      const noCatalog = await rejection(drain(readStaticCatalog(empty)));
      expect(noCatalog.code).toBe('SCM_INPUT_NOT_FOUND');
      expect(noCatalog.message).toContain('no catalog.json or collection.json');
      const badRoot = await drain(readStaticCatalog(join(dir, 'broken.json')));
      expect(badRoot.records).toEqual([]);
      expect(badRoot.failures).toHaveLength(1);
      expect(badRoot.failures[0]).toMatchObject({
        error_type: 'parse_error',
        error_context: { step: 'read', file: join(dir, 'broken.json') },
      });
    });
  });
});
