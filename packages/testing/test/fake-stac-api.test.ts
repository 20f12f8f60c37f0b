import { afterEach, describe, expect, it } from 'vitest';
import { type FakeStacApi, type FakeStacApiOptions, startFakeStacApi } from '../src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: responses are free-form JSON; the assertions check their shape.
type Json = any;
const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function start(options: FakeStacApiOptions): Promise<FakeStacApi> {
  const api = await startFakeStacApi(options);
  apis.push(api);
  return api;
}

async function get(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const nextOf = (page: Json) => (page.links as Json[]).find((l) => l.rel === 'next');

/** Follows next links (GET, or POST with body) from a first page; returns every page. */
async function walk(first: Json): Promise<Json[]> {
  const pages = [first];
  for (let link = nextOf(first); link; link = nextOf(pages.at(-1) as Json)) {
    const page = link.method === 'POST' ? await post(link.href, link.body) : await get(link.href);
    expect(page.status).toBe(200);
    pages.push(page.body);
    if (pages.length > 100) throw new Error('no end');
  }
  return pages;
}

const ids = (pages: Json[]) => pages.flatMap((p) => (p.features as Json[]).map((f) => f.id));
const collections = [
  { id: 'HLSS30_2.0', count: 45 },
  { id: 'HLSL30_2.0', count: 12, start: '2021-01-01T00:00:00Z', end: '2021-02-01T00:00:00Z' },
];

describe('startFakeStacApi: CMR-STAC style', () => {
  it('lists providers (and ALL) as children, and links collections with rel=data', async () => {
    const api = await start({
      style: 'cmr-stac',
      collections,
      providers: { LPCLOUD: ['HLSS30_2.0'], LPDAAC: ['HLSL30_2.0'] },
    });
    const root = (await get(api.url)).body;
    expect(root.links.filter((l: Json) => l.rel === 'child').map((l: Json) => l.href)).toEqual([
      `${api.url}/LPCLOUD`,
      `${api.url}/LPDAAC`,
      `${api.url}/ALL`,
    ]);
    const provider = (await get(`${api.url}/LPCLOUD`)).body;
    const data = provider.links.find((l: Json) => l.rel === 'data');
    expect((await get(data.href)).body.collections.map((c: Json) => c.id)).toEqual(['HLSS30_2.0']);
    const all = (await get(`${api.url}/ALL`)).body;
    expect(all.links.filter((l: Json) => l.rel === 'child').map((l: Json) => l.href)).toEqual([
      `${api.url}/LPCLOUD/collections/HLSS30_2.0`,
      `${api.url}/LPDAAC/collections/HLSL30_2.0`,
    ]);
    expect((await get(`${api.url}/ALL/search`)).status).toBe(404);
  });

  it('pages /items with cursors, self-only item links, counts, and a trailing empty page', async () => {
    const api = await start({ style: 'cmr-stac', collections });
    const first = await get(`${api.apiUrl()}/collections/HLSS30_2.0/items?limit=20`);
    expect(first.body).toMatchObject({
      numberMatched: 45,
      numberReturned: 20,
      context: { matched: 45, limit: 20 },
    });
    expect(first.body.features[0].links.map((l: Json) => l.rel)).toEqual(['self']);
    expect(nextOf(first.body).href).toMatch(/\/items\?limit=20&cursor=/);
    const pages = await walk(first.body);
    expect(pages.map((p) => p.features.length)).toEqual([20, 20, 5, 0]);
    expect(ids(pages)).toEqual(api.itemIds('HLSS30_2.0'));
  });

  it('answers a POST search with GET next links carrying the body in qs brackets', async () => {
    const api = await start({ style: 'cmr-stac', collections });
    const first = await post(`${api.apiUrl()}/search`, { collections: ['HLSS30_2.0'], limit: 30 });
    expect(Object.keys(first.body)).toEqual(['type', 'context', 'features', 'links']);
    const next = nextOf(first.body);
    expect(next.method).toBeUndefined();
    expect(decodeURIComponent(next.href)).toContain('collections[0]=HLSS30_2.0');
    expect(first.body.features[0].links.map((l: Json) => l.rel)).toEqual([
      'self',
      'parent',
      'collection',
      'root',
      'provider',
    ]);
    expect(ids(await walk(first.body))).toEqual(api.itemIds('HLSS30_2.0'));
  });

  it('caps pages at 100, rejects limits above 5000 and date-only datetimes', async () => {
    const api = await start({ style: 'cmr-stac', collections: [{ id: 'C', count: 150 }] });
    const capped = await get(`${api.apiUrl()}/search?collections=C&limit=250`);
    expect(capped.body.features).toHaveLength(100);
    expect(capped.body.context.limit).toBe(250);
    expect(await get(`${api.apiUrl()}/search?limit=6000`)).toMatchObject({
      status: 400,
      body: { errors: ['Limit must be between 0 and 5000'] },
    });
    expect((await get(`${api.apiUrl()}/search?datetime=2022-01-01`)).status).toBe(400);
    const strict = await start({ style: 'cmr-stac', rejectLimitAbove: 100 });
    expect((await get(`${strict.apiUrl()}/search?limit=101`)).status).toBe(400);
  });

  it('serves collection ids with / and spaces, encoded in paths', async () => {
    const id = '10.3334/cdiac/otg.vos_alligatorhope_1999-2001_Not applicable';
    const api = await start({ style: 'cmr-stac', collections: [{ id, count: 3 }] });
    const list = (await get(`${api.apiUrl()}/collections`)).body;
    const self = list.collections[0].links.find((l: Json) => l.rel === 'self').href;
    expect(self).toContain('10.3334%2Fcdiac%2Fotg.vos_alligatorhope_1999-2001_Not%20applicable');
    expect((await get(self)).body.id).toBe(id);
    expect((await get(`${self}/items`)).body.features).toHaveLength(3);
  });

  it('pages /collections with a cursor', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `C${i}`, count: 1 }));
    const api = await start({ style: 'cmr-stac', collections: many });
    const first = (await get(`${api.apiUrl()}/collections`)).body;
    const pages = await walk(first);
    expect(pages.flatMap((p) => p.collections.map((c: Json) => c.id))).toEqual(many.map((c) => c.id));
  });
});

