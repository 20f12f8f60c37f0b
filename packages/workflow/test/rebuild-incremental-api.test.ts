// Scenario 3 scaled down: a STAC API source where 1% of the items change and a few are added and deleted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseConfig } from '@scm/config';
import type { StacItem } from '@scm/core';
import { readGeoParquet } from '@scm/output-parquet';
import { type FakeStacApi, type FakeStacApiOptions, generateHlsItems, startFakeStacApi } from '@scm/testing';
import { integrationGate } from '@scm/testing/gate';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/index.js';
import { STATE_DIR } from '../src/rebuild-state.js';
import { missingPrerequisite, pgDsn, python } from './integration-env.js';

const COLLECTION = 'HLSS30_2.0';
const COUNT = 1000;

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

/** A rebuild config of `collection` from the API at `api` (a fake one, or a URL). */
function configFor(api: FakeStacApi | string, out: string, extra = '', collection = COLLECTION) {
  const url = typeof api === 'string' ? api : api.apiUrl();
  return parseConfig(
    `
workflow: { name: scenario-3 }
source: { type: stac_api, catalog_url: ${url}, collections: [${JSON.stringify(collection)}], limit: 100 }
output: { format: [json, ndjson, parquet], path: ${out} }
processing: { concurrency: 4, rate_limit: 1000, retry_max_attempts: 2, timeout_s: 10 }
${extra}`,
    join(out, '..', 'config.yaml'),
    { env: {} },
  );
}

/** Item files of the JSON tree (`<collection>/<item>/<item>.json`) with bytes and mtime. */
function itemFiles(root: string, collection = COLLECTION): Map<string, { text: string; mtime: number }> {
  const files = new Map<string, { text: string; mtime: number }>();
  for (const name of readdirSync(join(root, collection), { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const path = join(root, collection, name.name, `${name.name}.json`);
    files.set(relative(root, path), { text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs });
  }
  return files;
}

function ndjsonById(root: string, collection = COLLECTION): Map<string, string> {
  const lines = readFileSync(join(root, 'ndjson', collection, 'items.ndjson'), 'utf8')
    .trim()
    .split('\n');
  return new Map(lines.map((line) => [(JSON.parse(line) as { id: string }).id, line]));
}

async function parquetById(root: string, collection = COLLECTION): Promise<Map<string, StacItem>> {
  const dir = join(root, 'parquet', collection);
  const items = new Map<string, StacItem>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.parquet'))) {
    for await (const item of readGeoParquet(join(dir, file))) items.set(item.id, item);
  }
  return items;
}

/** The `updated` stamp of the original items (distinct, one second apart) and of edited ones (later). */
const stampOf = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 1000).toISOString();
const EDITED_STAMP = '2025-06-01T00:00:00.000Z';

/** Generated HLS items, each with `properties.updated` when `stamped`. */
function originalItems(stamped: boolean): StacItem[] {
  const items = [...generateHlsItems({ collection: COLLECTION, count: COUNT, seed: 3 })];
  if (stamped)
    for (const [i, item] of items.entries())
      (item.properties as Record<string, unknown>).updated = stampOf(i);
  return items;
}

/** 1% of the items get a new cloud cover (and a new `updated` when stamped), five are deleted and five new ones come. */
function editItems(items: StacItem[], stamped = false): { items: StacItem[]; changed: Set<string> } {
  const next = items.map((item) => structuredClone(item));
  const changed = new Set<string>();
  for (let i = 0; i < COUNT / 100; i++) {
    const item = next[i * 97]!;
    (item.properties as Record<string, unknown>)['eo:cloud_cover'] = 99.5;
    if (stamped) (item.properties as Record<string, unknown>).updated = EDITED_STAMP;
    changed.add(item.id);
  }
  for (const index of [11, 222, 333, 444, 555]) changed.add(next[index]!.id);
  const kept = next.filter((_, index) => ![11, 222, 333, 444, 555].includes(index));
  const extra = [...generateHlsItems({ collection: COLLECTION, count: 5, seed: 77 })].map((item) => ({
    ...item,
    id: `${item.id}-added`,
    properties: { ...item.properties, ...(stamped ? { updated: EDITED_STAMP } : {}) },
  }));
  for (const item of extra) changed.add(item.id);
  return { items: [...kept, ...extra], changed };
}

