import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScmError, type Progress, type StacItem } from '@scm/core';
import { readGeoParquet } from '@scm/output-parquet';
import { integrationGate } from '@scm/testing/gate';
import { bundledSchemasDir } from '@scm/validate';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '@scm/config';
import { convertCatalog, rebuildCatalog, updateMetadata } from '../src/index.js';
import { missingPrerequisite, python, repoRoot } from './integration-env.js';

const data = join(repoRoot, 'examples/quickstart/data');
const NOW = new Date('2026-12-05T09:00:00.000Z');
const HLS = 'HLS.S30.T13SFC.2022273T174141.v2.0';
const NAIP = 'vt_m_4307308_nw_18_h_20160805';

const UPDATES = `
updates:
  - select: { collection: naip, datetime: 2023-01-01/.. }
    set: { properties.license_note: "see {collection_id}", assets.*.title: "{item_id} {asset_key}" }
  - select: { ids: [${HLS}] }
    delete: true
  - select: { ids: [${NAIP}] }
    remove: [properties.datetime]
`;

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'scm-update-'));
}

function updatesFile(text = UPDATES): string {
  const path = join(temp(), 'updates.yaml');
  writeFileSync(path, text);
  return path;
}

async function quickstartAs(format: 'json' | 'ndjson' | 'parquet'): Promise<string> {
  const outputPath = join(temp(), format);
  const input = join(temp(), 'in');
  await convertCatalog({ input: data, outputFormat: 'ndjson', outputPath: input });
  await convertCatalog({ input, outputFormat: format, outputPath });
  return outputPath;
}

function ndjsonItems(folder: string): StacItem[] {
  const items: StacItem[] = [];
  for (const collection of readdirSync(folder)) {
    const file = join(folder, collection, 'items.ndjson');
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line) items.push(JSON.parse(line));
  }
  return items;
}

// 24 items and 4 collections: six NAIP items of 2023 updated, one deleted, one failed.
const expectedCounts = { updated: 6, deleted: 1, failed: 1, unchanged: 20 };