describe('startFakeStacApi: Earth Search and Planetary Computer styles', () => {
  it('Earth Search: POST next links with body, merge:false and a next token; trailing empty page', async () => {
    const api = await start({ style: 'earth-search', collections });
    const first = await post(`${api.url}/search`, { collections: ['HLSS30_2.0'], limit: 20 });
    expect(first.body).toMatchObject({ numberMatched: 45, numberReturned: 20 });
    const next = nextOf(first.body);
    expect(next).toMatchObject({
      method: 'POST',
      merge: false,
      body: { collections: ['HLSS30_2.0'], limit: 20 },
    });
    expect(typeof next.body.next).toBe('string');
    const pages = await walk(first.body);
    expect(pages.map((p) => p.features.length)).toEqual([20, 20, 5, 0]);
    expect(ids(pages)).toEqual(api.itemIds('HLSS30_2.0'));
    const getFirst = await get(`${api.url}/collections/HLSS30_2.0/items?limit=20`);
    expect(nextOf(getFirst.body)).toMatchObject({ method: 'GET' });
    expect(nextOf(getFirst.body).href).toMatch(/[?&]next=/);
  });

  it('Planetary Computer: token=next:<collection>:<id> links, POST body without merge, no counts, no empty tail', async () => {
    const api = await start({ style: 'planetary-computer', collections });
    const first = await get(`${api.url}/collections/HLSS30_2.0/items?limit=20`);
    expect(first.body.numberMatched).toBeUndefined();
    expect(nextOf(first.body).href).toContain(
      `token=next%3AHLSS30_2.0%3A${encodeURIComponent(first.body.features[19].id)}`,
    );
    const pages = await walk(first.body);
    expect(pages.map((p) => p.features.length)).toEqual([20, 20, 5]);
    const searched = await post(`${api.url}/search`, { collections: ['HLSL30_2.0'], limit: 5 });
    const next = nextOf(searched.body);
    expect(next).toMatchObject({
      method: 'POST',
      body: { limit: 5, token: expect.stringMatching(/^next:HLSL30_2.0:/) },
    });
    expect('merge' in next).toBe(false);
    expect(ids(await walk(searched.body))).toEqual(api.itemIds('HLSL30_2.0'));
  });

  it('filters by datetime interval, bbox and ids', async () => {
    const api = await start({ style: 'earth-search', collections: [{ id: 'C', count: 100 }] });
    const all = (await get(`${api.url}/search?limit=1000`)).body.features as Json[];
    const window = `${all[10].properties.datetime}/${all[19].properties.datetime}`;
    const inWindow = await get(`${api.url}/search?limit=100&datetime=${encodeURIComponent(window)}`);
    expect(inWindow.body.features.map((f: Json) => f.id)).toEqual(all.slice(10, 20).map((f) => f.id));
    const open = await get(
      `${api.url}/search?limit=100&datetime=${encodeURIComponent(`../${all[4].properties.datetime}`)}`,
    );
    expect(open.body.numberMatched).toBe(5);
    const [w, s, e, n] = all[0].bbox;
    const boxed = await post(`${api.url}/search`, { bbox: [w + 0.1, s + 0.1, e - 0.1, n - 0.1], limit: 100 });
    expect(boxed.body.features.map((f: Json) => f.id)).toContain(all[0].id);
    expect(boxed.body.numberMatched).toBeLessThan(100);
    const byId = await get(`${api.url}/search?ids=${all[3].id},${all[7].id}`);
    expect(byId.body.features.map((f: Json) => f.id)).toEqual([all[3].id, all[7].id]);
  });
});

