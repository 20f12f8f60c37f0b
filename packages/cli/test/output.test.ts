import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const repo = resolve(new URL('.', import.meta.url).pathname, '../../..');
const data = join(repo, 'examples/quickstart/data');
const bin = new URL('../dist/bin.js', import.meta.url).pathname;

async function rebuild(formats: string): Promise<string> {
  const dir = tempDir('scm-output-');
  const config = join(dir, 'config.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    config,
    `workflow: { name: formats }
source: { type: local_files, paths: [${data}/HLSS30_2.0.collection.json, ${data}/items.ndjson] }
output: { format: [${formats}], path: out }
`,
  );
  const run = await cli(['rebuild-catalog', '--config', config, '--quiet', '--log-level', 'warn']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return join(dir, 'out');
}

function ndjsonItems(dir: string): Map<string, unknown> {
  const items = new Map<string, unknown>();
  for (const collection of readdirSync(dir, { withFileTypes: true })) {
    if (!collection.isDirectory()) continue;
    const file = join(dir, collection.name, 'items.ndjson');
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const item = JSON.parse(line) as { id: string };
      items.set(item.id, item);
    }
  }
  return items;
}

describe('rebuild-catalog with parquet output', () => {
  it('writes one stac-geoparquet file per collection beside its collection.json', async () => {
    const out = await rebuild('ndjson, parquet');
    for (const collection of ['HLSS30_2.0', 'naip', 'sentinel-2-l2a', 'landsat-c2-l2']) {
      expect(existsSync(join(out, 'parquet', collection, 'items.parquet')), collection).toBe(true);
      expect(existsSync(join(out, 'parquet', collection, 'collection.json')), collection).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.outputs).toContain('parquet/naip/items.parquet');
  });

  it('leaves no NDJSON behind when only parquet was asked for', async () => {
    const out = await rebuild('parquet');
    // .scm-state is the state the next incremental run compares with (see @scm/workflow).
    expect(readdirSync(out).sort()).toEqual([
      '.scm-state',
      '.stac-catalog-manager.json',
      'parquet',
      'report.html',
      'report_record.json',
      'summary.json',
    ]);
  });
});

