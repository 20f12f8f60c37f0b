import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import {
  convertNdjsonToGeoParquet,
  createGeoParquetWriter,
  readGeoParquet,
  readGeoParquetMetadata,
  writeGeoParquet,
} from '../src/index.js';
import { mixedItems } from './helpers/generate.js';
import { asJson, readAll, tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function item(
  id: string,
  properties: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    },
    bbox: [0, 0, 1, 1],
    properties: { datetime: '2024-05-01T10:00:00Z', ...properties },
    links: [{ rel: 'self', href: `https://example.com/${id}` }],
    assets: { data: { href: `s3://b/${id}.tif`, roles: ['data'] } },
    ...extra,
  } as StacItem;
}

async function columnTypes(path: string): Promise<Record<string, string>> {
  const schema = parquetSchema(await parquetMetadataAsync(await asyncBufferFromFile(path)));
  const out: Record<string, string> = {};
  for (const child of schema.children) {
    const e = child.element;
    out[e.name] = e.type ?? (e.converted_type === 'LIST' ? 'LIST' : 'GROUP');
    if (e.converted_type && e.converted_type !== 'LIST') out[e.name] += `/${e.converted_type}`;
  }
  return out;
}

describe('createGeoParquetWriter', () => {
  it('reports items whose spec columns cannot hold them, and writes the rest', async () => {
    const path = join(tmp.dir, 'reported.parquet');
    const writer = createGeoParquetWriter({ path });
    const bad: [unknown, string][] = [
      [{ ...item('x'), id: 7 }, 'id'],
      [item('bbox', {}, { bbox: [0, 0, 1] }), 'bbox'],
      [
        item(
          'geom',
          {},
          {
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [0, 0],
                  [1, 0, 5],
                  [0, 0],
                ],
              ],
            },
          },
        ),
        'geometry',
      ],
      [item('geom-type', {}, { geometry: { type: 'Circle', coordinates: [0, 0] } }), 'geometry'],
      [item('props', {}, { properties: 'none' }), 'properties'],
      [item('dt', { datetime: '2024-13-01T00:00:00Z' }), 'properties.datetime'],
      [item('start', { start_datetime: 20240101 }), 'properties.start_datetime'],
      [item('links', {}, { links: { self: 'x' } }), 'links'],
      [item('asset', {}, { assets: { data: 'https://x' } }), 'assets.data'],
      [item('ext', {}, { stac_extensions: [1] }), 'stac_extensions'],
      [item('bigint', { n: 10n }), undefined as unknown as string],
      // Fails both the column check and serialisation: the check names the field.
      [item('both', { datetime: 'soon', n: 10n }), 'properties.datetime'],
      [{ ...item('no-id'), id: undefined }, 'id'],
    ];
    const failures = [];
    for (const [value] of bad) failures.push(await writer.write(value as StacItem));
    expect(await writer.write(item('good'))).toBeUndefined();
    const result = await writer.finish();
    expect(result.rows).toBe(1);
    expect(result.reported).toHaveLength(bad.length);
    expect(failures.map((f) => f?.error_context.field)).toEqual(bad.map(([, field]) => field));
    expect(result.reported[0]!.item_id).toBe('item 1');
    expect(result.reported[10]!.error_message).toMatch(/not JSON-serialisable/);
    expect(result.reported[11]!.error_message).not.toMatch(/serialisable/);
    // Every refused item counts, the unserialisable ones too, so an item without an id is named by its place.
    expect(result.reported[12]!.item_id).toBe(`item ${bad.length}`);
    expect(await readAll(path)).toStrictEqual([item('good')]);
  });

  it('refuses calls after finish (SCM_USAGE) and cleans up on abort', async () => {
    const dir = join(tmp.dir, 'lifecycle');
    const writer = createGeoParquetWriter({ path: join(dir, 'a.parquet') });
    await writer.write(item('a'));
    await writer.finish();
    await expect(writer.write(item('b'))).rejects.toMatchObject({ code: 'SCM_USAGE' });
    await expect(writer.finish()).rejects.toMatchObject({ code: 'SCM_USAGE' });

    const aborted = createGeoParquetWriter({ path: join(dir, 'b.parquet') });
    for (let i = 0; i < 3000; i++) await aborted.write(item(`i${i}`));
    await aborted.abort();
    expect(readdirSync(dir)).toEqual(['a.parquet']);
  });

  it('stops on the abort signal with SCM_ABORTED, leaving no partial file', async () => {
    const dir = join(tmp.dir, 'signal');
    const controller = new AbortController();
    const items = (async function* () {
      for (let i = 0; i < 50; i++) {
        if (i === 20) controller.abort(new Error('user stop'));
        yield item(`s${i}`);
      }
    })();
    await expect(
      writeGeoParquet(items, { path: join(dir, 'x.parquet'), signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'SCM_ABORTED',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes an empty file that reads back as no items', async () => {
    const path = join(tmp.dir, 'empty.parquet');
    const result = await writeGeoParquet([], { path });
    expect(result.rows).toBe(0);
    expect(await readAll(path)).toEqual([]);
    const meta = await readGeoParquetMetadata(path);
    expect(meta.rows).toBe(0);
    expect(meta.geo?.columns.geometry?.geometry_types).toEqual([]);
  });

  it('declares hinted columns, widens hints with data, types null-only columns as string', async () => {
    const path = join(tmp.dir, 'hints.parquet');
    const items = [item('h1', { 'eo:cloud_cover': 5, nothing: null }), item('h2', { 'eo:cloud_cover': 5 })];
    const result = await writeGeoParquet(items, {
      path,
      schemaHints: {
        properties: {
          'eo:cloud_cover': 'int',
          'sat:orbit_state': 'string',
          'proj:shape': { list: 'int' },
          'proj:centroid': { struct: { lat: 'double', lon: 'double' } },
          expires: 'timestamp',
        },
      },
    });
    expect(result.widened).toEqual([]);
    const types = await columnTypes(path);
    expect(types).toMatchObject({
      'eo:cloud_cover': 'INT64',
      'sat:orbit_state': 'BYTE_ARRAY/UTF8',
      'proj:shape': 'LIST',
      'proj:centroid': 'GROUP',
      expires: 'INT64/TIMESTAMP_MICROS',
      nothing: 'BYTE_ARRAY/UTF8',
      datetime: 'INT64/TIMESTAMP_MICROS',
    });
    expect(await readAll(path)).toStrictEqual(items);
    const widened = await writeGeoParquet([item('w', { 'eo:cloud_cover': 5.5 })], {
      path: join(tmp.dir, 'hints-widened.parquet'),
      schemaHints: { properties: { 'eo:cloud_cover': 'int' } },
    });
    expect(widened.widened).toEqual(['properties.eo:cloud_cover: int → double']);
  });

  it('writes GeoParquet 1.1 `geo` metadata that follows the schema', async () => {
    const path = join(tmp.dir, 'geo.parquet');
    const items = mixedItems(40);
    await writeGeoParquet(items, { path });
    const meta = await readGeoParquetMetadata(path);
    const geo = meta.geo!;
    // required members and their shapes (GeoParquet 1.1.0 schema.json)
    expect(geo.version).toBe('1.1.0');
    expect(geo.primary_column).toBe('geometry');
    expect(Object.keys(geo.columns)).toContain(geo.primary_column);
    for (const [name, column] of Object.entries(geo.columns)) {
      expect(column.encoding, name).toBe('WKB');
      expect(Array.isArray(column.geometry_types), name).toBe(true);
      expect(new Set(column.geometry_types).size, name).toBe(column.geometry_types.length);
      for (const t of column.geometry_types) {
        expect(t).toMatch(/^(GeometryCollection|(Multi)?(Point|LineString|Polygon))( Z)?$/);
      }
      if (column.bbox) expect([4, 6]).toContain(column.bbox.length);
      if ('edges' in column) expect(['planar', 'spherical']).toContain(column.edges);
      if ('orientation' in column) expect(column.orientation).toBe('counterclockwise');
    }
    const column = geo.columns.geometry!;
    expect(column.geometry_types).toEqual([
      'GeometryCollection',
      'LineString',
      'MultiPoint',
      'MultiPolygon',
      'Point Z',
      'Polygon',
      'Polygon Z',
    ]);
    expect(column.crs).toBeUndefined(); // absent means OGC:CRS84
    // bbox of all coordinates; the antimeridian items reach both ±180
    expect(column.bbox![0]).toBe(-180);
    expect(column.bbox![2]).toBe(180);
    expect(column.covering).toEqual({
      bbox: {
        xmin: ['bbox', 'xmin'],
        ymin: ['bbox', 'ymin'],
        xmax: ['bbox', 'xmax'],
        ymax: ['bbox', 'ymax'],
      },
    });
    // covering paths point at real leaf columns
    const schema = parquetSchema(await parquetMetadataAsync(await asyncBufferFromFile(path)));
    const bbox = schema.children.find((c) => c.element.name === 'bbox')!;
    expect(bbox.children.map((c) => [c.element.name, c.element.type])).toEqual([
      ['xmin', 'DOUBLE'],
      ['ymin', 'DOUBLE'],
      ['zmin', 'DOUBLE'],
      ['xmax', 'DOUBLE'],
      ['ymax', 'DOUBLE'],
      ['zmax', 'DOUBLE'],
    ]);
    const geometry = schema.children.find((c) => c.element.name === 'geometry')!.element;
    expect(geometry.type).toBe('BYTE_ARRAY');
    expect(geometry.repetition_type).not.toBe('REPEATED');
    expect(geo.columns['proj:geometry']).toEqual({ encoding: 'WKB', geometry_types: [], crs: null });
    expect(meta.stacGeoparquet).toEqual({ version: '1.1.0' });
  });

  it('stores the collections in the stac-geoparquet metadata', async () => {
    const path = join(tmp.dir, 'collections.parquet');
    const collection = {
      type: 'Collection',
      stac_version: '1.1.0',
      id: 'c1',
      description: 'd',
      license: 'CC0-1.0',
      extent: { spatial: { bbox: [[0, 0, 1, 1]] }, temporal: { interval: [[null, null]] } },
      links: [],
    } as const;
    await writeGeoParquet([item('x', {}, { collection: 'c1' })], { path, collection: collection as never });
    const meta = await readGeoParquetMetadata(path);
    expect(meta.stacGeoparquet).toEqual({ version: '1.1.0', collections: { c1: collection } });
    expect(meta.collections).toEqual({ c1: collection });
  });

  it('never writes prototype keys and never lets them reach objects on read', async () => {
    const path = join(tmp.dir, 'proto.parquet');
    const hostile = JSON.parse(
      '{"type":"Feature","id":"p","geometry":null,"properties":{"datetime":null,"__proto__":{"polluted":1},"odd":{"constructor":{"x":1},"ok":2},"mixed":[1,{"__proto__":{"polluted":2}}]},"links":[],"assets":{}}',
    );
    await writeGeoParquet([hostile], { path });
    const [back] = await readAll(path);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(back!.properties)).not.toContain('__proto__');
    expect(back!.properties.odd).toEqual({ ok: 2 });
    expect(Object.getPrototypeOf(back!.properties)).toBe(Object.prototype);
  });

  it('writes several row groups and streams them back in order', async () => {
    const path = join(tmp.dir, 'groups.parquet');
    const items = Array.from({ length: 2500 }, (_, i) => item(`g${i}`, { n: i, f: i / 3 }));
    await writeGeoParquet(items, { path, rowGroupSize: 1000 });
    const meta = await readGeoParquetMetadata(path);
    expect(meta.rowGroups).toBe(3);
    let i = 0;
    for await (const back of readGeoParquet(path)) {
      expect(back.id).toBe(`g${i}`);
      expect(back.properties.n).toBe(i);
      i += 1;
    }
    expect(i).toBe(2500);
  });

  it('rejects a bad rowGroupSize with SCM_USAGE', () => {
    expect(() => createGeoParquetWriter({ path: join(tmp.dir, 'x.parquet'), rowGroupSize: 0 })).toThrow(
      expect.objectContaining({ code: 'SCM_USAGE' }),
    );
  });
});

