/**
 * Our files read by independent implementations: the Python stac-geoparquet
 * package, rustac, pyarrow and DuckDB (from the venv in SCM_PYTHON_VENV,
 * default <repo>/.venv). Their items are compared with ours after the
 * normalisation documented in the README ("Other readers").
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { integrationGate } from '@scm/testing/gate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGeoParquetMetadata, writeGeoParquet } from '../src/index.js';
import { readTimestamp } from '../src/timestamp.js';
import { mixedItems } from './helpers/generate.js';
import { asJson, readAll, tempDir } from './helpers/io.js';
import { pythonTools, type ReaderResult, runReader, writeWithPeer } from './helpers/python.js';
import { sampleFiles } from './helpers/samples.js';

const tools = pythonTools();
const gate = integrationGate('[output-parquet] independent-reader tests', () =>
  tools.available ? undefined : tools.reason,
);

const TIMESTAMPS = new Set([
  'datetime',
  'start_datetime',
  'end_datetime',
  'created',
  'updated',
  'expires',
  'published',
  'unpublished',
]);

/** Drops null members deeply (the peers do not keep null apart from absent). */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === null || member === undefined) continue;
      out[key] = dropNulls(member);
    }
    return out;
  }
  return value;
}

/** Compares timestamps as instants (the peers print their own text form). */
function instants(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...properties };
  for (const key of TIMESTAMPS) {
    const value = out[key];
    if (typeof value === 'string') {
      const parsed = readTimestamp(value);
      if (parsed) out[key] = `instant:${parsed.micros}`;
    }
  }
  return out;
}

/** The documented normalisation applied to both sides before comparing. */
function normalise(item: Record<string, unknown>): Record<string, unknown> {
  const copy = dropNulls(asJson(item)) as Record<string, unknown>;
  copy.properties = instants((copy.properties ?? {}) as Record<string, unknown>);
  return copy;
}

/** rustac's Item model fills in members an item lacks (`links: []`, `assets: {}`, its `stac_version`). */
function withoutRustacDefaults(theirs: Record<string, unknown>, ours: StacItem): Record<string, unknown> {
  const copy = { ...theirs };
  for (const member of ['links', 'assets', 'stac_version'] as const) {
    if (!(member in ours)) delete copy[member];
  }
  // …and leaves out an empty `stac_extensions`.
  if (
    Array.isArray(ours.stac_extensions) &&
    ours.stac_extensions.length === 0 &&
    !('stac_extensions' in copy)
  ) {
    copy.stac_extensions = [];
  }
  return copy;
}

/** Drops z from every position. */
function flatten2d(coordinates: unknown): unknown {
  if (!Array.isArray(coordinates)) return coordinates;
  if (typeof coordinates[0] === 'number') return coordinates.slice(0, 2);
  return coordinates.map(flatten2d);
}

const hasNullGeometry = (items: StacItem[]) =>
  items.some((i) => i.geometry === null || i.geometry === undefined);

