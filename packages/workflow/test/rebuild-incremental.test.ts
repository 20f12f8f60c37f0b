import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseConfig } from '@scm/config';
import { isScmError, type StacItem } from '@scm/core';
import { readGeoParquet } from '@scm/output-parquet';
import { describe, expect, it } from 'vitest';
import { rebuildCatalog } from '../src/index.js';
import { STATE_DIR } from '../src/rebuild-state.js';
import { repoRoot } from './integration-env.js';

const data = join(repoRoot, 'examples/quickstart/data');
const sourceLines = readFileSync(join(data, 'items.ndjson'), 'utf8').trim().split('\n');

/** A work folder with its own copy of the quickstart items (the test edits them) and a config. */
function setup(formats = 'json, ndjson, parquet', outputOptions = '') {
  const dir = mkdtempSync(join(tmpdir(), 'scm-incremental-'));
  const items = join(dir, 'items.ndjson');
  writeFileSync(items, `${sourceLines.join('\n')}\n`);
  const config = (out: string) =>
    parseConfig(
      `
workflow: { name: test }
source: { type: local_files, paths: [${data}/HLSS30_2.0.collection.json, ${items}] }
output: { format: [${formats}], path: ${out}${outputOptions} }
`,
      join(dir, 'config.yaml'),
      { env: {} },
    );
  return { dir, items, out: join(dir, 'out'), config };
}

/** Every catalog file (run metadata aside) with its bytes and mtime. */
function snapshot(root: string): Map<string, { text: string; mtime: number }> {
  const files = new Map<string, { text: string; mtime: number }>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== STATE_DIR) walk(path);
      } else if (
        !['summary.json', '.stac-catalog-manager.json', 'report.html', 'report_record.json'].includes(
          entry.name,
        )
      ) {
        files.set(relative(root, path), {
          text: readFileSync(path, 'latin1'),
          mtime: statSync(path).mtimeMs,
        });
      }
    }
  };
  walk(root);
  return files;
}

/** The NDJSON items of an output, by id (order aside). */
function ndjsonItems(out: string, collection: string): Map<string, unknown> {
  const text = readFileSync(join(out, 'ndjson', collection, 'items.ndjson'), 'utf8');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string });
  return new Map(lines.map((item) => [item.id, item]));
}

/** Changes the first item of each collection's cloud cover, drops one, adds one with a new id. */
function editSource(items: string): { modified: string[]; deleted: string; added: string } {
  type Item = { id: string; collection?: string; properties: Record<string, unknown> };
  const parsed = sourceLines.map((l) => JSON.parse(l) as Item);
  const first = parsed[0]!;
  first.properties['eo:cloud_cover'] = 42;
  const naip = parsed.find((i) => i.collection === 'naip')!;
  naip.properties.datetime = '2023-06-23T00:00:00Z';
  const [deleted] = parsed.splice(5, 1);
  const added = structuredClone(parsed[3]!);
  added.id = `${added.id}-new`;
  parsed.push(added);
  writeFileSync(items, `${parsed.map((i) => JSON.stringify(i)).join('\n')}\n`);
  return { modified: [first.id, naip.id], deleted: deleted!.id, added: added.id };
}

