/**
 * Sharded rebuilds of a local source: each shard reads the file groups that
 * hash to it, `mergeShards` builds one catalog that equals a single-process
 * rebuild in every format, refuses to publish without a missing shard, and
 * gives the same catalog again after a shard is re-run.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { isFailure, isScmError } from '@scm/core';
import { readParquet } from '@scm/input';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeShards, rebuildCatalog, rebuildShard, shardOfFile } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const data = join(repoRoot, 'examples/quickstart/data');
const COUNT = 3;

/** The quickstart's 24 real items cut into one file each, plus its collection and a file with a broken line. */
function splitSource(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-shards-src-'));
  const lines = readFileSync(join(data, 'items.ndjson'), 'utf8').split('\n').filter(Boolean);
  for (const [i, line] of lines.entries()) {
    writeFileSync(join(dir, `item-${String(i).padStart(2, '0')}.ndjson`), `${line}\n`);
  }
  writeFileSync(join(dir, 'broken.ndjson'), '{"type": "Feature", "id": \n');
  cpSync(join(data, 'HLSS30_2.0.collection.json'), join(dir, 'HLSS30_2.0.collection.json'));
  return dir;
}

function configFor(source: string, out: string) {
  const yaml = `
workflow: { name: shards }
source: { type: local_files, paths: [${source}] }
output: { format: [json, ndjson, parquet], path: ${out}, catalog: { id: sharded } }
`;
  return parseConfig(yaml, join(out, '..', 'config.yaml'), { env: {} });
}

function tempOut(): string {
  return join(mkdtempSync(join(tmpdir(), 'scm-shards-')), 'out');
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Items of the NDJSON output, sorted by id. */
function ndjsonItems(out: string): Array<{ id: string }> {
  const items: Array<{ id: string }> = [];
  for (const name of readdirSync(join(out, 'ndjson'), { withFileTypes: true })) {
    if (!name.isDirectory()) continue;
    const text = readFileSync(join(out, 'ndjson', name.name, 'items.ndjson'), 'utf8');
    items.push(
      ...text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string }),
    );
  }
  return items.sort(byId);
}

/** Items of the JSON tree (every `<collection>/<item>/<item>.json`), sorted by id. */
function treeItems(out: string): Array<{ id: string }> {
  const items: Array<{ id: string }> = [];
  for (const collection of readdirSync(out, { withFileTypes: true })) {
    if (!collection.isDirectory() || ['ndjson', 'parquet', 'shards'].includes(collection.name)) continue;
    for (const item of readdirSync(join(out, collection.name), { withFileTypes: true })) {
      if (item.isDirectory())
        items.push(
          JSON.parse(readFileSync(join(out, collection.name, item.name, `${item.name}.json`), 'utf8')),
        );
    }
  }
  return items.sort(byId);
}

/** Collections of the JSON tree, with their item links sorted (their order follows the read order). */
function treeCollections(out: string): unknown[] {
  const catalog = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8')) as {
    links: Array<{ rel: string; href: string }>;
  };
  return catalog.links
    .filter((l) => l.rel === 'child')
    .map((l) => l.href)
    .sort()
    .map((href) => {
      const c = JSON.parse(readFileSync(join(out, href), 'utf8')) as { links: Array<{ href: string }> };
      return { ...c, links: [...c.links].sort((a, b) => (a.href < b.href ? -1 : 1)) };
    });
}

/** Rows of every stac-geoparquet file, read back, sorted by id. */
async function parquetRows(out: string): Promise<Array<{ id: string }>> {
  const rows: Array<{ id: string }> = [];
  for (const dir of readdirSync(join(out, 'parquet'))) {
    for await (const entry of readParquet(join(out, 'parquet', dir, 'items.parquet'))) {
      if (!isFailure(entry)) rows.push(entry.value as { id: string });
    }
  }
  return rows.sort(byId);
}

async function runShards(source: string, out: string, shards: number[]): Promise<void> {
  for (const index of shards) {
    await rebuildShard(configFor(source, out), { mode: 'full', shard: { index, count: COUNT } });
  }
}

