// What a STAC API's conformance classes let an incremental harvest ask for, and how it asks.
import { createHttpClient } from '@scm/http';
import { type FakeStacApi, generateHlsItems, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { harvest, listItemIds, searchCapabilities, updatedSinceMembers } from '../src/index.js';

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

describe('searchCapabilities', () => {
  it('reads the filter language and the fields extension from conformance classes (stac-fastapi-pgstac)', () => {
    const pgstac = [
      'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
      'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
      'https://api.stacspec.org/v1.0.0-rc.2/item-search#filter',
      'https://api.stacspec.org/v1.0.0/item-search#fields',
      'https://api.stacspec.org/v1.0.0-rc.1/collection-search#filter',
    ];
    expect(searchCapabilities(pgstac)).toEqual({ filterLang: 'cql2-json', fields: true });
    expect(searchCapabilities(pgstac.filter((c) => !c.endsWith('cql2-json')))).toEqual({
      filterLang: 'cql2-text',
      fields: true,
    });
    // Collection search filtering is not item search filtering.
    expect(searchCapabilities(pgstac.filter((c) => !c.includes('item-search')))).toEqual({ fields: false });
    expect(searchCapabilities([])).toEqual({ fields: false });
  });

  it('builds an inclusive `updated >=` filter in either language, quoting text literals', () => {
    expect(updatedSinceMembers('POST', 'cql2-json', '2024-01-01T00:00:00Z')).toEqual({
      'filter-lang': 'cql2-json',
      filter: { op: '>=', args: [{ property: 'updated' }, '2024-01-01T00:00:00Z'] },
    });
    expect(updatedSinceMembers('GET', 'cql2-text', "it's")).toEqual({
      'filter-lang': 'cql2-text',
      filter: "updated >= 'it''s'",
    });
  });
});

describe('narrowed harvests against the fake STAC API', () => {
  it('updatedSince fetches only the items stamped at or after the mark; listItemIds lists every id', async () => {
    const items = [...generateHlsItems({ collection: 'c', count: 240, seed: 5 })];
    for (const [i, item] of items.entries())
      (item.properties as Record<string, unknown>).updated = new Date(
        Date.UTC(2024, 0, 1, 0, 0, i),
      ).toISOString();
    const api = await startFakeStacApi({
      collections: [{ id: 'c', items }],
      searchExtensions: { filter: true, fields: true },
    });
    apis.push(api);
    const client = createHttpClient({ concurrency: 2, maxAttempts: 2, timeoutMs: 5000 });
    try {
      const since = (items[200]!.properties as Record<string, unknown>).updated as string;
      const fetched: string[] = [];
      for (const method of ['GET', 'POST'] as const) {
        fetched.length = 0;
        const run = harvest({
          client,
          catalogUrl: api.apiUrl(),
          collections: ['c'],
          updatedSince: { c: since },
          method,
          limit: 25,
        });
        for await (const event of run)
          if (event.type === 'page') fetched.push(...event.items.map((i) => i.id));
        expect(fetched.sort()).toEqual(
          items
            .slice(200)
            .map((i) => i.id)
            .sort(),
        );
      }
      const listing = await listItemIds({ client, catalogUrl: api.apiUrl(), collections: ['c'], limit: 25 });
      expect(listing).toMatchObject({ complete: true, count: 240 });
      expect(items.every((i) => listing.ids.get('c')!.has(i.id))).toBe(true);
      expect(listing.ids.get('c')!.has('not-there')).toBe(false);
    } finally {
      await client.close();
    }
  });
});
