import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFailure } from '@scm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, openSource } from '../src/index.js';
import { drain, fixture, rejection } from './helpers.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scm-input-source-'));
  await writeFile(join(dir, 'items.json'), '{"id":"a","n":1}\n{"id":"b","n":2}\n');
  await writeFile(join(dir, 'data.txt'), 'id,n\n1,2\n');
  await writeFile(join(dir, 'noext'), 'PAR1 pretend');
  await writeFile(
    join(dir, 'collection.geojson'),
    JSON.stringify({ id: 'c', type: 'Collection', links: [] }),
  );
  const mixed = join(dir, 'mixed');
  await mkdir(mixed);
  await copyFile(fixture('parity', 'records.ndjson'), join(mixed, 'b.ndjson'));
  await copyFile(fixture('parity', 'records.csv'), join(mixed, 'a.csv'));
  await copyFile(fixture('json', 'features-only.json'), join(mixed, 'c.json'));
  await copyFile(fixture('parquet', 'codec-snappy.parquet'), join(mixed, 'd.parquet'));
  await writeFile(join(mixed, 'notes.md'), '# not data');
  await writeFile(join(mixed, '.hidden.json'), '[]');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detectFormat', () => {
  it('decides by extension, then by content', async () => {
    expect(await detectFormat(fixture('csv', 'wkt.csv'))).toBe('csv');
    expect(await detectFormat(fixture('csv', 'tab.tsv'))).toBe('csv');
    expect(await detectFormat(fixture('ndjson', 'records.ndjson'))).toBe('ndjson');
    expect(await detectFormat(fixture('parquet', 'codec-gzip.parquet'))).toBe('parquet');
    expect(await detectFormat(fixture('json', 'array.json'))).toBe('json');
    expect(await detectFormat(fixture('json', 'object.json'))).toBe('json');
    expect(await detectFormat(fixture('json', 'item-collection.json'))).toBe('json');
    expect(await detectFormat(fixture('catalog', 'catalog.json'))).toBe('stac');
    expect(await detectFormat(fixture('catalog', 'simple-collection', 'collection.json'))).toBe('stac');
    expect(await detectFormat(join(dir, 'collection.geojson'))).toBe('stac');
    expect(await detectFormat(join(dir, 'items.json'))).toBe('ndjson');
    expect(await detectFormat(join(dir, 'noext'))).toBe('parquet');
    expect(await detectFormat(fixture('catalog'))).toBe('stac');
    expect(await detectFormat(join(dir, 'mixed'))).toBe('folder');
  });

  it('throws SCM_INPUT_UNSUPPORTED when it cannot tell and SCM_INPUT_NOT_FOUND for a missing path', async () => {
    const unknown = await rejection(detectFormat(join(dir, 'data.txt')));
    expect(unknown.code).toBe('SCM_INPUT_UNSUPPORTED');
    expect((await rejection(detectFormat(join(dir, 'missing.csv')))).code).toBe('SCM_INPUT_NOT_FOUND');
  });
});

describe('openSource', () => {
  it('is a core Source that reads nothing until records() is iterated', async () => {
    const source = openSource({ path: join(dir, 'does-not-exist.csv') });
    expect(source.name).toBe('auto:does-not-exist.csv');
    expect((await rejection(drain(source.records()))).code).toBe('SCM_INPUT_NOT_FOUND');
  });

  it('reads several paths in order, each with its detected format', async () => {
    const source = openSource({
      path: fixture('parity', 'records.csv'),
      paths: [fixture('catalog'), fixture('json', 'feature-collection.json'), join(dir, 'items.json')],
    });
    expect(source.name).toBe('auto:records.csv (+3 more)');
    const { records, failures } = await drain(source.records());
    expect(failures).toHaveLength(1); // the catalog's missing child
    const files = records.map((r) => r.origin.file);
    expect(files.slice(0, 3)).toEqual(Array(3).fill(fixture('parity', 'records.csv')));
    expect(files[3]).toBe(fixture('catalog', 'catalog.json'));
    expect(records.slice(-4).map((r) => r.value.id)).toEqual(['item-1', 'item-2', 'a', 'b']);
  });

  it('reads a folder without a catalog file by file in sorted order, skipping other files', async () => {
    const warnings: string[] = [];
    const source = openSource({ path: join(dir, 'mixed'), onWarning: (m) => warnings.push(m) });
    const { records } = await drain(source.records());
    const names = records.map((r) => r.origin.file!.split('/').pop());
    expect(names).toEqual([
      'a.csv',
      'a.csv',
      'a.csv',
      'b.ndjson',
      'b.ndjson',
      'b.ndjson',
      'c.json',
      'c.json',
      'd.parquet',
      'd.parquet',
      'd.parquet',
    ]);
    expect(warnings).toEqual([`skipping ${join(dir, 'mixed', 'notes.md')}: not a data file`]);
  });

  it('tells onFileOpened about each file as it starts reading it, with its format', async () => {
    const opened: string[] = [];
    const source = openSource({
      path: join(dir, 'mixed'),
      onFileOpened: (file, format) => opened.push(`${file.split('/').pop()} ${format}`),
    });
    expect(opened).toEqual([]);
    await drain(source.records());
    expect(opened).toEqual([
      '.hidden.json json',
      'a.csv csv',
      'b.ndjson ndjson',
      'c.json json',
      'd.parquet parquet',
    ]);
  });

  it('applies an explicit format to a folder, and passes per-format options', async () => {
    const source = openSource({ path: join(dir, 'mixed'), format: 'csv', csv: { dynamicTyping: true } });
    expect(source.name).toBe('csv:mixed');
    const { records } = await drain(source.records());
    expect(records).toHaveLength(3);
    expect(records[0]!.value.count).toBe(12);
    const parquet = await drain(
      openSource({ path: join(dir, 'mixed'), format: 'parquet', parquet: { columns: ['id'] } }).records(),
    );
    expect(parquet.records.map((r) => r.value)).toEqual([{ id: 'r1' }, { id: 'r2' }, { id: 'r3' }]);
  });

  it('passes the abort signal to the readers', async () => {
    const controller = new AbortController();
    const source = openSource({ path: fixture('parity', 'records.ndjson') });
    const error = await rejection(
      (async () => {
        for await (const _ of source.records({ signal: controller.signal })) controller.abort();
      })(),
    );
    expect(error.code).toBe('SCM_ABORTED');
  });

  it('rejects a missing path and an unknown format at once', () => {
    expect(() => openSource({})).toThrow(expect.objectContaining({ code: 'SCM_CONFIG_INVALID' }));
    expect(() => openSource({ path: 'x', format: 'xml' as never })).toThrow(
      expect.objectContaining({ code: 'SCM_INPUT_UNSUPPORTED' }),
    );
  });
});