describe('output (format conversion)', () => {
  it('NDJSON -> Parquet -> NDJSON gives back the same items', async () => {
    const out = await rebuild('ndjson');
    const parent = tempDir('scm-convert-');
    const toParquet = await cli([
      'output',
      '--input',
      join(out, 'ndjson'),
      '--output-format',
      'parquet',
      '--output-path',
      join(parent, 'pq'),
    ]);
    expect(toParquet.stderr).not.toMatch(/error/i);
    expect(toParquet.stdout).toMatch(/ndjson-dir -> parquet: 4 collection\(s\), 24 item\(s\)/);
    const back = await cli([
      'output',
      '--input',
      join(parent, 'pq'),
      '--output-format',
      'ndjson',
      '--output-path',
      join(parent, 'nd'),
    ]);
    expect(back.stdout).toMatch(/parquet -> ndjson: 4 collection\(s\), 24 item\(s\)/);
    expect(ndjsonItems(join(parent, 'nd'))).toEqual(ndjsonItems(join(out, 'ndjson')));
    const collections = readFileSync(join(parent, 'nd', 'collections.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(collections).toHaveLength(4);
  });

  it('writes 10,000 items of one collection with pass two on two threads, and reads them back', async () => {
    // From 10,000 rows a stac-geoparquet file gets its helper thread. The built binary runs it from its built
    // entry (dist/shred-helper-worker.js); the way back runs in this process, from the sources.
    const dir = tempDir('scm-convert-');
    const naip = readFileSync(join(data, 'items.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; collection?: string })
      .find((item) => item.collection === 'naip')!;
    const items = new Map(
      Array.from({ length: 10_000 }, (_, i) => [`${naip.id}-${i}`, { ...naip, id: `${naip.id}-${i}` }]),
    );
    const input = join(dir, 'items.ndjson');
    writeFileSync(input, `${[...items.values()].map((item) => JSON.stringify(item)).join('\n')}\n`);
    const pq = join(dir, 'pq');
    const toParquet = spawnSync(
      process.execPath,
      [bin, 'output', '--input', input, '--output-format', 'parquet', '--output-path', pq],
      { encoding: 'utf8' },
    );
    expect(toParquet.stderr).toBe('');
    expect(toParquet.status).toBe(0);
    expect(toParquet.stdout).toMatch(/1 collection\(s\), 10,?000 item\(s\)/);
    const back = await cli([
      'output',
      '--input',
      pq,
      '--output-format',
      'ndjson',
      '--output-path',
      join(dir, 'nd'),
    ]);
    expect(back.code).toBe(0);
    expect(ndjsonItems(join(dir, 'nd'))).toEqual(items);
  });

  it('rebuild-catalog checks and observes stac-geoparquet rows on a thread of their own from 1,000 items', async () => {
    // The built binary starts pass one's observer thread from its built entry (dist/observer-worker.js) once
    // 1,000 items were observed on the main thread; the Parquet file must hold every item of the NDJSON.
    const dir = tempDir('scm-observer-');
    const naip = readFileSync(join(data, 'items.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .find((line) => (JSON.parse(line) as { collection?: string }).collection === 'naip')!;
    const lines = Array.from({ length: 1_500 }, (_, i) => naip.replace(/"id":"([^"]+)"/, `"id":"$1-${i}"`));
    writeFileSync(join(dir, 'items.ndjson'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'config.yaml'),
      `workflow: { name: observer }
source: { type: local_files, paths: [${join(dir, 'items.ndjson')}] }
output: { format: [ndjson, parquet], path: ${join(dir, 'out')} }
`,
    );
    const run = spawnSync(
      process.execPath,
      [bin, 'rebuild-catalog', '--config', join(dir, 'config.yaml'), '--quiet'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const back = await cli([
      'output',
      '--input',
      join(dir, 'out', 'parquet'),
      '--output-format',
      'ndjson',
      '--output-path',
      join(dir, 'nd'),
    ]);
    expect(back.code).toBe(0);
    const written = ndjsonItems(join(dir, 'out', 'ndjson'));
    expect(written.size).toBe(1_500);
    expect(ndjsonItems(join(dir, 'nd'))).toEqual(written);
  });

  it('JSON tree -> NDJSON keeps every item and collection', async () => {
    const out = await rebuild('json');
    const target = join(tempDir('scm-convert-'), 'nd');
    const run = await cli(['output', '--input', out, '--output-format', 'ndjson', '--output-path', target]);
    expect(run.stdout).toMatch(/json-tree -> ndjson: 4 collection\(s\), 24 item\(s\)/);
    expect(ndjsonItems(target).size).toBe(24);
  });

  it('NDJSON -> JSON tree makes a catalog with relative links', async () => {
    const out = await rebuild('ndjson');
    const target = join(tempDir('scm-convert-'), 'tree');
    const run = await cli([
      'output',
      '--input',
      join(out, 'ndjson'),
      '--output-format',
      'json',
      '--output-path',
      target,
    ]);
    expect(run.code).toBe(0);
    const catalog = JSON.parse(readFileSync(join(target, 'catalog.json'), 'utf8'));
    expect(catalog.links.filter((l: { rel: string }) => l.rel === 'child')).toHaveLength(4);
  });

  const quickstartCollections = ['HLSS30_2.0', 'landsat-c2-l2', 'naip', 'sentinel-2-l2a'];
  const scaffoldedLine = (id: string) =>
    `collection "${id}" was not in the input; it was scaffolded from its items' extent`;

  /** Converts the quickstart's items.ndjson (items only, no collection) and returns the run and the output. */
  async function convertItemsOnly(format: string) {
    const target = join(tempDir('scm-convert-'), format);
    const run = await cli([
      'output',
      '--input',
      join(data, 'items.ndjson'),
      '--output-format',
      format,
      '--output-path',
      target,
    ]);
    expect(run.code).toBe(0);
    return { run, target };
  }

  it('scaffolds the collections items name when the input has none, for pypgstac (ndjson)', async () => {
    const { run, target } = await convertItemsOnly('ndjson');
    const lines = readFileSync(join(target, 'collections.ndjson'), 'utf8').trim().split('\n');
    const collections = lines.map((line) => JSON.parse(line));
    expect(collections.map((c) => c.id).sort()).toEqual(quickstartCollections);
    const naip = collections.find((c) => c.id === 'naip');
    expect(naip).toMatchObject({ type: 'Collection', extent: { spatial: { bbox: [expect.any(Array)] } } });
    expect(run.stdout).toContain('4 collection(s), 24 item(s)');
    for (const id of quickstartCollections) expect(run.stdout).toContain(scaffoldedLine(id));
  });

  it('scaffolds them for the JSON tree and stac-geoparquet too', async () => {
    const tree = await convertItemsOnly('json');
    const catalog = JSON.parse(readFileSync(join(tree.target, 'catalog.json'), 'utf8'));
    expect(catalog.links.filter((l: { rel: string }) => l.rel === 'child')).toHaveLength(4);
    expect(tree.run.stdout).toContain(scaffoldedLine('naip'));
    const parquet = await convertItemsOnly('parquet');
    for (const id of quickstartCollections) {
      const collection = JSON.parse(readFileSync(join(parquet.target, id, 'collection.json'), 'utf8'));
      expect(collection.id).toBe(id);
    }
    expect(parquet.run.stdout).toContain(scaffoldedLine('sentinel-2-l2a'));
  });

  it('keeps a collection that comes among the records, and scaffolds only the others (parquet)', async () => {
    const dir = tempDir('scm-convert-');
    const collection = JSON.parse(readFileSync(join(data, 'HLSS30_2.0.collection.json'), 'utf8'));
    const mixed = join(dir, 'mixed.ndjson');
    writeFileSync(
      mixed,
      `${JSON.stringify(collection)}\n${readFileSync(join(data, 'items.ndjson'), 'utf8')}`,
    );
    const target = join(dir, 'parquet');
    const run = await cli([
      'output',
      '--input',
      mixed,
      '--output-format',
      'parquet',
      '--output-path',
      target,
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(target, 'HLSS30_2.0', 'collection.json'), 'utf8'))).toEqual(
      collection,
    );
    expect(run.stdout).not.toContain(scaffoldedLine('HLSS30_2.0'));
    expect(run.stdout).toContain(scaffoldedLine('naip'));
  });

  it('scaffolds nothing when the input has its collections', async () => {
    const out = await rebuild('ndjson');
    const target = join(tempDir('scm-convert-'), 'again');
    const run = await cli([
      'output',
      '--input',
      join(out, 'ndjson'),
      '--output-format',
      'ndjson',
      '--output-path',
      target,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('scaffolded');
  });

  it('refuses a missing input with exit 3', async () => {
    const run = await cli([
      'output',
      '--input',
      '/nonexistent/x',
      '--output-format',
      'json',
      '--output-path',
      join(tempDir(), 'o'),
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/SCM_INPUT_NOT_FOUND/);
  });
});
