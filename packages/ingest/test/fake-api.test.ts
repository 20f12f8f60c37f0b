// The harvest against the in-process fake STAC API of @scm/testing, through the real HTTP client of @scm/http.
import { type Failure, isFailure, type StacItem } from '@scm/core';
import { createHttpClient } from '@scm/http';
import { type FakeStacApi, type FakeStacApiOptions, memoryLogger, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchItems, type HarvestOptions, harvest, harvestRange } from '../src/index.js';

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function start(options: FakeStacApiOptions): Promise<FakeStacApi> {
  const api = await startFakeStacApi(options);
  apis.push(api);
  return api;
}

/** Harvests `collection` from the API and returns what came, with the log. */
async function harvestAll(api: FakeStacApi, collection: string, options: Partial<HarvestOptions> = {}) {
  const logger = memoryLogger();
  const client = createHttpClient({
    concurrency: 4,
    maxAttempts: 10,
    timeoutMs: 400,
    backoff: { baseMs: 5, maxMs: 40 },
    maxRetryAfterMs: 50,
    logger,
  });
  const items: StacItem[] = [];
  const failures: Failure[] = [];
  try {
    for await (const entry of fetchItems({
      client,
      catalogUrl: api.apiUrl('LPCLOUD'),
      collections: [collection],
      concurrency: 4,
      logger,
      ...options,
    })) {
      if (isFailure(entry)) failures.push(entry);
      else items.push(entry);
    }
  } finally {
    await client.close();
  }
  return { items, failures, logger, stats: client.stats() };
}

const sortedIds = (items: StacItem[]) => items.map((i) => i.id).sort();

describe('harvest against the fake STAC API at 10% injected faults', () => {
  for (const style of ['cmr-stac', 'earth-search', 'planetary-computer'] as const) {
    it(`${style}: every item exactly once, retries logged, nothing hangs`, async () => {
      const api = await start({
        style,
        collections: [{ id: 'HLSS30_2.0', count: 1200 }],
        pageCap: 50,
        faults: { rate: 0.1, seed: 7, retryAfterSeconds: 0, slowMs: 1000 },
      });
      const { items, failures, logger, stats } = await harvestAll(api, 'HLSS30_2.0', { limit: 50 });
      expect(failures).toEqual([]);
      expect(sortedIds(items)).toEqual([...api.itemIds('HLSS30_2.0')].sort());
      expect(api.requests.filter((r) => r.fault).length).toBeGreaterThan(3);
      expect(stats.retries).toBeGreaterThan(3);
      expect(
        logger.lines.filter((l) => l.level === 'warn' && /retr/i.test(l.message)).length,
      ).toBeGreaterThan(3);
    });
  }

  for (const [faults, outcome] of [
    [10, 'recovers'],
    [20, 'fails'],
  ] as const) {
    it(`a page failing on all 10 attempts ${outcome} on its one more try after the cool-down`, async () => {
      const api = await start({
        style: 'cmr-stac',
        collections: [{ id: 'HLSS30_2.0', count: 600 }],
        pageCap: 50,
        faults: {
          rules: [{ match: (r) => r.url.includes('cursor='), faults: Array(faults).fill('503') }],
          retryAfterSeconds: 0,
        },
      });
      const { items, failures, logger } = await harvestAll(api, 'HLSS30_2.0', {
        limit: 50,
        retryCoolDownMs: 100,
      });
      const target = api.requests.find((r) => r.fault)?.url;
      expect(api.requests.filter((r) => r.url === target)).toHaveLength(outcome === 'fails' ? 20 : 11);
      expect(logger.lines.filter((l) => /cool-down/.test(l.message))).toHaveLength(1);
      if (outcome === 'recovers') {
        expect(failures).toEqual([]);
        expect(sortedIds(items)).toEqual([...api.itemIds('HLSS30_2.0')].sort());
      } else {
        expect(failures).toHaveLength(1);
        expect(failures[0]).toMatchObject({
          error_type: 'api_error',
          error_context: { details: { status: 503, attempts: 10 } },
        });
        expect(items.length).toBeLessThan(600);
      }
    });
  }

  it('asks for the collection and its first page while the landing page is on its way, each once', async () => {
    const api = await start({
      style: 'cmr-stac',
      collections: [{ id: 'HLSS30_2.0', count: 10 }],
      latencyMs: 300,
    });
    const client = createHttpClient({ concurrency: 4 });
    const started = performance.now();
    let collectionAfterMs = 0;
    let pageAfterMs = 0;
    for await (const event of harvest({
      client,
      catalogUrl: api.apiUrl('LPCLOUD'),
      collections: ['HLSS30_2.0'],
    })) {
      if (event.type === 'collection') collectionAfterMs = performance.now() - started;
      if (event.type === 'page') pageAfterMs ||= performance.now() - started;
    }
    await client.close();
    // One round trip, not two in a row.
    expect(collectionAfterMs).toBeGreaterThan(250);
    expect(collectionAfterMs).toBeLessThan(550);
    expect(pageAfterMs).toBeLessThan(550);
    expect(api.requests.filter((r) => r.url.endsWith('/collections/HLSS30_2.0'))).toHaveLength(1);
    expect(api.requests.filter((r) => r.url.includes('/search?') && !r.url.includes('cursor='))).toHaveLength(
      1,
    );
  });

  it('sequential and partitioned fetches of the same collection give the same set', async () => {
    const api = await start({ style: 'earth-search', collections: [{ id: 'c', count: 700 }], pageCap: 40 });
    const partitioned = await harvestAll(api, 'c', { limit: 40 });
    const sequential = await harvestAll(api, 'c', { limit: 40, partition: false });
    expect(sortedIds(partitioned.items)).toEqual(sortedIds(sequential.items));
    expect(sequential.items).toHaveLength(700);
  });
});