// Each test runs two or three rebuilds: room on a loaded shared machine, not a speed check.
describe('rebuildCatalog incremental', { timeout: 300_000 }, () => {
  it('rebuilds only new and changed items, removes deleted ones, and equals a fresh full rebuild', async () => {
    const { dir, items, out, config } = setup();
    await rebuildCatalog(config(out), { mode: 'full' });
    const before = snapshot(out);
    const change = editSource(items);

    const result = await rebuildCatalog(config(out), { mode: 'incremental' });
    const s = result.summary;
    expect([s.added, s.modified, s.deleted, s.unchanged, s.failed]).toEqual([1, 2, 1, 21, 0]);
    expect(s.succeeded).toBe(3);
    expect(s.strategy).toMatch(/content hash/);
    expect(s.per_collection.naip?.modified).toBe(1);
    expect(JSON.parse(readFileSync(result.summaryFile, 'utf8')).per_collection).toEqual(s.per_collection);

    const after = snapshot(out);
    const touched = [...change.modified, change.deleted, change.added];
    for (const [path, file] of before) {
      const itemFile =
        path.split('/').length === 3 && !path.startsWith('ndjson') && !path.startsWith('parquet');
      if (!itemFile || touched.some((id) => path.includes(id))) continue;
      expect(after.get(path), path).toEqual(file);
    }
    expect([...after.keys()].some((p) => p.includes(change.deleted))).toBe(false);

    const fresh = join(dir, 'fresh');
    await rebuildCatalog(config(fresh), { mode: 'full' });
    const freshFiles = snapshot(fresh);
    expect([...after.keys()].filter((p) => !p.startsWith('parquet')).sort()).toEqual(
      [...freshFiles.keys()].filter((p) => !p.startsWith('parquet')).sort(),
    );
    for (const [path, file] of freshFiles) {
      if (path.split('/').length === 3 && !path.startsWith('ndjson') && !path.startsWith('parquet'))
        expect(after.get(path)?.text, path).toBe(file.text);
    }
    for (const collection of ['HLSS30_2.0', 'naip'])
      expect(ndjsonItems(out, collection)).toEqual(ndjsonItems(fresh, collection));
  });

  it('changes no catalog file when the source did not change, and a dry run writes nothing', async () => {
    const { items, out, config } = setup();
    await rebuildCatalog(config(out), { mode: 'full' });
    const before = snapshot(out);
    const again = await rebuildCatalog(config(out), { mode: 'incremental' });
    expect([again.summary.added, again.summary.modified, again.summary.deleted]).toEqual([0, 0, 0]);
    expect(again.summary.unchanged).toBe(sourceLines.length);
    expect(snapshot(out)).toEqual(before);

    editSource(items);
    const summaryBefore = readFileSync(join(out, 'summary.json'), 'utf8');
    const dry = await rebuildCatalog(config(out), { mode: 'incremental', dryRun: true });
    expect([dry.summary.added, dry.summary.modified, dry.summary.deleted]).toEqual([1, 2, 1]);
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(summaryBefore);
  });

  it('an interrupted incremental run is redone by the next one, which equals a fresh full rebuild', async () => {
    const { dir, items, out, config } = setup('json, ndjson');
    await rebuildCatalog(config(out), { mode: 'full' });
    editSource(items);
    const controller = new AbortController();
    let seen = 0;
    const progress = {
      start() {},
      tick() {
        seen += 1;
        if (seen === 12) controller.abort();
      },
      done() {},
    };
    const killed = rebuildCatalog(config(out), { mode: 'incremental', signal: controller.signal, progress });
    await expect(killed).rejects.toSatisfy((e: unknown) => isScmError(e) && e.code === 'SCM_ABORTED');
    const again = await rebuildCatalog(config(out), { mode: 'incremental' });
    expect([again.summary.added, again.summary.modified, again.summary.deleted]).toEqual([1, 2, 1]);
    const fresh = join(dir, 'fresh');
    await rebuildCatalog(config(fresh), { mode: 'full' });
    const strip = (files: Map<string, { text: string }>) => new Map([...files].map(([p, f]) => [p, f.text]));
    expect(strip(snapshot(out))).toEqual(strip(snapshot(fresh)));
  });

  it('with monthly stac-geoparquet files, rewrites only the months whose items changed, came or went', async () => {
    const { dir, items, out, config } = setup('json, ndjson, parquet', ', parquet_partition: month');
    await rebuildCatalog(config(out), { mode: 'full' });
    const naipDir = join(out, 'parquet', 'naip');
    expect(
      readdirSync(naipDir)
        .filter((f) => f.endsWith('.parquet'))
        .sort(),
    ).toEqual(
      ['2016-08', '2018-08', '2018-09', '2018-10', '2021-09', '2021-10', '2023-06'].map(
        (m) => `items-${m}.parquet`,
      ),
    );
    const before = snapshot(out);
    // Item 8 moves from 2021-10 to 2019-01; 16 (2018-09) and 19 (2018-08, alone in its month) go.
    const parsed = sourceLines.map((l) => JSON.parse(l) as StacItem);
    parsed[8]!.properties.datetime = '2019-01-05T00:00:00Z';
    const kept = parsed.filter((_, n) => n !== 16 && n !== 19);
    writeFileSync(items, `${kept.map((i) => JSON.stringify(i)).join('\n')}\n`);

    const result = await rebuildCatalog(config(out), { mode: 'incremental' });
    expect([result.summary.modified, result.summary.deleted]).toEqual([1, 2]);
    const after = snapshot(out);
    for (const month of ['2016-08', '2018-10', '2021-09', '2023-06']) {
      const path = `parquet/naip/items-${month}.parquet`;
      expect(after.get(path), path).toEqual(before.get(path));
    }
    for (const path of [
      'parquet/HLSS30_2.0/items-2022-09.parquet',
      'parquet/sentinel-2-l2a/items-2023-10.parquet',
    ])
      expect(after.get(path), path).toEqual(before.get(path));
    expect(after.has('parquet/naip/items-2018-08.parquet')).toBe(false);
    expect(after.get('parquet/naip/items-2021-10.parquet')?.text).not.toBe(
      before.get('parquet/naip/items-2021-10.parquet')?.text,
    );

    const fresh = join(dir, 'fresh');
    await rebuildCatalog(config(fresh), { mode: 'full' });
    const parquetFiles = (root: string) =>
      [...snapshot(root).keys()].filter((p) => p.startsWith('parquet/')).sort();
    expect(parquetFiles(out)).toEqual(parquetFiles(fresh));
    for (const path of parquetFiles(fresh).filter((p) => p.endsWith('.parquet'))) {
      const byId = async (root: string) => {
        const rows = new Map<string, StacItem>();
        for await (const item of readGeoParquet(join(root, path))) rows.set(item.id, item);
        return rows;
      };
      expect(await byId(out), path).toEqual(await byId(fresh));
    }
  });

  it('a run that fails after the NDJSON merge leaves its months for the next run to rewrite', async () => {
    const { dir, items, out, config } = setup('json, ndjson, parquet', ', parquet_partition: month');
    await rebuildCatalog(config(out), { mode: 'full' });
    const parsed = sourceLines.map((l) => JSON.parse(l) as StacItem);
    parsed[8]!.properties.datetime = '2019-01-05T00:00:00Z';
    writeFileSync(
      items,
      `${parsed
        .filter((_, n) => n !== 19)
        .map((i) => JSON.stringify(i))
        .join('\n')}\n`,
    );
    // A folder where the new month's file goes makes the Parquet write fail once the NDJSON is merged.
    const blocker = join(out, 'parquet', 'naip', 'items-2019-01.parquet');
    mkdirSync(blocker);
    await expect(rebuildCatalog(config(out), { mode: 'incremental' })).rejects.toThrow();
    rmSync(blocker, { recursive: true });

    await rebuildCatalog(config(out), { mode: 'incremental' });
    const fresh = join(dir, 'fresh');
    await rebuildCatalog(config(fresh), { mode: 'full' });
    const rows = async (root: string) => {
      const ids: string[] = [];
      const folder = join(root, 'parquet', 'naip');
      for (const file of readdirSync(folder)
        .filter((f) => f.endsWith('.parquet'))
        .sort())
        for await (const item of readGeoParquet(join(folder, file))) ids.push(`${file} ${item.id}`);
      return ids.sort();
    };
    // Without the saved months, item 8 would stay in 2021-10 too and the deleted item in 2018-08.
    expect(await rows(out)).toEqual(await rows(fresh));
  });

  it('targeted mode rebuilds only the selected items and keeps every other one as it is', async () => {
    const { items, out, config } = setup('json, ndjson');
    await rebuildCatalog(config(out), { mode: 'full' });
    const before = snapshot(out);
    const change = editSource(items);
    const target = change.modified[0]!;
    const result = await rebuildCatalog(config(out), { mode: 'targeted', selection: { ids: [target] } });
    expect([result.summary.added, result.summary.modified, result.summary.deleted]).toEqual([0, 1, 0]);
    const after = snapshot(out);
    for (const [path, file] of before) {
      if (path.split('/').length === 3 && !path.startsWith('ndjson') && !path.includes(target))
        expect(after.get(path), path).toEqual(file);
    }
    const rebuilt = ndjsonItems(out, 'HLSS30_2.0').get(target) as { properties: Record<string, unknown> };
    expect(rebuilt.properties['eo:cloud_cover']).toBe(42);
    expect(
      ndjsonItems(out, 'naip').has(change.deleted) || ndjsonItems(out, 'HLSS30_2.0').has(change.deleted),
    ).toBe(true);
  });

  it('runs a full rebuild when the output has no state, and refuses a state of another version', async () => {
    const { out, config } = setup('json');
    const first = await rebuildCatalog(config(out), { mode: 'incremental' });
    expect(first.summary.notes.join('\n')).toMatch(/ran as a full rebuild: the output folder has no state/);
    expect([first.summary.added, first.summary.succeeded]).toEqual([0, sourceLines.length]);
    expect(first.summary.strategy).toMatch(/^full/);
    writeFileSync(join(out, STATE_DIR, 'state.json'), JSON.stringify({ version: 99, collections: [] }));
    const run = rebuildCatalog(config(out), { mode: 'incremental' });
    await expect(run).rejects.toSatisfy(
      (e: unknown) => isScmError(e) && e.code === 'SCM_STATE_INVALID' && /version 99/.test(e.message),
    );
  });
});

