import {
  type Failure,
  type HttpClient,
  type HttpRequest,
  isFailure,
  ScmError,
  type StacItem,
} from '@scm/core';
import { describe, expect, it } from 'vitest';
import { fetchItems, type HarvestEvent, harvest, type HarvestOptions, windowOwns } from '../src/index.js';
import { createStubApi, makeItems, type NextStyle, type StubOptions } from './stub-api.js';

const DAY = 86_400_000;
const T0 = Date.parse('2022-01-01T00:00:00Z');

async function fetchAll(stub: StubOptions, options: Partial<HarvestOptions> = {}) {
  const api = createStubApi(stub);
  const items: StacItem[] = [];
  const failures: Failure[] = [];
  for await (const entry of fetchItems({
    client: api.client,
    catalogUrl: 'https://api.test/stac/',
    collections: Object.keys(stub.collections),
    concurrency: 4,
    ...options,
  })) {
    if (isFailure(entry)) failures.push(entry);
    else items.push(entry);
  }
  return { items, failures, requests: api.requests };
}

function ids(items: StacItem[]): string[] {
  return items.map((i) => i.id).sort();
}

/** A harvest of collection `c` of the stub API, 100 items a page, 5 requests in flight. */
function harvestOneCollection(client: HttpClient) {
  return harvest({
    client,
    catalogUrl: 'https://api.test/stac/',
    collections: ['c'],
    limit: 100,
    concurrency: 5,
  });
}

/**
 * A client on the stub API whose requests take 5 ms, each listening to its abort signal meanwhile as
 * `@scm/http`'s do; `most()` is the most requests it had in flight at once.
 */
function slowClient(api: ReturnType<typeof createStubApi>) {
  let inFlight = 0;
  let most = 0;
  const client = {
    async json<T>(request: HttpRequest) {
      const onAbort = () => undefined;
      request.signal?.addEventListener('abort', onAbort);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      request.signal?.removeEventListener('abort', onAbort);
      inFlight -= 1;
      return api.client.json<T>(request);
    },
  } as HttpClient;
  return { client, most: () => most };
}

describe('harvest: partitioned parallel fetch gives the same item set as one chain', () => {
  // 3 items per instant, every hour for 10 days: windows cut the 240 h into 4 or 16 parts, so their
  // seams fall exactly on item instants, which the server's closed intervals return to both neighbours.
  const collections = { hls: makeItems('hls', 723, T0, 3_600_000, 3) };
  const expected = ids(collections.hls);

  for (const style of [
    'get-token',
    'post-merge-false',
    'post-no-merge',
    'post-merge-true',
    'cmr-get',
  ] as NextStyle[]) {
    it(`${style}: every item exactly once, with counts`, async () => {
      const method = style.startsWith('post') || style === 'cmr-get' ? 'POST' : 'GET';
      const { items, failures, requests } = await fetchAll(
        { collections, style, counts: true, pageCap: 5, trailingEmpty: true },
        { method, limit: 5 },
      );
      expect(failures).toEqual([]);
      expect(ids(items)).toEqual(expected);
      // It really was cut: many windows, each with its own datetime range.
      const windows = new Set(
        requests.map(
          (r) => new URL(r.url).searchParams.get('datetime') ?? (r.body as { datetime?: string })?.datetime,
        ),
      );
      expect(windows.size).toBeGreaterThan(15);
    });
  }

  it('without counts (Planetary Computer) it still cuts the range and keeps every item once', async () => {
    const { items, requests } = await fetchAll({ collections, pageCap: 25, relative: true }, { limit: 25 });
    expect(ids(items)).toEqual(expected);
    const windows = new Set(requests.map((r) => new URL(r.url).searchParams.get('datetime')).filter(Boolean));
    // concurrency × 4 windows; the whole range's first page asks with no datetime (it owns every item).
    expect(windows.size).toBe(4 * 4);
    expect(requests.filter((r) => r.url.includes('/search') && !r.url.includes('datetime='))).toHaveLength(1);
  });

  it('sequential (partition: false) follows one chain and finds the same set', async () => {
    const { items, requests } = await fetchAll(
      { collections, counts: true, pageCap: 50 },
      { partition: false, limit: 50 },
    );
    expect(ids(items)).toEqual(expected);
    expect(requests.every((r) => !new URL(r.url).searchParams.has('datetime'))).toBe(true);
  });

  it('uses /collections/{id}/items when asked, restoring the links CMR-STAC strips', async () => {
    const { items, requests } = await fetchAll(
      { collections, counts: true, pageCap: 50, selfOnly: true },
      { endpoint: 'items', limit: 50 },
    );
    expect(ids(items)).toEqual(expected);
    expect(requests.some((r) => r.url.includes('/collections/hls/items?'))).toBe(true);
    expect(items[0]!.links.map((l) => l.rel)).toEqual(['self', 'collection', 'parent', 'root']);
  });
});