describe('convertNdjsonToGeoParquet', () => {
  it('converts a file and reports bad lines with their line numbers', async () => {
    const input = join(tmp.dir, 'in.ndjson');
    const items = mixedItems(30);
    const lines = items.map((i) => JSON.stringify(i));
    lines.splice(3, 0, '{"type":"Feature", broken');
    lines.splice(7, 0, '');
    lines.splice(9, 0, JSON.stringify({ ...items[0], id: 42 }));
    writeFileSync(input, `${lines.join('\n')}\n`);
    const path = join(tmp.dir, 'converted.parquet');
    const result = await convertNdjsonToGeoParquet(input, { path, rowGroupSize: 7 });
    expect(result.rows).toBe(30);
    expect(result.reported.map((f) => [f.error_context.line, f.error_context.file])).toEqual([
      [4, input],
      [10, input],
    ]);
    expect(result.reported[0]!.item_id).toBe(`${input}:4`);
    expect(await readAll(path)).toStrictEqual(asJson(items));
  });

  it('fails with SCM_INPUT_NOT_FOUND for a missing input', async () => {
    await expect(
      convertNdjsonToGeoParquet(join(tmp.dir, 'missing.ndjson'), { path: join(tmp.dir, 'never.parquet') }),
    ).rejects.toMatchObject({ code: 'SCM_INPUT_NOT_FOUND' });
  });
});

describe('readGeoParquet', () => {
  it('fails with SCM_INPUT_NOT_FOUND and SCM_INPUT_PARSE', async () => {
    await expect(readAll(join(tmp.dir, 'nope.parquet'))).rejects.toMatchObject({
      code: 'SCM_INPUT_NOT_FOUND',
    });
    const notParquet = join(tmp.dir, 'not.parquet');
    writeFileSync(notParquet, 'this is not parquet at all');
    await expect(readAll(notParquet)).rejects.toMatchObject({ code: 'SCM_INPUT_PARSE' });
    await expect(readGeoParquetMetadata(notParquet)).rejects.toMatchObject({ code: 'SCM_INPUT_PARSE' });
  });

  it('stops between row groups when the signal aborts', async () => {
    const path = join(tmp.dir, 'abort-read.parquet');
    await writeGeoParquet(
      Array.from({ length: 30 }, (_, i) => item(`r${i}`)),
      { path, rowGroupSize: 10 },
    );
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const back of readGeoParquet(path, { signal: controller.signal })) {
          seen.push(back.id);
          if (seen.length === 5) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'SCM_ABORTED' });
    expect(seen).toHaveLength(10);
  });
});