describe('paging quirks of real servers', () => {
  it('duplicates across pages (Planetary Computer #163) are dropped', async () => {
    const api = await start({
      style: 'planetary-computer',
      collections: [{ id: 'c', count: 300 }],
      duplicatesAcrossPages: true,
    });
    const { items } = await harvestAll(api, 'c', { limit: 25, partition: false });
    expect(sortedIds(items)).toEqual([...api.itemIds('c')].sort());
  });

  it('a page that repeats the previous one and links to itself (CMR-STAC #353) stops the chain, reported, without duplicates', async () => {
    const api = await start({ style: 'cmr-stac', collections: [{ id: 'c', count: 300 }], repeatPageAt: 3 });
    const { items, failures, logger } = await harvestAll(api, 'c', { limit: 25, partition: false });
    expect(failures).toEqual([]);
    expect(sortedIds(items)).toEqual(api.itemIds('c').slice(0, 50).sort());
    expect(logger.lines.some((l) => l.message.startsWith('loop guard'))).toBe(true);
  });

  it('a next link looping back to the first page is cut and reported, without duplicates', async () => {
    const api = await start({
      style: 'earth-search',
      collections: [{ id: 'c', count: 300 }],
      nextLinkLoopAt: 4,
    });
    const { items, logger } = await harvestAll(api, 'c', { limit: 25, partition: false });
    expect(new Set(sortedIds(items)).size).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(100);
    expect(logger.lines.some((l) => l.message.startsWith('loop guard'))).toBe(true);
  });

  it('CMR-STAC: a limit above its maximum is refused (400) and 100 is used; ids with "/" and spaces are encoded', async () => {
    const id = '10.3334/cdiac/otg.vos_alligatorhope_1999-2001_Not applicable';
    const api = await start({ style: 'cmr-stac', collections: [{ id, count: 230 }] });
    const { items, failures } = await harvestAll(api, id, { limit: 10000, partition: false });
    expect(failures).toEqual([]);
    expect(items).toHaveLength(230);
    expect(api.requests.some((r) => r.status === 400)).toBe(true);
  });
});

describe("a datetime filter outside a collection's temporal extent (issue 10)", () => {
  const day = 86_400_000;
  it('harvestRange: a filter before or after the extent is an empty range, never a reversed one', () => {
    const extent = { start: 10 * day, end: 20 * day };
    expect(harvestRange(extent, { start: 30 * day, end: 40 * day })).toEqual({ empty: true });
    expect(harvestRange(extent, { start: 1 * day, end: 5 * day })).toEqual({ empty: true });
    expect(harvestRange({ start: 10 * day }, { start: 50 * day }, 20 * day)).toEqual({ empty: true });
    expect(harvestRange(extent, { start: 20 * day, end: 40 * day })).toEqual({
      start: 20 * day,
      end: 20 * day,
    });
    expect(harvestRange(extent, { start: 15 * day })).toEqual({ start: 15 * day, end: 20 * day });
  });

  for (const partition of [true, false]) {
    it(`fetches nothing from that collection, without error, and the others in full (partition: ${partition})`, async () => {
      const api = await start({
        style: 'earth-search',
        collections: [
          { id: 'old', count: 50, start: '2016-01-01T00:00:00Z', end: '2017-01-01T00:00:00Z' },
          { id: 'new', count: 80, start: '2022-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' },
        ],
      });
      const logger = memoryLogger();
      const client = createHttpClient({ concurrency: 2, maxAttempts: 2, timeoutMs: 5000, logger });
      const run = harvest({
        client,
        catalogUrl: api.apiUrl('LPCLOUD'),
        collections: ['old', 'new'],
        datetime: '2022-03-01T00:00:00Z/2022-12-31T23:59:59Z',
        partition,
        logger,
      });
      const items: StacItem[] = [];
      try {
        for await (const event of run) {
          expect(event.type).not.toBe('failure');
          if (event.type === 'page') items.push(...event.items);
          run.state.apply(event);
        }
      } finally {
        await client.close();
      }
      expect(items.every((i) => i.collection === 'new')).toBe(true);
      expect(items.length).toBeGreaterThan(0);
      expect(run.state.incomplete()).toEqual([]);
      expect(api.requests.every((r) => r.status !== 400)).toBe(true);
      const searches = api.requests.filter((r) => /\/search|\/items/.test(r.url));
      expect(
        searches.some((r) => r.url.includes('old') || JSON.stringify(r.body ?? '').includes('old')),
      ).toBe(false);
    });
  }
});