describe.skipIf(gate.skip)(gate.title('independent readers (Python venv found)'), () => {
  // Created in beforeAll, so a skipped suite leaves no folder behind.
  let tmp: ReturnType<typeof tempDir>;
  const written: { name: string; path: string; items: StacItem[] }[] = [];
  let stacGeoparquet = new Map<string, ReaderResult>();
  let rustac = new Map<string, ReaderResult>();
  let types = new Map<string, ReaderResult>();

  beforeAll(async () => {
    tmp = tempDir();
    for (const { name, items } of sampleFiles()) {
      const path = join(tmp.dir, `${name.replaceAll('/', '__')}.parquet`);
      await writeGeoParquet(items, { path });
      written.push({ name, path, items });
    }
    // The peers' documented limits shape these sets: no item without geometry, no null WKB in
    // `proj:geometry` (both), no GeometryCollection and 2D and 3D bboxes in separate files
    // (stac-geoparquet).
    const located = mixedItems(96)
      .filter((i) => i.geometry && i.geometry.type !== 'GeometryCollection')
      .map((i) => {
        const { 'proj:geometry': _dropped, ...properties } = i.properties;
        const assets = Object.fromEntries(
          Object.entries(i.assets).map(([key, asset]) => {
            const { 'proj:geometry': _geometry, ...rest } = asset;
            return [key, rest];
          }),
        );
        return { ...i, properties, assets } as StacItem;
      });
    for (const [name, subset] of [
      ['generated mixed set 2D', located.filter((i) => i.bbox?.length === 4)],
      ['generated mixed set 3D', located.filter((i) => i.bbox?.length === 6)],
    ] as const) {
      const path = join(tmp.dir, `${name.replaceAll(' ', '-')}.parquet`);
      await writeGeoParquet(subset, { path, rowGroupSize: 10 });
      written.push({ name, path, items: subset });
    }
    const paths = written.map((w) => w.path);
    stacGeoparquet = runReader(tools.python, 'stac-geoparquet', paths);
    rustac = runReader(tools.python, 'rustac', paths);
    types = runReader(tools.python, 'types', paths);
  }, 240_000);
  afterAll(() => tmp?.cleanup());

  it('wrote every sample file and the generated sets', () => {
    expect(written.length).toBeGreaterThan(20);
  });

  it('pyarrow and DuckDB see the spec column types', () => {
    for (const { name, path, items } of written) {
      const t = types.get(path)!;
      expect(t.error, name).toBeUndefined();
      expect(t.rows, name).toBe(items.length);
      expect(t.metadata_keys, name).toEqual(expect.arrayContaining(['geo', 'stac-geoparquet']));
      expect(t.pyarrow!.id, name).toBe('string');
      expect(t.pyarrow!.geometry, name).toBe('binary');
      expect(t.pyarrow!.datetime, name).toBe('timestamp[us, tz=UTC]');
      expect(t.duckdb!.datetime, name).toBe('TIMESTAMP WITH TIME ZONE');
      expect(t.duckdb!.geometry, name).toMatch(/^(GEOMETRY|BLOB)/);
      if (items.some((i) => i.bbox)) {
        expect(t.pyarrow!.bbox, name).toMatch(/^struct<xmin: double not null, ymin: double not null/);
      }
      if (t.pyarrow!.links)
        expect(t.pyarrow!.links, name).toMatch(/^list<element: struct<href: string, rel: string/);
      if (items.some((i) => Object.keys(i.assets ?? {}).length > 0)) {
        expect(t.pyarrow!.assets, name).toMatch(/^struct</);
      }
      if (t.pyarrow!.stac_extensions) expect(t.pyarrow!.stac_extensions, name).toBe('list<element: string>');
    }
  });

  it('the Python stac-geoparquet package reads the sample files to the same items', () => {
    let compared = 0;
    for (const { name, path, items } of written) {
      if (name.startsWith('generated')) continue;
      const result = stacGeoparquet.get(path)!;
      if (hasNullGeometry(items) || !items.some((i) => Object.keys(i.assets ?? {}).length > 0)) {
        // Documented peer limits: null geometries (shapely) and files without an assets struct.
        continue;
      }
      expect(result.error, name).toBeUndefined();
      expect(result.items!.map(normalise), name).toEqual(items.map((i) => normalise(i as never)));
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(18);
  });

  it('rustac reads the sample files to the same items', () => {
    let compared = 0;
    for (const { name, path, items } of written) {
      if (name.startsWith('generated')) continue;
      const result = rustac.get(path)!;
      if (hasNullGeometry(items)) continue; // documented: rustac cannot hold items without geometry
      expect(result.error, name).toBeUndefined();
      const theirs = result.items!.map((item, i) => normalise(withoutRustacDefaults(item, items[i]!)));
      expect(theirs, name).toEqual(items.map((i) => normalise(i as never)));
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(20);
  });

  it('both peers read the generated mixed sets (ids, geometries, bboxes, typed properties)', () => {
    for (const mixed of written.filter((w) => w.name.startsWith('generated'))) {
      for (const [peer, results] of [
        ['stac-geoparquet', stacGeoparquet],
        ['rustac', rustac],
      ] as const) {
        const result = results.get(mixed.path)!;
        expect(result.error, `${peer} reading ${mixed.name}`).toBeUndefined();
        const theirs = result.items!;
        expect(theirs.map((i) => i.id)).toEqual(mixed.items.map((i) => i.id));
        for (let i = 0; i < theirs.length; i++) {
          const ours = asJson(mixed.items[i]!);
          const their = theirs[i] as unknown as StacItem;
          // Geometry members besides type/coordinates live in our side column only.
          // rustac (geo-types) keeps only x and y of 3D geometries.
          const { type, coordinates } = ours.geometry as { type: string; coordinates: unknown };
          const expected = peer === 'rustac' ? flatten2d(coordinates) : coordinates;
          expect(their.geometry, `${peer} ${ours.id}`).toEqual({ type, coordinates: expected });
          expect(their.bbox, `${peer} ${ours.id}`).toEqual(ours.bbox);
          const p = their.properties as Record<string, unknown>;
          expect(p.count, `${peer} ${ours.id}`).toBe(ours.properties.count);
          expect(dropNulls(p['proj:centroid'])).toEqual(dropNulls(ours.properties['proj:centroid']));
        }
      }
    }
  });

  it('our reader reads files the peers wrote to the same items', async () => {
    let compared = 0;
    for (const { name, items } of sampleFiles()) {
      if (items.length === 0 || hasNullGeometry(items)) continue;
      const input = join(tmp.dir, `peer-${compared}.ndjson`);
      writeFileSync(input, `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);
      for (const peer of ['stac-geoparquet', 'rustac'] as const) {
        const output = join(tmp.dir, `peer-${compared}-${peer}.parquet`);
        const error = writeWithPeer(tools.python, peer, input, output);
        if (error) {
          // stac-geoparquet cannot write items without assets (an empty struct); rustac writes them all.
          expect(
            peer === 'stac-geoparquet' && /assets|struct/i.test(error),
            `${peer} writing ${name}: ${error}`,
          ).toBe(true);
          continue;
        }
        const meta = await readGeoParquetMetadata(output);
        expect(meta.roundtrip, name).toBeUndefined();
        const back = await readAll(output);
        // rustac writes its own stac_version into every item, and timestamps in milliseconds.
        const version = (i: Record<string, unknown>) => {
          if (peer !== 'rustac') return i;
          const { stac_version: _v, ...rest } = i;
          const properties = { ...(rest.properties as Record<string, unknown>) };
          for (const [key, value] of Object.entries(properties)) {
            if (typeof value === 'string' && value.startsWith('instant:')) {
              properties[key] = `instant:${(BigInt(value.slice(8)) / 1000n) * 1000n}`;
            }
          }
          return { ...rest, properties };
        };
        const expected = items.map((i) => version(normalise(i as never)));
        const actual = back.map((item, i) =>
          version(normalise(peer === 'rustac' ? withoutRustacDefaults(item, items[i]!) : (item as never))),
        );
        expect(actual, `${peer} wrote ${name}`).toEqual(expected);
      }
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(18);
  }, 300_000);
});