describe('sharded rebuild of local files', () => {
  let source: string;
  let single: string;
  beforeAll(async () => {
    source = splitSource();
    single = tempOut();
    await rebuildCatalog(configFor(source, single), { mode: 'full' });
  });

  it('gives every file group to exactly one shard, each shard its own parts under shards/K', async () => {
    const out = tempOut();
    await runShards(source, out, [0, 1, 2]);
    const partitions = [0, 1, 2].flatMap((k) => {
      const manifest = JSON.parse(readFileSync(join(out, 'shards', String(k), 'shard.json'), 'utf8'));
      expect(manifest.shard).toEqual({ index: k, count: COUNT });
      for (const file of manifest.plan.partitions) expect(shardOfFile(file, COUNT)).toBe(k);
      return manifest.plan.partitions as string[];
    });
    expect(partitions.sort()).toEqual(
      readdirSync(source)
        .map((name) => join(source, name))
        .sort(),
    );
    expect(existsSync(join(out, 'shards', '0', 'ndjson'))).toBe(true);
  });

  it('merges into the catalog a single process writes, in every format', async () => {
    const out = tempOut();
    await runShards(source, out, [0, 1, 2]);
    const result = await mergeShards({ outputPath: out });
    expect(result.merged).toEqual([0, 1, 2]);
    const whole = JSON.parse(readFileSync(join(single, 'summary.json'), 'utf8'));
    expect(result.summary.succeeded).toBe(whole.succeeded);
    expect(result.summary.failed).toBe(whole.failed);
    expect(result.summary.failed).toBeGreaterThan(0);
    expect(ndjsonItems(single)).toHaveLength(24);
    expect(ndjsonItems(out)).toEqual(ndjsonItems(single));
    expect(treeItems(out)).toHaveLength(24);
    expect(treeItems(out)).toEqual(treeItems(single));
    expect(treeCollections(out)).toEqual(treeCollections(single));
    expect(await parquetRows(out)).toEqual(await parquetRows(single));
    const failures = (dir: string) =>
      readFileSync(join(dir, 'failed_items.ndjson'), 'utf8').split('\n').filter(Boolean).length;
    expect(failures(out)).toBe(failures(single));
  });

  it('refuses to publish with a shard missing, naming it, unless partial', async () => {
    const out = tempOut();
    await runShards(source, out, [0, 2]);
    const refused = mergeShards({ outputPath: out });
    await expect(refused).rejects.toSatisfy(
      (e: unknown) =>
        isScmError(e) && e.code === 'SCM_SHARD_MISSING' && /missing \(not finished\): 1 of 3/.test(e.message),
    );
    expect(existsSync(join(out, 'catalog.json'))).toBe(false);
    const partial = await mergeShards({ outputPath: out, partial: true });
    expect(partial.missing).toEqual([1]);
    expect(partial.summary.notes).toContain(
      'shard 1 of 3 is missing (not finished): its items are not in this catalog',
    );
    expect(ndjsonItems(out).length).toBeLessThan(ndjsonItems(single).length);
  });

  it('gives the same catalog after a shard is run again and the merge repeated', async () => {
    const out = tempOut();
    await runShards(source, out, [0, 1, 2]);
    await mergeShards({ outputPath: out });
    const first = { nd: ndjsonItems(out), tree: treeItems(out), collections: treeCollections(out) };
    rmSync(join(out, 'shards', '1'), { recursive: true });
    await runShards(source, out, [1]);
    await mergeShards({ outputPath: out });
    expect({ nd: ndjsonItems(out), tree: treeItems(out), collections: treeCollections(out) }).toEqual(first);
    expect(readdirSync(join(out, '..'))).toEqual(['out']);
  });

  it("clears what a killed run of the same shard left (staging and previous folders), not other shards'", async () => {
    const out = tempOut();
    await runShards(source, out, [0, 1, 2]);
    const shards = join(out, 'shards');
    for (const name of ['.1.staging-4242-1', '.1.previous-4242-2', '.2.staging-4343-3']) {
      mkdirSync(join(shards, name, 'ndjson'), { recursive: true });
      writeFileSync(join(shards, name, 'ndjson', 'collections.ndjson'), '{"id":"half"}\n');
    }
    await runShards(source, out, [1]);
    expect(readdirSync(shards).sort()).toEqual(['.2.staging-4343-3', '0', '1', '2']);
  });

  it('finishes a shard that no file group hashed to, and merges it', async () => {
    const one = mkdtempSync(join(tmpdir(), 'scm-shards-one-'));
    cpSync(join(data, 'items.ndjson'), join(one, 'items.ndjson'));
    const out = tempOut();
    await runShards(one, out, [0, 1, 2]);
    const result = await mergeShards({ outputPath: out });
    expect(result.merged).toEqual([0, 1, 2]);
    expect(result.summary.succeeded).toBe(ndjsonItems(out).length);
    expect(ndjsonItems(out).length).toBeGreaterThan(0);
  });

  it('refuses shards planned with different shard counts', async () => {
    const out = tempOut();
    await runShards(source, out, [0]);
    await rebuildShard(configFor(source, out), { mode: 'full', shard: { index: 1, count: 2 } });
    await expect(mergeShards({ outputPath: out, partial: true })).rejects.toSatisfy(
      (e: unknown) => isScmError(e) && e.code === 'SCM_USAGE' && /planned differently/.test(e.message),
    );
  });

  it('will not replace files it did not write beside the shards', async () => {
    const out = tempOut();
    await runShards(source, out, [0, 1, 2]);
    mkdirSync(join(out, 'mine'));
    await expect(mergeShards({ outputPath: out })).rejects.toSatisfy(
      (e: unknown) => isScmError(e) && e.code === 'SCM_OUTPUT_EXISTS',
    );
    expect(existsSync(join(out, 'mine'))).toBe(true);
  });
});