/** The catalog in `out` equals a fresh full rebuild from the same API, item for item, in all three formats. */
async function expectSameAsFreshRebuild(
  api: FakeStacApi | string,
  dir: string,
  out: string,
  id = COLLECTION,
): Promise<void> {
  const fresh = join(dir, 'fresh');
  await rebuildCatalog(configFor(api, fresh, '', id), { mode: 'full' });
  const after = itemFiles(out, id);
  const freshFiles = itemFiles(fresh, id);
  expect([...after.keys()].sort()).toEqual([...freshFiles.keys()].sort());
  for (const [path, file] of freshFiles) expect(after.get(path)?.text, path).toBe(file.text);
  expect(ndjsonById(out, id)).toEqual(ndjsonById(fresh, id));
  expect(await parquetById(out, id)).toEqual(await parquetById(fresh, id));
  // The order of a collection's item links follows the order the harvest's concurrent windows finished in,
  // which differs from run to run: the links are compared as a set.
  const collection = (root: string) => {
    const doc = JSON.parse(readFileSync(join(root, id, 'collection.json'), 'utf8')) as {
      links: { href: string }[];
    };
    doc.links.sort((a, b) => a.href.localeCompare(b.href));
    return doc;
  };
  expect(collection(out)).toEqual(collection(fresh));
}

/** The positions of the items `editItems` deletes. */
const DELETED = [11, 222, 333, 444, 555];

/** Whether a request is a count of the items updated before a mark (`updated <`, one item asked for). */
const isOlderCount = (r: { url: string; body?: unknown }) =>
  `${decodeURIComponent(r.url)} ${JSON.stringify(r.body ?? '')}`.includes('"op":"<"');

/** Whether a request is a page of an ids-only listing (the fields extension). */
const isIdsRequest = (r: { url: string; body?: unknown }) =>
  `${r.url} ${JSON.stringify(r.body ?? '')}`.includes('fields');

/** Items of full item pages the API served (not an ids-only page, not a count). */
function fullItemRequests(api: FakeStacApi): string[] {
  return api.requests
    .filter((r) => /\/search/.test(r.url) && !isIdsRequest(r) && !isOlderCount(r))
    .map((r) => r.url);
}

describe('incremental rebuild from a STAC API (Scenario 3, scaled down)', () => {
  it('processes only the changed items, keeps the rest byte-identical, and equals a fresh full rebuild', async () => {
    const original = originalItems(false);
    const api = await startFakeStacApi({ collections: [{ id: COLLECTION, items: original }] });
    apis.push(api);
    const dir = mkdtempSync(join(tmpdir(), 'scm-scenario3-'));
    const out = join(dir, 'out');
    const full = await rebuildCatalog(configFor(api, out), { mode: 'full' });
    expect(full.summary.succeeded).toBe(COUNT);
    const before = itemFiles(out);

    const edit = editItems(original);
    api.setItems(COLLECTION, edit.items);
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect([s.added, s.modified, s.deleted, s.failed]).toEqual([5, 10, 5, 0]);
    expect(s.unchanged).toBe(COUNT - 15);
    // The fake API announces no CQL2 filter: the full listing, and the summary says why.
    expect(s.strategy).toMatch(
      /^listing compared by content hash, because the API does not announce a CQL2 filter/,
    );
    // Only the new and changed items went through map/extend/validate/write.
    expect(s.succeeded).toBe(15);
    expect(s.per_collection[COLLECTION]).toEqual({
      added: 5,
      modified: 10,
      deleted: 5,
      unchanged: COUNT - 15,
    });

    const after = itemFiles(out);
    for (const [path, file] of before) {
      const id = path.split('/')[1]!;
      if (edit.changed.has(id)) continue;
      expect(after.get(path), path).toEqual(file);
    }
    const deleted = [11, 222, 333, 444, 555].map((i) => original[i]!.id);
    for (const id of deleted) expect(after.has(`${COLLECTION}/${id}/${id}.json`)).toBe(false);

    await expectSameAsFreshRebuild(api, dir, out);
    expect(readdirSync(join(out, STATE_DIR)).some((f) => f.includes('ndjson-delta'))).toBe(false);
    // Three rebuilds of 1,000 items on a shared 2-core machine: room, not a speed check.
  }, 600_000);
});