describe('empty inputs', () => {
  it('all give the same "no records in <path>" warning and yield nothing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'scm-input-empty-'));
    const inputs = {
      'empty.csv': '',
      'header-only.csv': 'dataset_id,collection_name,acquisition_date\n',
      'empty.ndjson': '',
      'empty.json': '',
      'empty-array.json': '[]\n',
    };
    for (const [name, text] of Object.entries(inputs)) await writeFile(join(empty, name), text);
    await mkdir(join(empty, 'folder'));
    for (const name of [...Object.keys(inputs), 'folder']) {
      const path = join(empty, name);
      const warnings: string[] = [];
      const { sequence } = await drain(
        openSource({ path, onWarning: (message) => warnings.push(message) }).records(),
      );
      expect(sequence, name).toEqual([]);
      expect(warnings, name).toEqual([`no records in ${path}`]);
    }
  });

  it('warns only about the empty one of several paths', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'scm-input-empty-'));
    await writeFile(join(empty, 'none.ndjson'), '\n\n');
    const warnings: { message: string; context: Record<string, unknown> }[] = [];
    const records = fixture('ndjson', 'records.ndjson');
    const source = openSource({
      paths: [join(empty, 'none.ndjson'), records],
      onWarning: (message, context) => warnings.push({ message, context }),
    });
    expect((await drain(source.records())).records.length).toBeGreaterThan(0);
    // The other file's one note: the __proto__ member of its line 7, which the reader does not read.
    expect(warnings.map((w) => (w.context.empty ? w.message : w.context))).toEqual([
      `no records in ${join(empty, 'none.ndjson')}`,
      { file: records, line: 7, dropped: ['/__proto__'] },
    ]);
  });
});

describe('onBytesRead (progress by bytes read)', () => {
  it('counts the bytes of every data file of a folder up to their summed size, with no second pass', async () => {
    const mixed = join(dir, 'mixed');
    const sizes = await Promise.all(
      ['.hidden.json', 'a.csv', 'b.ndjson', 'c.json', 'd.parquet'].map(
        async (name) => (await stat(join(mixed, name))).size,
      ),
    );
    const calls: [number, number][] = [];
    const seenAtRecord: number[] = [];
    const source = openSource({ path: mixed, onBytesRead: (read, total) => calls.push([read, total]) });
    for await (const entry of source.records()) {
      if (!isFailure(entry)) seenAtRecord.push(calls.at(-1)?.[0] ?? 0);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(new Set(calls.map(([, t]) => t))).toEqual(new Set([total]));
    const reads = calls.map(([read]) => read);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(reads.at(-1)).toBeCloseTo(total, 6);
    // Each record is yielded after the bytes it came from were counted.
    expect(seenAtRecord.every((read) => read > 0)).toBe(true);
    expect(seenAtRecord.at(-1)).toBeCloseTo(total, 6);
  });

  it('is never called for a static catalog, whose size is unknown until its links are followed', async () => {
    const calls: number[] = [];
    await drain(openSource({ path: fixture('catalog'), onBytesRead: (read) => calls.push(read) }).records());
    expect(calls).toEqual([]);
  });
});
