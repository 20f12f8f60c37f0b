/**
 * The page reader assembles nested columns itself (assemble.ts) for the shapes stac-geoparquet writers use, and
 * leaves other shapes to hyparquet. Its rows must be exactly the rows hyparquet's own reader gives: this file
 * is written with every kind of absence (null struct, struct of nulls, null / empty list, null element, nested
 * lists, lists of structs with lists) and a MAP column (hyparquet's assembler), in small pages so that batches
 * cross page boundaries, and read both ways.
 */
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnAssembler } from '../src/assemble.js';
import { RowGroupReader } from '../src/page-reader.js';
import { tempDir } from './helpers/io.js';

type Element = Record<string, unknown> & { name: string };
const optional = (name: string, rest: Partial<Element> = {}): Element => ({
  name,
  repetition_type: 'OPTIONAL',
  ...rest,
});
const required = (name: string, rest: Partial<Element> = {}): Element => ({
  name,
  repetition_type: 'REQUIRED',
  ...rest,
});
const utf8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8' };
/** A 3-level LIST group and its repeated group, followed by the element (and its children) given. */
const list = (name: string, repetition: 'OPTIONAL' | 'REQUIRED', element: Element[]): Element[] => [
  { name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ...element,
];

const SCHEMA: Element[] = [
  { name: 'root', num_children: 10 },
  required('id', { type: 'INT32' }),
  optional('s', { num_children: 3 }),
  optional('a', { type: 'INT32' }),
  required('b', utf8),
  optional('inner', { num_children: 1 }),
  optional('x', { type: 'DOUBLE' }),
  required('rs', { num_children: 2 }),
  optional('p', utf8),
  required('q', { type: 'INT64' }),
  ...list('l', 'OPTIONAL', [optional('element', utf8)]),
  ...list('ls', 'OPTIONAL', [
    optional('element', { num_children: 2 }),
    optional('href', utf8),
    ...list('roles', 'OPTIONAL', [required('element', utf8)]),
  ]),
  ...list('ll', 'REQUIRED', [...list('element', 'OPTIONAL', [required('element', { type: 'INT32' })])]),
  { name: 'm', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  required('key', utf8),
  optional('value', { type: 'INT32' }),
  optional('t', utf8),
  // dictionary-encoded: unique values (a dictionary over 64 KB, looked up unconverted) and a few repeated ones
  optional('u', utf8),
  optional('c', utf8),
];
const DICTIONARY_COLUMNS = new Set(['u', 'c']);

/** Deterministic rows where each optional part is absent, empty or null in turn. */
function rows(count: number): Record<string, unknown>[] {
  const pick = <T>(i: number, k: number, options: T[]): T =>
    options[(i * 7 + k * 13 + (i >> 3)) % options.length]!;
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    s: pick(i, 1, [
      null,
      { a: null, b: `b${i}`, inner: null },
      { a: i, b: 'same', inner: { x: null } },
      { a: -i, b: `b${i % 5}`, inner: { x: i / 4 } },
    ]),
    rs: { p: pick(i, 2, [null, `p${i}`, 'p']), q: BigInt(i) * 1000n },
    l: pick(i, 3, [null, [], [null], [`v${i}`, null, 'w'], Array.from({ length: i % 9 }, (_, j) => `e${j}`)]),
    ls: pick(i, 4, [
      null,
      [],
      [null],
      [{ href: null, roles: null }],
      [{ href: `h${i}`, roles: [] }, { href: 'h', roles: ['data', `r${i % 3}`] }, null],
    ]),
    ll: pick(i, 5, [[], [null], [[]], [[1, 2], null, [], [i]], [[i, i + 1, i + 2]]]),
    m: pick(i, 6, [null, {}, { k: 1 }, { k: null, [`k${i % 4}`]: i }]),
    t: pick(i, 7, [null, '', `text ${i}`]),
    u:
      i % 11 === 0
        ? null
        : `s3://lp-prod-protected/HLSS30.020/HLS.S30.T13SFC.2022273T174141.v2.0/HLS.S30.T13SFC.${i}.v2.0.B01.tif?${'signature'.repeat(7)}`,
    c: pick(i, 8, [null, 'image/tiff', 'image/jpeg', 'application/json']),
  }));
}

describe('nested column assembly', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('gives the rows hyparquet gives, for every shape of absence, across pages and row groups', async () => {
    const data = rows(1_500);
    const path = join(tmp.dir, 'nested.parquet');
    const columnData = topLevel(SCHEMA).map((element) => ({
      name: element.name,
      data: data.map((row) => row[element.name]),
      ...(DICTIONARY_COLUMNS.has(element.name) ? { encoding: 'RLE_DICTIONARY' as const } : {}),
    }));
    const buffer = parquetWriteBuffer({
      columnData,
      schema: SCHEMA as never,
      rowGroupSize: 600,
      pageSize: 512,
      codec: 'UNCOMPRESSED',
    });
    writeFileSync(path, new Uint8Array(buffer));

    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file, { geoparquet: false });
    const expected = await parquetReadObjects({ file, metadata, utf8: false, geoparquet: false });

    const handle = await open(path, 'r');
    const actual: Record<string, unknown>[] = [];
    try {
      for (const group of metadata.row_groups) {
        const reader = await RowGroupReader.open(handle, parquetSchema(metadata), group, { parsers: {} });
        // an odd batch size, so that batches start and end inside pages
        for (let done = 0; done < Number(group.num_rows); done += 7) {
          actual.push(...(await reader.read(Math.min(7, Number(group.num_rows) - done))));
        }
      }
    } finally {
      await handle.close();
    }
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([600, 600, 300]);
    // several pages in a column chunk (pages end at a row once they pass `pageSize`)
    const largest = Math.max(
      ...metadata.row_groups[0]!.columns.map((c) => Number(c.meta_data?.total_uncompressed_size)),
    );
    expect(largest).toBeGreaterThan(4 * 512);
    // every column but the MAP goes through our assembler
    const schema = parquetSchema(metadata);
    const ours = schema.children.filter((child) => ColumnAssembler.for(child)).map((c) => c.element.name);
    expect(ours).toEqual(['id', 's', 'rs', 'l', 'ls', 'll', 't', 'u', 'c']);
    const encodings = (name: string) =>
      metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === name)?.meta_data
        ?.encodings;
    expect(encodings('u')).toContain('RLE_DICTIONARY');
    const u = metadata.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'u')!.meta_data!;
    expect(Number(u.data_page_offset) - Number(u.dictionary_page_offset)).toBeGreaterThan(64 * 1024);
    expect(encodings('c')).toContain('RLE_DICTIONARY');
    expect(actual).toHaveLength(expected.length);
    expect(actual).toStrictEqual(expected.map((row) => ({ ...row })));
  });
});

/** The children of the root (the flattened schema lists each element's children after it). */
function topLevel(schema: Element[]): Element[] {
  const out: Element[] = [];
  for (let i = 1; i < schema.length; i = skip(schema, i)) out.push(schema[i]!);
  return out;
}

function skip(all: Element[], index: number): number {
  let next = index + 1;
  for (let c = 0; c < Number(all[index]!.num_children ?? 0); c++) next = skip(all, next);
  return next;
}
