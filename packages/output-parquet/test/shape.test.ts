import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGeoParquetMetadata, writeGeoParquet } from '../src/index.js';
import { ShapeNode } from '../src/shape.js';
import { mixedItems } from './helpers/generate.js';
import { readAll, tempDir } from './helpers/io.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const limits = { maxStructFields: 3, maxDepth: 4 };

function shapeOf(...values: unknown[]): ShapeNode {
  const node = new ShapeNode();
  for (const v of values) node.observe(v, limits);
  return node;
}

describe('schema inference lattice', () => {
  it('widens numbers, mixes to JSON and keeps null counts', () => {
    expect(shapeOf(1, 2).kind).toBe('int');
    expect(shapeOf(1, 2.5).kind).toBe('double');
    expect(shapeOf(2 ** 53).kind).toBe('double');
    expect(shapeOf(-0).kind).toBe('double');
    expect(shapeOf(1, 'a').kind).toBe('json');
    expect(shapeOf('a', true).kind).toBe('json');
    expect(shapeOf({ a: 1 }, [1]).kind).toBe('json');
    const nulls = shapeOf(null, 1, null);
    expect([nulls.kind, nulls.nulls, nulls.present]).toEqual(['int', 2, 1]);
    expect(shapeOf(null).kind).toBe('null');
  });

  it('unions struct members and list elements', () => {
    const node = shapeOf({ a: 1 }, { b: 'x' }, { a: 2.5, c: [1, null] });
    expect(node.kind).toBe('struct');
    expect([...node.fields!.keys()]).toEqual(['a', 'b', 'c']);
    expect(node.fields!.get('a')!.kind).toBe('double');
    expect(node.fields!.get('c')!.kind).toBe('list');
    expect(node.fields!.get('c')!.element!.kind).toBe('int');
    expect(node.fields!.get('c')!.element!.nulls).toBe(1);
  });

  it('falls back to JSON past the member and depth limits', () => {
    expect(shapeOf({ a: 1, b: 2, c: 3, d: 4 }).kind).toBe('json');
    const deep = shapeOf({ a: { b: { c: { d: { e: 1 } } } } });
    const c = deep.fields!.get('a')!.fields!.get('b')!.fields!.get('c')!;
    expect(c.kind).toBe('struct');
    expect(c.fields!.get('d')!.kind).toBe('json');
  });

  it('sees values the way JSON.stringify does', () => {
    const node = shapeOf({ f: () => 1, n: Number.NaN, d: new Date(0) });
    expect(node.fields!.has('f')).toBe(false);
    expect(node.fields!.get('n')!.nulls).toBe(1);
    expect(node.fields!.get('d')!.kind).toBe('string');
  });
});

describe('proj:geometry', () => {
  it('is stored as WKB in properties and in assets, and reads back', async () => {
    const path = join(tmp.dir, 'proj.parquet');
    const items = mixedItems(24);
    await writeGeoParquet(items, { path });
    const meta = await readGeoParquetMetadata(path);
    expect(meta.roundtrip!.wkb).toEqual(
      expect.arrayContaining([['geometry'], ['proj:geometry'], ['assets', 'data', 'proj:geometry']]),
    );
    expect(await readAll(path)).toStrictEqual(JSON.parse(JSON.stringify(items)));
  });
});