describe('startFakeStacApi: paging quirks', () => {
  const one = [{ id: 'C', count: 30 }];
  it('duplicatesAcrossPages repeats the previous page’s last item', async () => {
    const api = await start({ style: 'planetary-computer', collections: one, duplicatesAcrossPages: true });
    const pages = await walk((await get(`${api.url}/search?limit=10`)).body);
    expect(ids(pages)).toHaveLength(32);
    expect(new Set(ids(pages)).size).toBe(30);
  });

  it('repeatPageAt answers page n with page n-1 and the same next link', async () => {
    const api = await start({ style: 'earth-search', collections: one, repeatPageAt: 2 });
    const first = (await get(`${api.url}/search?limit=10`)).body;
    const second = (await get(nextOf(first).href)).body;
    expect(ids([second])).toEqual(ids([first]));
    expect(nextOf(second).href).toBe(nextOf(first).href);
  });

  it('nextLinkLoopAt points page n back to the first page', async () => {
    const api = await start({ style: 'cmr-stac', collections: one, nextLinkLoopAt: 2 });
    const first = (await get(`${api.apiUrl()}/search?limit=10`)).body;
    const second = (await get(nextOf(first).href)).body;
    expect(nextOf(second).href).toBe(`${api.apiUrl()}/search?limit=10`);
  });

  it('trailingEmptyPage can be switched off', async () => {
    const api = await start({ style: 'earth-search', collections: one, trailingEmptyPage: false });
    const pages = await walk((await get(`${api.url}/search?limit=10`)).body);
    expect(pages.map((p) => p.features.length)).toEqual([10, 10, 10]);
  });
});

describe('startFakeStacApi: faults', () => {
  it('injects scheduled faults and logs them with each request', async () => {
    const api = await start({
      faults: { schedule: { 1: '429', 2: '500', 3: '503', 4: '504', 5: 'truncated' }, retryAfterSeconds: 7 },
    });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await fetch(`${api.url}/search`);
      statuses.push([res.status, res.headers.get('retry-after')]);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([
      [429, '7'],
      [500, null],
      [503, '7'],
      [504, null],
    ]);
    const truncated = await fetch(`${api.url}/search`);
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow();
    expect(api.requests.map((r) => r.fault)).toEqual(['429', '500', '503', '504', 'truncated']);
  });

  it('aims faults at one request by rule, wherever it arrives, and leaves other requests alone', async () => {
    const api = await start({
      faults: { rules: [{ match: (r) => r.url.includes('limit=7'), faults: ['500', '503'] }] },
    });
    const status = async (path: string) => {
      const res = await fetch(`${api.url}${path}`);
      await res.arrayBuffer();
      return res.status;
    };
    expect(await status('/search?limit=5')).toBe(200);
    expect(await status('/search?limit=7')).toBe(500);
    expect(await status('/search?limit=5')).toBe(200);
    expect(await status('/search?limit=7&bbox=0,0,1,1')).toBe(200);
    expect(await status('/search?limit=7')).toBe(503);
    expect(await status('/search?limit=7')).toBe(200);
    expect(api.requests.map((r) => r.fault ?? '-')).toEqual(['-', '500', '-', '-', '503', '-']);
  });

  it('resets the connection, and holds a slow response back', async () => {
    const api = await start({ faults: { schedule: { 1: 'reset', 2: 'slow' }, slowMs: 10_000 } });
    await expect(fetch(`${api.url}/search`)).rejects.toThrow();
    await expect(fetch(`${api.url}/search`, { signal: AbortSignal.timeout(200) })).rejects.toThrow(
      /abort|timeout/i,
    );
    expect((await get(`${api.url}/search`)).status).toBe(200);
  });

  it('draws faults at the given rate, the same way for the same seed', async () => {
    const draw = async () => {
      const api = await start({ faults: { rate: 0.3, seed: 42, kinds: ['500', '503'] } });
      for (let i = 0; i < 40; i += 1) await (await fetch(`${api.url}/conformance`)).arrayBuffer();
      return api.requests.map((r) => r.fault ?? '-').join(',');
    };
    const a = await draw();
    expect(a).toBe(await draw());
    const count = a.split(',').filter((f) => f !== '-').length;
    expect(count).toBeGreaterThan(4);
    expect(count).toBeLessThan(24);
  });
});