describe('incremental rebuild with a server-side filter on `updated`', () => {
  async function fullThenEdit(
    searchExtensions: { filter?: boolean; fields?: boolean },
    stamped = true,
    more: Pick<FakeStacApiOptions, 'faults' | 'style' | 'onRequest'> = {},
  ) {
    const original = originalItems(stamped);
    const api = await startFakeStacApi({
      collections: [{ id: COLLECTION, items: original }],
      searchExtensions,
      ...more,
    });
    apis.push(api);
    const dir = mkdtempSync(join(tmpdir(), 'scm-filter-'));
    const out = join(dir, 'out');
    await rebuildCatalog(configFor(api, out), { mode: 'full' });
    const before = itemFiles(out);
    const edit = editItems(original, stamped);
    api.setItems(COLLECTION, edit.items);
    api.requests.length = 0;
    return { api, dir, out, before, edit, original };
  }

  it('fetches only the items updated since the mark; the count of older items differs, so an ids-only listing finds the deletes; equals a fresh full rebuild', async () => {
    const { api, dir, out, before, edit } = await fullThenEdit({ filter: true, fields: true });
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect(s.strategy).toMatch(
      /^server filter on updated \(cql2-json\): HLSS30_2\.0 >= 2024-01-01T00:16:39\.000Z; the count of items updated before the mark differs for HLSS30_2\.0 \(server 984, state 989\): deletes from an ids-only listing/,
    );
    expect([s.added, s.modified, s.deleted, s.unchanged, s.failed]).toEqual([5, 10, 5, COUNT - 15, 0]);
    // Full items fetched: the 15 new and changed ones, and the one stamped exactly at the mark (inclusive).
    expect(s.processed).toBe(16);
    expect(s.succeeded).toBe(15);
    expect(fullItemRequests(api).every((url) => url.includes('filter'))).toBe(true);
    // The count is taken once the harvest has read its last page, and the listing runs after it.
    const lastItemPage = api.requests.findLastIndex((r) => fullItemRequests(api).includes(r.url));
    const lastCount = api.requests.findLastIndex(isOlderCount);
    expect(lastCount).toBeGreaterThan(lastItemPage);
    expect(api.requests.findIndex(isIdsRequest)).toBeGreaterThan(lastCount);
    const after = itemFiles(out);
    for (const [path, file] of before) {
      if (!edit.changed.has(path.split('/')[1]!)) expect(after.get(path), path).toEqual(file);
    }
    await expectSameAsFreshRebuild(api, dir, out);
    // Nothing changed since: the next run fetches only the items at the new mark, counts, lists nothing.
    api.requests.length = 0;
    const again = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    expect([again.summary.added, again.summary.modified, again.summary.deleted]).toEqual([0, 0, 0]);
    expect(again.summary.processed).toBe(15);
    expect(again.summary.strategy).toMatch(
      /; no deletes: the API counts as many items updated before the mark/,
    );
    expect(api.requests.filter(isIdsRequest)).toEqual([]);
  }, 600_000);

  it('with items changed and added but none deleted, the count says so and no ids listing runs', async () => {
    const { api, dir, out, edit, original } = await fullThenEdit({ filter: true, fields: true });
    api.setItems(COLLECTION, [...edit.items, ...DELETED.map((i) => original[i]!)]);
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect(s.strategy).toMatch(/; no deletes: the API counts as many items updated before the mark/);
    expect([s.added, s.modified, s.deleted, s.unchanged]).toEqual([5, 10, 0, COUNT - 10]);
    expect(api.requests.filter(isIdsRequest)).toEqual([]);
    await expectSameAsFreshRebuild(api, dir, out);
  }, 600_000);

  it('an item deleted after the harvest, with another added so the total stays the same, is still found', async () => {
    // When the count after the harvest arrives, one untouched old item goes and a new one comes: the total
    // the server counts is unchanged, the count of items updated before the mark is not.
    let counts = 0;
    let api: FakeStacApi | undefined;
    let gone = '';
    const onRequest = (r: { url: string }) => {
      if (!isOlderCount(r) || ++counts !== 2 || !api) return;
      const ids = api.itemIds(COLLECTION);
      gone = ids.find((id) => !changed.has(id))!;
      const current = ids.filter((id) => id !== gone).map((id) => itemsNow.get(id)!);
      const [late] = [...generateHlsItems({ collection: COLLECTION, count: 1, seed: 91 })];
      api.setItems(COLLECTION, [...current, { ...late!, id: `${late!.id}-late` }]);
    };
    const itemsNow = new Map<string, StacItem>();
    const changed = new Set<string>();
    const setup = await fullThenEdit({ filter: true, fields: true }, true, { onRequest });
    api = setup.api;
    const kept = [...setup.edit.items, ...DELETED.map((i) => setup.original[i]!)];
    for (const item of kept) itemsNow.set(item.id, item);
    for (const id of setup.edit.changed) changed.add(id);
    api.setItems(COLLECTION, kept);
    const run = await rebuildCatalog(configFor(api, setup.out), { mode: 'incremental' });
    expect(counts).toBe(2);
    expect(run.summary.strategy).toMatch(
      /the count of items updated before the mark differs for HLSS30_2\.0 \(server 988, state 989\): deletes from an ids-only listing/,
    );
    expect(run.summary.deleted).toBe(1);
    expect(ndjsonById(setup.out).has(gone)).toBe(false);
  }, 600_000);

  it('a server that keeps counts by query (as pgstac does for a day) cannot hide a delete', async () => {
    const original = originalItems(true);
    const api = await startFakeStacApi({
      collections: [{ id: COLLECTION, items: original }],
      searchExtensions: { filter: true, fields: true },
      keepsCounts: true,
    });
    apis.push(api);
    const out = join(mkdtempSync(join(tmpdir(), 'scm-kept-counts-')), 'out');
    await rebuildCatalog(configFor(api, out), { mode: 'full' });
    const quiet = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    expect(quiet.summary.strategy).toMatch(/; no deletes: the API counts/);
    // The next night asks from the same mark; one untouched item is gone since.
    const gone = original[500]!.id;
    api.setItems(
      COLLECTION,
      original.filter((item) => item.id !== gone),
    );
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    expect(run.summary.strategy).toMatch(/differs for HLSS30_2\.0 \(server 998, state 999\)/);
    expect(run.summary.deleted).toBe(1);
    expect(ndjsonById(out).has(gone)).toBe(false);
  }, 600_000);

  it('an API that does not count: the ids-only listing runs beside the harvest', async () => {
    const { api, dir, out } = await fullThenEdit({ filter: true, fields: true }, true, {
      style: 'planetary-computer',
    });
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect(s.strategy).toMatch(/; deletes from an ids-only listing \(fields extension\)$/);
    expect([s.added, s.modified, s.deleted, s.unchanged]).toEqual([5, 10, 5, COUNT - 15]);
    await expectSameAsFreshRebuild(api, dir, out);
  }, 600_000);

  it('without the fields extension, deletes cannot be known: nothing is deleted, and the summary says so', async () => {
    const { api, out, edit, original } = await fullThenEdit({ filter: true });
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect(s.strategy).toMatch(
      /deletes cannot be known \(the API has no fields extension\): nothing deleted/,
    );
    expect([s.added, s.modified, s.deleted, s.unchanged]).toEqual([5, 10, 0, COUNT - 10]);
    for (const i of [11, 222]) expect(ndjsonById(out).has(original[i]!.id)).toBe(true);
    expect(edit.items).toHaveLength(COUNT);
  }, 600_000);

  it('a page of the ids listing that keeps failing makes deletes unknown: nothing is deleted, and the summary says so', async () => {
    // Every attempt at one later page of the ids-only listing fails, the cool-down's try included.
    const idsPage = (r: { url: string; body?: unknown }) =>
      `${r.url} ${JSON.stringify(r.body ?? '')}`.includes('fields') &&
      /[?&](token|next|page|cursor)=/.test(r.url);
    const faults = { rules: [{ match: idsPage, faults: Array(20).fill('500' as const) }] };
    const { api, out, original } = await fullThenEdit({ filter: true, fields: true }, true, { faults });
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    const s = run.summary;
    expect(s.strategy).toMatch(/the ids-only listing did not finish: nothing deleted/);
    expect(s.notes.some((n) => n.startsWith('the ids-only listing did not finish'))).toBe(true);
    expect([s.added, s.modified, s.deleted]).toEqual([5, 10, 0]);
    for (const i of [11, 222, 333, 444, 555]) expect(ndjsonById(out).has(original[i]!.id)).toBe(true);
  }, 600_000);

  it('items without `updated` leave no high-water mark: the full listing runs, and `filter` forced is refused', async () => {
    const { api, out } = await fullThenEdit({ filter: true, fields: true }, false);
    await expect(
      rebuildCatalog(configFor(api, out, 'incremental: { strategy: filter }'), { mode: 'incremental' }),
    ).rejects.toThrow(/incremental.strategy is "filter" but the state has no `updated` high-water mark/);
    const run = await rebuildCatalog(configFor(api, out), { mode: 'incremental' });
    expect(run.summary.strategy).toMatch(
      /^listing compared by content hash, because the state has no `updated` high-water mark/,
    );
    expect([run.summary.added, run.summary.modified, run.summary.deleted]).toEqual([5, 10, 5]);
  }, 600_000);

  it('`incremental.strategy: listing` lists everything even when the API could filter', async () => {
    const { api, out } = await fullThenEdit({ filter: true, fields: true });
    const run = await rebuildCatalog(configFor(api, out, 'incremental: { strategy: listing }'), {
      mode: 'incremental',
    });
    expect(run.summary.strategy).toMatch(/^listing compared by content hash, as incremental.strategy says/);
    expect(run.summary.processed).toBe(COUNT);
    expect([run.summary.added, run.summary.modified, run.summary.deleted]).toEqual([5, 10, 5]);
  }, 600_000);
});