describe('update-metadata', () => {
  it('updates a JSON tree in place: deletes the file and its link, keeps an item the update would break', async () => {
    const tree = await quickstartAs('json');
    const hlsFile = join(tree, 'HLSS30_2.0', HLS, `${HLS}.json`);
    expect(existsSync(hlsFile)).toBe(true);
    const result = await updateMetadata({
      input: tree,
      updatesPath: updatesFile(),
      outputPath: tree,
      now: NOW,
    });
    expect(result).toMatchObject(expectedCounts);
    expect(existsSync(hlsFile)).toBe(false);
    const hlsCollection = JSON.parse(readFileSync(join(tree, 'HLSS30_2.0', 'collection.json'), 'utf8'));
    const itemLinks = hlsCollection.links.filter((l: { rel: string }) => l.rel === 'item');
    expect(itemLinks.map((l: { href: string }) => l.href).join()).not.toContain(HLS);
    expect(itemLinks.length).toBe(1);
    const naip = JSON.parse(readFileSync(join(tree, 'naip', NAIP, `${NAIP}.json`), 'utf8'));
    expect(naip.properties.datetime).toBe('2016-08-05T00:00:00Z');
    const failures = readFileSync(join(tree, 'failed_items.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(failures).toMatchObject([{ item_id: NAIP, error_type: 'validation_error' }]);
    const audit = JSON.parse(readFileSync(join(tree, 'transformation_audit.json'), 'utf8'));
    expect(audit.filter((c: { op: string }) => c.op === 'delete')).toMatchObject([{ id: HLS, path: '' }]);
    const summary = JSON.parse(readFileSync(join(tree, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject(expectedCounts);
  });

  it('updates an NDJSON folder: templates filled, updated stamped', async () => {
    const folder = await quickstartAs('ndjson');
    const out = join(temp(), 'out');
    const result = await updateMetadata({
      input: folder,
      updatesPath: updatesFile(),
      outputPath: out,
      now: NOW,
    });
    expect(result).toMatchObject(expectedCounts);
    const items = ndjsonItems(out);
    expect(items).toHaveLength(23);
    const changed = items.filter((i) => i.properties.license_note === 'see naip');
    expect(changed).toHaveLength(6);
    for (const item of changed) {
      expect(item.properties.updated).toBe(NOW.toISOString());
      for (const [key, asset] of Object.entries(item.assets)) expect(asset.title).toBe(`${item.id} ${key}`);
    }
    expect(items.find((i) => i.id === NAIP)?.properties.updated).toBeUndefined();
  });

  it('updates stac-geoparquet', async () => {
    const folder = await quickstartAs('parquet');
    const out = join(temp(), 'out');
    const result = await updateMetadata({
      input: folder,
      updatesPath: updatesFile(),
      outputPath: out,
      now: NOW,
    });
    expect(result).toMatchObject(expectedCounts);
    const items: StacItem[] = [];
    for (const entry of readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.parquet'),
    )) {
      for await (const item of readGeoParquet(join(out, entry)))
        if (!('error_type' in item)) items.push(item as StacItem);
    }
    expect(items.map((i) => i.id)).not.toContain(HLS);
    expect(items.filter((i) => i.properties.license_note === 'see naip')).toHaveLength(6);
  });

  it('keeps the monthly files of a stac-geoparquet folder it updates', async () => {
    const catalog = join(temp(), 'catalog');
    const config = `workflow: { name: t }
source: { type: local_files, paths: [${data}] }
output: { format: [parquet], path: ${catalog}, parquet_partition: month }
`;
    await rebuildCatalog(parseConfig(config, join(temp(), 'c.yaml'), { env: {} }), { mode: 'full' });
    const out = join(temp(), 'out');
    const result = await updateMetadata({
      input: join(catalog, 'parquet'),
      updatesPath: updatesFile(),
      outputPath: out,
      now: NOW,
    });
    expect(result).toMatchObject(expectedCounts);
    const files = (root: string) =>
      readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.parquet'))
        .sort();
    // One of the two HLS items of 2022-09 is deleted: every month keeps its file.
    expect(files(out)).toEqual(files(join(catalog, 'parquet')));
    expect(files(out)).toContain('naip/items-2023-06.parquet');
    const hls: string[] = [];
    for await (const item of readGeoParquet(join(out, 'HLSS30_2.0', 'items-2022-09.parquet')))
      hls.push(item.id);
    expect(hls).toEqual(['HLS.S30.T13SGC.2022273T174141.v2.0']);
  });

  it('tells its progress the bytes read of an NDJSON folder and of stac-geoparquet files, and the failures', async () => {
    for (const format of ['ndjson', 'parquet'] as const) {
      const folder = await quickstartAs(format);
      const positions: [number, number, string | undefined][] = [];
      let failed = 0;
      let ticks = 0;
      const progress: Progress = {
        start() {},
        tick() {
          ticks += 1;
        },
        done() {},
        failed() {
          failed += 1;
        },
        position: (done, total, unit) => positions.push([done, total, unit]),
      };
      const result = await updateMetadata({
        input: folder,
        updatesPath: updatesFile(),
        outputPath: join(temp(), 'out'),
        now: NOW,
        progress,
      });
      expect(result).toMatchObject(expectedCounts);
      expect(ticks, format).toBe(28);
      expect(failed, format).toBe(expectedCounts.failed);
      const dataFiles = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith(format === 'ndjson' ? '.ndjson' : '.parquet'),
      );
      const size = dataFiles.reduce((sum, f) => sum + statSync(join(folder, f)).size, 0);
      expect(new Set(positions.map(([, total, unit]) => `${total} ${unit}`)), format).toEqual(
        new Set([`${size} bytes`]),
      );
      const done = positions.map(([d]) => d);
      expect(done, format).toEqual([...done].sort((a, b) => a - b));
      expect(done.at(-1), format).toBeCloseTo(size, 6);
    }
  });

  it('updates an NDJSON items file into a new file with side files beside it', async () => {
    const out = join(temp(), 'items.ndjson');
    const result = await updateMetadata({
      input: join(data, 'items.ndjson'),
      updatesPath: updatesFile(),
      outputPath: out,
      now: NOW,
    });
    expect(result).toMatchObject({ ...expectedCounts, unchanged: 16 });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(23);
    expect(existsSync(out.replace('.ndjson', '.transformation_audit.json'))).toBe(true);
    expect(existsSync(out.replace('.ndjson', '.failed_items.ndjson'))).toBe(true);
  });

  it('keeps a collection the update would make invalid, and reads a JSON ItemCollection', async () => {
    const folder = await quickstartAs('ndjson');
    const out = join(temp(), 'out');
    const broken =
      'updates:\n  - applies_to: collections\n    select: { collection: naip }\n    set: { extent: broken }\n';
    const result = await updateMetadata({ input: folder, updatesPath: updatesFile(broken), outputPath: out });
    expect(result).toMatchObject({ updated: 0, failed: 1, unchanged: 27 });
    const collections = readFileSync(join(out, 'collections.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(collections.find((c) => c.id === 'naip').extent.spatial).toBeDefined();

    const features = readFileSync(join(data, 'items.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const collectionFile = join(temp(), 'items.json');
    writeFileSync(collectionFile, JSON.stringify({ type: 'FeatureCollection', features }));
    const json = join(temp(), 'updated.json');
    const fromJson = await updateMetadata({
      input: collectionFile,
      updatesPath: updatesFile(),
      outputPath: json,
      now: NOW,
    });
    expect(fromJson).toMatchObject({ ...expectedCounts, unchanged: 16 });
    const written = JSON.parse(readFileSync(json, 'utf8'));
    expect(written.type).toBe('FeatureCollection');
    expect(written.features).toHaveLength(23);
  });

  it('a dry run lists the changes and writes nothing', async () => {
    const tree = await quickstartAs('json');
    const before = statSync(join(tree, 'catalog.json')).mtimeMs;
    const listing = readdirSync(tree, { recursive: true });
    const result = await updateMetadata({
      input: tree,
      updatesPath: updatesFile(),
      outputPath: tree,
      dryRun: true,
      now: NOW,
    });
    expect(result).toMatchObject(expectedCounts);
    expect(result.text).toContain(`${HLS}: delete`);
    expect(result.text).toContain('set /properties/license_note: (absent) -> "see naip"');
    expect(readdirSync(tree, { recursive: true })).toEqual(listing);
    expect(statSync(join(tree, 'catalog.json')).mtimeMs).toBe(before);
  });

  it('refuses a bad updates file with its location', async () => {
    const path = updatesFile('updates:\n  - select: { bbox: [1, 2] }\n    delete: true\n');
    const error = await updateMetadata({
      input: join(data, 'items.ndjson'),
      updatesPath: path,
      outputPath: join(temp(), 'x.ndjson'),
    }).catch((e: unknown) => e);
    expect(isScmError(error) && error.code).toBe('SCM_CONFIG_INVALID');
    expect(isScmError(error) && error.location).toMatchObject({ path: 'updates[0].select.bbox', line: 2 });
    const parse = await updateMetadata({
      input: data,
      updatesPath: updatesFile('updates: [\n'),
      outputPath: temp(),
    }).catch((e: unknown) => e);
    expect(isScmError(parse) && parse.code).toBe('SCM_CONFIG_PARSE');
  });
});

const oracles = integrationGate('update-metadata: Python stac-validator and pystac', () =>
  missingPrerequisite({ python: ['stac_validator', 'pystac', 'jsonschema'] }),
);

describe.skipIf(oracles.skip)('a JSON tree updated in place, checked by the Python tools', () => {
  it('passes stac-validator on every file, and pystac walks it', async () => {
    const tree = await quickstartAs('json');
    const selection = `updates:\n  - select: { bbox: [-73.5, 44, -72, 45], properties: { gsd: { max: 1 } } }\n    set: { properties.license_note: open }\n`;
    const result = await updateMetadata({
      input: tree,
      updatesPath: updatesFile(selection),
      outputPath: tree,
    });
    expect(result.updated).toBeGreaterThan(0);
    const run = (script: string, target: string) =>
      execFileSync(python, ['-W', 'ignore', join(repoRoot, script), bundledSchemasDir(), target], {
        encoding: 'utf8',
      });
    expect(run('tools/ci/stac_validator_offline.py', tree)).toMatch(
      /stac-validator: 29 objects, 29 valid, 0 invalid/,
    );
    expect(run('tools/python/pystac_validate_tree.py', join(tree, 'catalog.json'))).toMatch(
      /validate_all passed for 4 collections and 24 items/,
    );
  });
});
