// What a STAC API's conformance classes let an incremental harvest ask for, and how it asks.
import { createHttpClient } from '@scm/http';
import { type FakeStacApi, generateHlsItems, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  countItems,
  harvest,
  listItemIds,
  readLanding,
  searchCapabilities,
  updatedBeforeMembers,
  updatedSinceMembers,
} from '../src/index.js';

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

  it('builds the complement, an exclusive `updated <` filter, in either language', () => {
    expect(updatedBeforeMembers('GET', 'cql2-json', '2024-01-01T00:00:00Z')).toEqual({
      'filter-lang': 'cql2-json',
      filter: '{"op":"<","args":[{"property":"updated"},"2024-01-01T00:00:00Z"]}',
    });
    expect(updatedBeforeMembers('POST', 'cql2-text', "it's")).toEqual({
      'filter-lang': 'cql2-text',
      filter: "updated < 'it''s'",
    });
    // An id no item has makes the filter new to a server that keeps counts by query.
    expect(updatedBeforeMembers('POST', 'cql2-json', '2024-01-01T00:00:00Z', 'nonce')).toEqual({
      'filter-lang': 'cql2-json',
      filter: {
        op: 'and',
        args: [
          { op: '<', args: [{ property: 'updated' }, '2024-01-01T00:00:00Z'] },
          { op: '<>', args: [{ property: 'id' }, 'nonce'] },
        ],
      },
    });
    expect(updatedBeforeMembers('GET', 'cql2-text', '2024', 'n')).toEqual({
      'filter-lang': 'cql2-text',
      filter: "updated < '2024' AND id <> 'n'",
    });
  });
});

/** 240 HLS items of collection `c`, each with `properties.updated` one second after the one before. */
function stampedItems() {
  const items = [...generateHlsItems({ collection: 'c', count: 240, seed: 5 })];
  for (const [i, item] of items.entries())
    (item.properties as Record<string, unknown>).updated = new Date(
      Date.UTC(2024, 0, 1, 0, 0, i),
    ).toISOString();
  return items;
}

describe('narrowed harvests against the fake STAC API', () => {
  it('updatedSince fetches only the items stamped at or after the mark; listItemIds lists every id', async () => {
    const items = stampedItems();
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

  it("countItems reads the server's count of the items updated before a stamp, over the harvest's range", async () => {
    const items = stampedItems();
    const counting = await startFakeStacApi({
      collections: [{ id: 'c', items }],
      searchExtensions: { filter: true, fields: true },
    });
    const silent = await startFakeStacApi({
      style: 'planetary-computer',
      collections: [{ id: 'c', items }],
      searchExtensions: { filter: true, fields: true },
    });
    apis.push(counting, silent);
    const client = createHttpClient({ concurrency: 2, maxAttempts: 2, timeoutMs: 5000 });
    try {
      const endpoints = await readLanding(client, counting.apiUrl());
      const before = (items[200]!.properties as Record<string, unknown>).updated as string;
      for (const method of ['GET', 'POST'] as const)
        for (const filterLang of ['cql2-json', 'cql2-text'] as const)
          expect(
            await countItems({
              client,
              endpoints,
              collection: 'c',
              updatedBefore: before,
              method,
              filterLang,
            }),
          ).toBe(200);
      expect(await countItems({ client, endpoints, collection: 'c' })).toBe(240);
      // The same count asked twice is two queries the server has not seen (it cannot answer from a cache).
      counting.requests.length = 0;
      for (let i = 0; i < 2; i++)
        await countItems({ client, endpoints, collection: 'c', updatedBefore: before });
      const searches = counting.requests.filter((r) => r.url.includes('/search')).map((r) => r.url);
      expect(searches).toHaveLength(2);
      expect(searches[0]).not.toBe(searches[1]);
      // The count covers what the harvest would ask for: its datetime filter, and nothing outside the extent.
      const from = String(items[120]!.properties.datetime);
      const inRange = items.filter((i) => Date.parse(String(i.properties.datetime)) >= Date.parse(from));
      expect(inRange.length).toBeGreaterThan(0);
      expect(inRange.length).toBeLessThan(240);
      expect(await countItems({ client, endpoints, collection: 'c', datetime: `${from}/..` })).toBe(
        inRange.length,
      );
      expect(
        await countItems({
          client,
          endpoints,
          collection: 'c',
          datetime: '1990-01-01T00:00:00Z/1990-12-31T00:00:00Z',
        }),
      ).toBe(0);
      expect(
        counting.requests.every(
          (r) =>
            !/\/search/.test(r.url) ||
            /limit=1(&|$)/.test(r.url) ||
            (r.body as { limit?: number })?.limit === 1,
        ),
      ).toBe(true);
      // A server that does not count (stac-fastapi-pgstac with pgstac's context off) gives no number.
      const silentEndpoints = await readLanding(client, silent.apiUrl());
      expect(
        await countItems({ client, endpoints: silentEndpoints, collection: 'c', updatedBefore: before }),
      ).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