// Scenario 3 against the real stac-fastapi-pgstac of tools/stac-server: a collection of our own, loaded, edited
// and dropped by pypgstac and SQL, so the collections other suites read are never touched.
const serverUrl = process.env.SCM_STAC_API_URL?.replace(/\/+$/, '');
const stacDsn = `${pgDsn.slice(0, pgDsn.lastIndexOf('/'))}/${process.env.SCM_STAC_DB ?? 'scm_stac_api'}`;
const realGate = integrationGate('incremental rebuild against the real STAC API', () => {
  if (!serverUrl)
    return 'SCM_STAC_API_URL is not set (bash tools/stac-server/setup.sh && export SCM_STAC_API_URL=$(bash tools/stac-server/start.sh))';
  return missingPrerequisite({ python: ['pypgstac', 'psycopg'], postgres: true });
});

/** Upserts collections or items (an NDJSON file) into the server's pgstac with pypgstac's loader. */
function pgstacLoad(kind: 'collections' | 'items', path: string): void {
  const script = `import sys
from pypgstac.db import PgstacDB
from pypgstac.load import Loader, Methods
db = PgstacDB(dsn=sys.argv[1])
loader = Loader(db)
getattr(loader, 'load_' + sys.argv[2])(sys.argv[3], insert_mode=Methods.upsert)
db.close()`;
  execFileSync(python, ['-W', 'ignore', '-c', script, stacDsn, kind, path], { stdio: 'pipe' });
}