describe('harvest: paging edge cases', () => {
  const collections = { c: makeItems('c', 95, T0, DAY) };

  it('asks for smaller pages when the server refuses the limit (CMR-STAC: 400 above its maximum)', async () => {
    const { items, requests, failures } = await fetchAll(
      { collections, maxLimit: 100, pageCap: 100 },
      { partition: false, limit: 1000 },
    );
    expect(failures).toEqual([]);
    expect(ids(items)).toHaveLength(95);
    expect(requests.map((r) => new URL(r.url).searchParams.get('limit'))).toContain('100');
  });

  it('ends a window on a short page once the count is reached, without asking for the empty page after it', async () => {
    const counted = await fetchAll(
      { collections, pageCap: 10, trailingEmpty: true, counts: true },
      { partition: false, limit: 10 },
    );
    const uncounted = await fetchAll(
      { collections, pageCap: 10, trailingEmpty: true },
      { partition: false, limit: 10 },
    );
    expect(counted.items).toHaveLength(95);
    expect(uncounted.items).toHaveLength(95);
    // landing, collection, 10 pages; without counts, also the empty page the last one links to.
    expect(counted.requests).toHaveLength(12);
    expect(uncounted.requests).toHaveLength(13);
  });

  it('stops on an empty page even when it carries a next link', async () => {
    const { items, requests } = await fetchAll(
      { collections, pageCap: 95, trailingEmpty: true },
      { partition: false, limit: 95 },
    );
    expect(items).toHaveLength(95);
    // landing, collection, the page, the empty page after it: no more.
    expect(requests).toHaveLength(4);
  });

  it('the loop guard cuts a next link that points back to an earlier page, without duplicates', async () => {
    const api = createStubApi({ collections, pageCap: 10, loopAt: 40 });
    const events: HarvestEvent[] = [];
    for await (const event of harvest({
      client: api.client,
      catalogUrl: 'https://api.test/stac/',
      collections: ['c'],
      partition: false,
      limit: 10,
    }))
      events.push(event);
    const items = events.flatMap((e) => (e.type === 'page' ? e.items : []));
    expect(new Set(ids(items)).size).toBe(items.length);
    expect(items).toHaveLength(50);
    const stop = events.find((e) => e.type === 'window-stop');
    expect(stop).toMatchObject({ status: 'done', note: expect.stringContaining('loop guard') });
  });

  it('keeps more requests in flight than windows would allow one by one, and cuts two windows per request slot', async () => {
    const items = makeItems('c', 2000, T0, 3_600_000);
    const { client, most } = slowClient(
      createStubApi({ collections: { c: items }, counts: true, pageCap: 100 }),
    );
    const run = harvestOneCollection(client);
    const got: StacItem[] = [];
    let windows = 0;
    for await (const event of run) {
      if (event.type === 'plan' && event.replaces) windows = event.windows.length;
      if (event.type === 'page') got.push(...event.items);
      // A slow writer: the windows' next pages are fetched meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(ids(got)).toEqual(ids(items));
    expect(windows).toBeGreaterThanOrEqual(10);
    expect(most()).toBeGreaterThan(5);
  });

  it("many requests waiting on the harvest's one abort signal print no listener-leak warning", async () => {
    const items = makeItems('c', 2000, T0, 3_600_000);
    const { client, most } = slowClient(
      createStubApi({ collections: { c: items }, counts: true, pageCap: 100 }),
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const run = harvest({
        client,
        catalogUrl: 'https://api.test/stac/',
        collections: ['c'],
        limit: 100,
        concurrency: 16,
      });
      for await (const event of run) run.state.apply(event);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(most()).toBeGreaterThan(10);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('behind a slow consumer, each window holds one page beyond the channel, not the next one too', async () => {
    const items = makeItems('c', 4000, T0, 3_600_000);
    const api = createStubApi({ collections: { c: items }, counts: true, pageCap: 100 });
    let received = 0;
    const client: HttpClient = {
      async json<T>(request: HttpRequest) {
        const response = await api.client.json<T>(request);
        if (Array.isArray((response.body as { features?: unknown }).features)) received += 1;
        return response;
      },
    } as HttpClient;
    const run = harvestOneCollection(client);
    let windows = 0;
    let consumed = 0;
    let held = 0;
    for await (const event of run) {
      if (event.type === 'plan' && event.replaces) windows = event.windows.length;
      if (event.type === 'page') consumed += 1;
      // Pages received and not yet consumed; the whole range's first page is never handed on.
      held = Math.max(held, received - 1 - consumed);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(windows).toBe(14);
    // The channel holds concurrency × 2 pages; each window at most the one it waits to hand on.
    expect(held).toBeLessThanOrEqual(5 * 2 + windows);
  });

  it('cuts a counted range into the number of windows whose last pages cost the fewest requests', async () => {
    // 2,000 items an hour apart in pages of 100, 5 request slots: 10 windows of 200 items would each need a
    // request for the empty page after two full ones (30); 11 windows of about 182 items need 2 each (22).
    const items = makeItems('c', 2000, T0, 3_600_000);
    const { items: got, requests } = await fetchAll(
      { collections: { c: items }, counts: true, pageCap: 100, trailingEmpty: true },
      { limit: 100, concurrency: 5 },
    );
    expect(ids(got)).toEqual(ids(items));
    const windowPages = requests.filter((r) => new URL(r.url).searchParams.has('datetime'));
    expect(new Set(windowPages.map((r) => new URL(r.url).searchParams.get('datetime'))).size).toBe(11);
    expect(windowPages).toHaveLength(22);
  });

  it('a page failing after retries, and again after the cool-down, is an api_error failure; its window is incomplete, the others finish', async () => {
    const big = { c: makeItems('c', 400, T0, 3_600_000) };
    let failed = 0;
    // One window's page 3 (token 20), whichever window asks first, fails twice.
    let target: string | undefined;
    const api = createStubApi({
      collections: big,
      counts: true,
      pageCap: 10,
      fault: (request) => {
        if (new URL(request.url).searchParams.get('token') !== '20') return;
        target ??= request.url;
        if (failed < 2 && request.url === target) {
          failed += 1;
          throw new ScmError('SCM_HTTP_STATUS', 'status 503 after 3 attempts', {
            details: {
              url: request.url,
              status: 503,
              attempts: 3,
              body: '{"message":"Endpoint request timed out"}',
            },
          });
        }
      },
    });
    const run = harvest({
      client: api.client,
      catalogUrl: 'https://api.test/stac/',
      collections: ['c'],
      limit: 10,
      concurrency: 2,
      retryCoolDownMs: 20,
    });
    const events: HarvestEvent[] = [];
    for await (const event of run) {
      events.push(event);
      run.state.apply(event);
    }
    const failures = events.filter((e) => e.type === 'failure').map((e) => e.failure);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      error_type: 'api_error',
      error_context: { step: 'fetch', details: { status: 503, attempts: 3 } },
    });
    expect(
      String(
        failures[0]!.error_context.details && (failures[0]!.error_context.details as { url: string }).url,
      ),
    ).toContain('token=20');
    const incomplete = run.state.incomplete();
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]!.next?.url).toContain('token=20');
    const got = events.flatMap((e) => (e.type === 'page' ? e.items : []));
    // What is missing is what the incomplete window owns and had not written: its `matched` also counts an
    // item on its end seam when the cut falls on an item's instant, which the next window owns.
    const owned = big.c.filter((item) => windowOwns(incomplete[0]!, item)).length;
    expect(got.length).toBe(400 - (owned - incomplete[0]!.items));
    expect(new Set(ids(got)).size).toBe(got.length);
  });

  it('a page failing after retries once is tried again after the cool-down: every item, no failure', async () => {
    const big = { c: makeItems('c', 400, T0, 3_600_000) };
    let failed = 0;
    // One window's page 3 (token 20), whichever window asks first, fails once.
    let target: string | undefined;
    const api = createStubApi({
      collections: big,
      counts: true,
      pageCap: 10,
      fault: (request) => {
        if (new URL(request.url).searchParams.get('token') !== '20') return;
        target ??= request.url;
        if (failed < 1 && request.url === target) {
          failed += 1;
          throw new ScmError('SCM_HTTP_STATUS', 'status 500 after 3 attempts', {
            details: { url: request.url, status: 500, attempts: 3 },
          });
        }
      },
    });
    const started = Date.now();
    const { items, failures } = await fetchAll(
      { collections: big, counts: true, pageCap: 10 },
      { client: api.client, limit: 10, concurrency: 2, retryCoolDownMs: 300 },
    );
    expect(failures).toEqual([]);
    expect(ids(items)).toEqual(ids(big.c));
    expect(api.requests.filter((r) => r.url === target).length).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('a collection that does not exist is a failure and the others are fetched', async () => {
    const api = createStubApi({ collections });
    const out: (StacItem | Failure)[] = [];
    for await (const entry of fetchItems({
      client: api.client,
      catalogUrl: 'https://api.test/stac/',
      collections: ['missing', 'c'],
    }))
      out.push(entry);
    expect(out.filter(isFailure).map((f) => f.item_id)).toEqual(['missing']);
    expect(out.filter((e) => !isFailure(e))).toHaveLength(95);
  });

  it('maxItems stops early', async () => {
    const { items } = await fetchAll({ collections, pageCap: 10 }, { maxItems: 25 } as never);
    expect(items).toHaveLength(25);
  });
});

describe('harvest: resume from a checkpoint', () => {
  const collections = { a: makeItems('a', 500, T0, 3_600_000, 2), b: makeItems('b', 130, T0, DAY) };
  const expected = [...ids(collections.a), ...ids(collections.b)].sort();
  const base = { catalogUrl: 'https://api.test/stac/', collections: ['a', 'b'], limit: 10, concurrency: 3 };

  for (const stopAfter of [1, 7, 23, 41]) {
    it(`stopped after ${stopAfter} written pages, a resumed run adds exactly the missing items`, async () => {
      const written: StacItem[] = [];
      const first = harvest({
        ...base,
        client: createStubApi({ collections, counts: true, pageCap: 10 }).client,
      });
      let pages = 0;
      for await (const event of first) {
        if (event.type === 'page') written.push(...event.items);
        first.state.apply(event);
        if (event.type === 'page' && ++pages === stopAfter) break;
      }
      const checkpoint = JSON.parse(JSON.stringify(first.state.snapshot()));
      const second = harvest({
        ...base,
        client: createStubApi({ collections, counts: true, pageCap: 10 }).client,
        resume: checkpoint,
      });
      for await (const event of second) {
        if (event.type === 'page') written.push(...event.items);
        second.state.apply(event);
      }
      expect(ids(written)).toEqual(expected);
      expect(second.state.snapshot().windows.every((w) => w.status === 'done')).toBe(true);
    });
  }

  it('refuses a checkpoint of another harvest', () => {
    const other = harvest({ ...base, client: createStubApi({ collections }).client });
    expect(() =>
      harvest({
        ...base,
        collections: ['a'],
        client: createStubApi({ collections }).client,
        resume: other.state.snapshot(),
      }),
    ).toThrow(/different harvest/);
  });

  it('an abort signal ends the iteration with SCM_ABORTED', async () => {
    const controller = new AbortController();
    const run = harvest({
      ...base,
      client: createStubApi({ collections, pageCap: 10 }).client,
      signal: controller.signal,
    });
    const consume = async () => {
      let n = 0;
      for await (const event of run) if (event.type === 'page' && ++n === 3) controller.abort();
    };
    await expect(consume()).rejects.toMatchObject({ code: 'SCM_ABORTED' });
  });
});

describe('windows of a collection whose extent is still open', () => {
  it('ask the server with an open end, so items dated after the run started are fetched too', async () => {
    const now = Date.now();
    const items = makeItems('live', 40, now - 40 * DAY, DAY);
    items.push(...makeItems('future', 3, now + 10 * DAY, DAY).map((i) => ({ ...i, collection: 'live' })));
    const api = createStubApi({ collections: { live: items }, counts: true, pageCap: 5 });
    const original = api.client.json.bind(api.client);
    // The collection's extent ends with null (ongoing), as CMR-STAC's do.
    api.client.json = (async (request: HttpRequest) => {
      const response = await original(request);
      const body = response.body as { type?: string; extent?: { temporal: { interval: unknown[][] } } };
      if (body.type === 'Collection') body.extent!.temporal.interval[0]![1] = null;
      return response;
    }) as HttpClient['json'];
    const got: StacItem[] = [];
    for await (const entry of fetchItems({
      client: api.client,
      catalogUrl: 'https://api.test/stac/',
      collectionId: 'live',
      limit: 5,
    }))
      if (!isFailure(entry)) got.push(entry);
    expect(ids(got)).toEqual(ids(items));
  });
});
