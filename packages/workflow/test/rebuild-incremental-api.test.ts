// Scenario 3 scaled down: a STAC API source where 1% of the items change and a few are added and deleted.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseConfig } from '@scm/config';
import type { StacItem } from '@scm/core';
import { readGeoParquet } from '@scm/output-parquet';
import { type FakeStacApi, generateHlsItems, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/index.js';
import { STATE_DIR } from '../src/rebuild-state.js';

const COLLECTION = 'HLSS30_2.0';
const COUNT = 1000;

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function configFor(api: FakeStacApi, out: string) {
  return parseConfig(
    `
workflow: { name: scenario-3 }
source: { type: stac_api, catalog_url: ${api.apiUrl()}, collections: [${COLLECTION}], limit: 100 }
output: { format: [json, ndjson, parquet], path: ${out} }
processing: { concurrency: 4, rate_limit: 1000, retry_max_attempts: 2, timeout_s: 10 }
`,
    join(out, '..', 'config.yaml'),
    { env: {} },
  );
}

/** Item files of the JSON tree (`<collection>/<item>/<item>.json`) with bytes and mtime. */
function itemFiles(root: string): Map<string, { text: string; mtime: number }> {
  const files = new Map<string, { text: string; mtime: number }>();
  for (const name of readdirSync(join(root, COLLECTION), { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const path = join(root, COLLECTION, name.name, `${name.name}.json`);
    files.set(relative(root, path), { text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs });
  }
  return files;
}

function ndjsonById(root: string): Map<string, string> {
  const lines = readFileSync(join(root, 'ndjson', COLLECTION, 'items.ndjson'), 'utf8')
    .trim()
    .split('\n');
  return new Map(lines.map((line) => [(JSON.parse(line) as { id: string }).id, line]));
}

async function parquetById(root: string): Promise<Map<string, StacItem>> {
  const dir = join(root, 'parquet', COLLECTION);
  const items = new Map<string, StacItem>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.parquet'))) {
    for await (const item of readGeoParquet(join(dir, file))) items.set(item.id, item);
  }
  return items;
}

/** 1% of the items get a new cloud cover, five are deleted and five new ones come. */
function editItems(items: StacItem[]): { items: StacItem[]; changed: Set<string> } {
  const next = items.map((item) => structuredClone(item));
  const changed = new Set<string>();
  for (let i = 0; i < COUNT / 100; i++) {
    const item = next[i * 97]!;
    (item.properties as Record<string, unknown>)['eo:cloud_cover'] = 99.5;
    changed.add(item.id);
  }
  for (const index of [11, 222, 333, 444, 555]) changed.add(next[index]!.id);
  const kept = next.filter((_, index) => ![11, 222, 333, 444, 555].includes(index));
  const extra = [...generateHlsItems({ collection: COLLECTION, count: 5, seed: 77 })].map((item) => ({
    ...item,
    id: `${item.id}-added`,
  }));
  for (const item of extra) changed.add(item.id);
  return { items: [...kept, ...extra], changed };
}

describe('incremental rebuild from a STAC API (Scenario 3, scaled down)', () => {
  it('processes only the changed items, keeps the rest byte-identical, and equals a fresh full rebuild', async () => {
    const original = [...generateHlsItems({ collection: COLLECTION, count: COUNT, seed: 3 })];
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

    const fresh = join(dir, 'fresh');
    await rebuildCatalog(configFor(api, fresh), { mode: 'full' });
    const freshFiles = itemFiles(fresh);
    expect([...after.keys()].sort()).toEqual([...freshFiles.keys()].sort());
    for (const [path, file] of freshFiles) expect(after.get(path)?.text, path).toBe(file.text);
    expect(ndjsonById(out)).toEqual(ndjsonById(fresh));
    expect(await parquetById(out)).toEqual(await parquetById(fresh));
    const collection = (root: string) => readFileSync(join(root, COLLECTION, 'collection.json'), 'utf8');
    expect(collection(out)).toBe(collection(fresh));
    expect(readdirSync(join(out, STATE_DIR)).some((f) => f.includes('ndjson-delta'))).toBe(false);
    // Three rebuilds of 1,000 items on a shared 2-core machine: room, not a speed check.
  }, 600_000);
});