/** Runs SQL statements with the collection id as `%(c)s` and the item ids as `%(ids)s`. */
function pgstacSql(sql: string[], collection: string, ids: string[] = []): void {
  const script = `import sys, json, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    for statement in json.loads(sys.argv[2]): c.execute(statement, {'c': sys.argv[3], 'ids': json.loads(sys.argv[4])})`;
  execFileSync(python, ['-c', script, stacDsn, JSON.stringify(sql), collection, JSON.stringify(ids)], {
    stdio: 'pipe',
  });
}

const REAL_COUNT = 300;

function realCollection(id: string): Record<string, unknown> {
  return {
    type: 'Collection',
    stac_version: '1.0.0',
    id,
    description: 'Scenario 3 test collection (removed by the test)',
    license: 'proprietary',
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [['2022-01-01T00:00:00Z', '2023-01-01T00:00:00Z']] },
    },
    links: [],
  };
}

function writeNdjson(path: string, values: unknown[]): string {
  writeFileSync(path, `${values.map((v) => JSON.stringify(v)).join('\n')}\n`);
  return path;
}

describe('incremental rebuild from the real STAC API (stac-fastapi-pgstac, Scenario 3)', () => {
  it.skipIf(realGate.skip)(
    realGate.title(
      'fetches only the changed items by a CQL2 filter, deletes by an ids listing, equals a fresh rebuild',
    ),
    async () => {
      const id = `scm-sync-test-${process.pid}-${Date.now().toString(36)}`;
      const dir = mkdtempSync(join(tmpdir(), 'scm-real-filter-'));
      const out = join(dir, 'out');
      const items = [...generateHlsItems({ collection: id, count: REAL_COUNT, seed: 11 })];
      for (const [i, item] of items.entries())
        (item.properties as Record<string, unknown>).updated = stampOf(i);
      try {
        pgstacLoad('collections', writeNdjson(join(dir, 'collection.ndjson'), [realCollection(id)]));
        pgstacLoad('items', writeNdjson(join(dir, 'items.ndjson'), items));
        const full = await rebuildCatalog(configFor(serverUrl!, out, '', id), { mode: 'full' });
        expect(full.summary.succeeded).toBe(REAL_COUNT);
        const before = itemFiles(out, id);

        // 1% changed (content and `updated`), three added, three deleted.
        const changed = [0, 100, 200].map((i) => structuredClone(items[i]!));
        for (const item of changed) {
          (item.properties as Record<string, unknown>)['eo:cloud_cover'] = 99.5;
          (item.properties as Record<string, unknown>).updated = EDITED_STAMP;
        }
        const added = [...generateHlsItems({ collection: id, count: 3, seed: 12 })].map((item) => ({
          ...item,
          id: `${item.id}-added`,
          properties: { ...item.properties, updated: EDITED_STAMP },
        }));
        const deleted = [11, 150, 250].map((i) => items[i]!.id);
        pgstacLoad('items', writeNdjson(join(dir, 'edit.ndjson'), [...changed, ...added]));
        pgstacSql(['DELETE FROM pgstac.items WHERE collection = %(c)s AND id = ANY(%(ids)s)'], id, deleted);

        const run = await rebuildCatalog(configFor(serverUrl!, out, '', id), { mode: 'incremental' });
        const s = run.summary;
        expect(s.strategy).toMatch(
          /^server filter on updated \(cql2-json\).*deletes from an ids-only listing/,
        );
        expect([s.added, s.modified, s.deleted, s.unchanged, s.failed]).toEqual([3, 3, 3, REAL_COUNT - 6, 0]);
        // Full items fetched: the three changed, the three new, and the one stamped at the mark.
        expect(s.processed).toBe(7);
        const touched = new Set([...changed.map((i) => i.id), ...deleted]);
        const after = itemFiles(out, id);
        for (const [path, file] of before) {
          if (!touched.has(path.split('/')[1]!)) expect(after.get(path), path).toEqual(file);
        }
        await expectSameAsFreshRebuild(serverUrl!, dir, out, id);
      } finally {
        pgstacSql(
          ['DELETE FROM pgstac.items WHERE collection = %(c)s', 'SELECT pgstac.delete_collection(%(c)s)'],
          id,
        );
      }
    },
    900_000,
  );
});