describe('contentHash', () => {
  it('ignores key order, sees any value change, and keeps a __proto__ key as data', async () => {
    const { contentHash } = await import('../src/rebuild-state.js');
    const item = JSON.parse(sourceLines[0]!) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(item).reverse());
    expect(contentHash(reordered)).toBe(contentHash(item));
    expect(contentHash(reordered)).toMatch(/^[0-9a-f]{16}$/);
    expect(contentHash({ ...item, id: `${String(item.id)}x` })).not.toBe(contentHash(item));
    const hostile = JSON.parse('{"b": 1, "__proto__": {"polluted": true}}') as object;
    expect(contentHash(hostile)).not.toBe(contentHash({ b: 1 }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is SHA-256 of the canonical JSON (keys sorted at every level), so states of earlier runs still match', async () => {
    const { contentHash } = await import('../src/rebuild-state.js');
    const value = JSON.parse('{"z":[{"y":2,"x":{"b":true,"a":null}},3],"a":"é","__proto__":{"k":1}}');
    const canonical = '{"__proto__":{"k":1},"a":"é","z":[{"x":{"a":null,"b":true},"y":2},3]}';
    const expected = createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 16);
    expect(contentHash(value)).toBe(expected);
    expect(Object.keys(value)).toEqual(['z', 'a', '__proto__']); // the value itself is left as it was
  });
});
