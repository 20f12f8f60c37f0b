/**
 * Discovery over real HTTP against the fake STAC API of `@scm/testing`, in
 * each of its styles (CMR-STAC's provider catalogs and cursor-paged
 * collection lists, Earth Search, Planetary Computer), with 10% of requests
 * meeting a transient fault (429/5xx, slow, reset, truncated JSON) that the
 * `@scm/http` client retries.
 */
import { createHttpClient } from '@scm/http';
import { type FakeStacStyle, memoryLogger, startFakeStacApi } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import { discoverCollections } from '../src/index.js';

const SLASHED = '10.3334/cdiac/otg.vos_alligatorhope_1999-2001_Not applicable';
const IDS = [...Array.from({ length: 12 }, (_, i) => `HLS${String(i).padStart(2, '0')}_2.0`), SLASHED];

async function discoverFrom(style: FakeStacStyle, options: { ids?: string[]; seed?: number } = {}) {
  const api = await startFakeStacApi({
    style,
    collections: IDS.map((id) => ({ id, count: 1 })),
    providers: { LPCLOUD: IDS.slice(0, 8), ORNL_CLOUD: IDS.slice(8) },
    // 10% at random, plus one of each kind early on so that every style meets them all.
    faults: {
      rate: 0.1,
      seed: options.seed ?? 7,
      schedule: { 2: '429', 4: 'truncated', 6: 'reset', 8: 'slow', 10: '503', 12: '500', 14: '504' },
      slowMs: 2_000,
      retryAfterSeconds: 1,
    },
  });
  const lines = memoryLogger();
  const http = createHttpClient({
    maxAttempts: 6,
    timeoutMs: 500,
    backoff: { baseMs: 10, maxMs: 50 },
    logger: lines,
  });
  try {
    const result = await discoverCollections({
      url: api.url,
      http,
      pageSize: 5,
      ...(options.ids ? { ids: options.ids } : {}),
    });
    const faults = api.requests.filter((r) => r.fault !== undefined).length;
    return { result, faults, retries: lines.lines.filter((l) => l.message.startsWith('retry ')), api };
  } finally {
    await http.close();
    await api.close();
  }
}

describe('discoverCollections against the fake STAC API with 10% transient faults', () => {
  for (const style of ['cmr-stac', 'earth-search', 'planetary-computer'] as const) {
    it(`${style}: every collection exactly once, each fault retried and logged`, async () => {
      // CMR-STAC pages its collection lists (5 a page here); the others list all at once, so there the
      // collections are read one by one by id, for enough requests to meet the faults.
      const { result, faults, retries } = await discoverFrom(style, style === 'cmr-stac' ? {} : { ids: IDS });

      expect(result.collections.map((c) => c.id).sort()).toEqual([...IDS].sort());
      expect(result.failures).toEqual([]);
      expect(faults).toBeGreaterThanOrEqual(7);
      expect(retries).toHaveLength(faults);
      expect(retries[0]?.context).toMatchObject({ reason: expect.any(String), wait_ms: expect.any(Number) });
    });
  }

  it('cmr-stac: names each collection by its provider catalog and skips ALL', async () => {
    const { result } = await discoverFrom('cmr-stac', { seed: 3 });

    expect(result.collections.find((c) => c.id === SLASHED)?.provider).toBe('ORNL_CLOUD');
    expect(result.collections.filter((c) => c.provider === 'LPCLOUD')).toHaveLength(8);
    expect(result.skippedVirtual).toHaveLength(1);
    expect(result.skippedVirtual[0]).toMatch(/\/ALL$/);
  });

  it('planetary-computer: reads a literal id with / and a space at its encoded path', async () => {
    const { result, api } = await discoverFrom('planetary-computer', { ids: [SLASHED], seed: 5 });

    expect(result.collections.map((c) => c.id)).toEqual([SLASHED]);
    expect(api.requests.map((r) => r.url)).toContain(
      '/api/stac/v1/collections/10.3334%2Fcdiac%2Fotg.vos_alligatorhope_1999-2001_Not%20applicable',
    );
  });
});
