import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaBuilder } from '../src/infer.js';
import { checkItem } from '../src/item-check.js';
import { type FilePlan, planFromInference } from '../src/plan.js';
import { emptyGeometryStats, Layout, RowShredder, splitPoint } from '../src/shred.js';
import { PartsWriter, writeGeoParquet } from '../src/writer.js';
import { mixedItems } from './helpers/generate.js';
import { asJson, tempDir } from './helpers/io.js';
import { SAMPLES_DIR } from './helpers/samples.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const HLS = JSON.parse(
  readFileSync(join(SAMPLES_DIR, 'cmr-stac/synthetic/item-HLS.S30.T13SFC.2022273T174141.v2.0.json'), 'utf8'),
) as StacItem;

/** HLS items with a new id each, some assets missing, some asset titles null, and a few foreign members. */
function hlsItems(count: number): StacItem[] {
  const keys = Object.keys(HLS.assets);
  return Array.from({ length: count }, (_, i) => {
    const item = structuredClone(HLS) as StacItem & Record<string, unknown>;
    item.id = `${HLS.id}-${i}`;
    if (i % 4 === 1) delete item.assets[keys[i % keys.length]!];
    const asset = item.assets[keys[(i * 7) % keys.length]!] as Record<string, unknown> | undefined;
    if (i % 5 === 2 && asset) asset.title = null;
    if (i % 6 === 3) item['scm:note'] = { i };
    return item;
  });
}

const CHECK = { assetsAsJson: false, linksAsJson: false };

/** Pass one of the writer, on items as JSON text carries them: the layout pass two writes them with. */
function planOf(items: unknown[]): FilePlan {
  const builder = new SchemaBuilder({ assetsAsJson: false, linksAsJson: false });
  for (const item of items) builder.observe(item as Record<string, unknown>);
  const inexact = builder.foreignMembers || builder.reservedProperties || builder.inexactGeometry;
  return planFromInference(builder.result(), builder.items, inexact);
}

/** Each leaf's values (as comparable text: key order counts, as in the file) and levels. */
function leavesOf(layout: Layout): string[] {
  const text = (value: unknown) =>
    JSON.stringify(value, (_key, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
    );
  return layout.leaves.map(
    (leaf) =>
      `${leaf.columnName} ${text(leaf.values)} ${leaf.def.subarray(0, leaf.count)} ${leaf.rep.subarray(0, leaf.count)}`,
  );
}

/** Every place the leaves may be split: the starts of top-level columns and of top-level struct members. */
function splits(layout: Layout, plan: FilePlan): { at: number; end: number }[] {
  const side = plan.columns.findIndex((c) => c.source === 'side');
  const end = side < 0 ? layout.leaves.length : layout.columns[side]!.start;
  const starts = layout.columns.flatMap((node) => [node.start, ...(node.fields ?? []).map((f) => f.start)]);
  return [...new Set(starts)].filter((at) => at > 0 && at < end).map((at) => ({ at, end }));
}

function shredWhole(items: unknown[], plan: FilePlan): string[] {
  const layout = new Layout(plan);
  const shredder = new RowShredder(plan, layout, emptyGeometryStats());
  for (const item of items) shredder.shred(item as Record<string, unknown>);
  return leavesOf(layout);
}

/** Two shredders of one layout, as the writer's thread and its helper: their leaves and merged side column. */
function shredSplit(items: unknown[], plan: FilePlan, at: number, end: number): string[] {
  const layout = new Layout(plan);
  const first = new RowShredder(plan, layout, emptyGeometryStats(), { from: 0, to: at, side: true });
  const helper = new RowShredder(plan, layout, emptyGeometryStats(), { from: at, to: end, side: false });
  for (const item of items) {
    first.shred(item as Record<string, unknown>);
    helper.shred(item as Record<string, unknown>);
  }
  first.completeSides(helper.takeHelperSides());
  return leavesOf(layout);
}

describe('pass two split between two threads', () => {
  const sets = {
    'mixed items (nulls against absences, timestamp texts, foreign members, reserved names)': asJson(
      mixedItems(60).filter((item) => checkItem(item, CHECK) === undefined),
    ),
    'HLS items (40 assets, some missing, some titles null)': asJson(hlsItems(40)),
  };

  for (const [name, items] of Object.entries(sets)) {
    it(`two shares fill the same leaves as one shredder, wherever they split: ${name}`, () => {
      const plan = planOf(items);
      expect(plan.side).toBe(true);
      const whole = shredWhole(items, plan);
      const layout = new Layout(plan);
      const places = splits(layout, plan);
      expect(places.length).toBeGreaterThan(5);
      for (const { at, end } of places)
        expect(shredSplit(items, plan, at, end), `split at ${at}`).toEqual(whole);
    });
  }

  it('splits HLS items among the assets, with the geometry in the first share', () => {
    const plan = planOf(asJson(hlsItems(12)));
    const layout = new Layout(plan);
    const { at, end } = splitPoint(layout, plan)!;
    expect(layout.leaves[at]!.columnName).toMatch(/^assets\./);
    expect(layout.leaves[end]!.columnName).toBe('_scm_roundtrip');
    const geometry = plan.columns.findIndex((c) => c.name === 'geometry');
    expect(layout.columns[geometry]!.end).toBeLessThanOrEqual(at);
  });

  it('writes a file byte for byte the same with a helper thread as without', async () => {
    const items = [...asJson(hlsItems(45)), ...mixedItems(60)];
    const write = async (helperThread: boolean) => {
      const path = join(tmp.dir, `helper-${helperThread}.parquet`);
      const result = await writeGeoParquet(items, { path, rowGroupSize: 7, helperThread });
      return { result, bytes: readFileSync(path) };
    };
    const one = await write(false);
    const two = await write(true);
    expect(two.result.rows).toBe(one.result.rows);
    expect(one.result.rows).toBeGreaterThan(90);
    expect(Buffer.compare(two.bytes, one.bytes)).toBe(0);
  });

  it('fails the write when a row does not fit the helper share, and leaves no file behind', async () => {
    const dir = join(tmp.dir, 'helper-mismatch');
    const items = asJson(hlsItems(30));
    const writer = new PartsWriter({
      targets: () => [join(dir, 'items.parquet')],
      collections: {},
      spillDir: dir,
      rowGroupSize: 8,
      helperThread: true,
    });
    for (const item of items) expect(writer.observeParsed(item)).toBeUndefined();
    const plan = planOf(items);
    const layout = new Layout(plan);
    const { at } = splitPoint(layout, plan)!;
    const assets = layout.columns.find((c) => c.name === 'assets')!;
    const last = assets.fields!.find((field) => field.start >= at)!.name;
    // Pass two reads texts that no longer match pass one: in row 20, an asset of the helper's share has a
    // number for its href.
    const lines = items.map((item, i) => {
      if (i !== 20) return JSON.stringify(item);
      return JSON.stringify({ ...item, assets: { ...item.assets, [last]: { href: 42 } } });
    });
    await expect(
      writer.finish(async function* () {
        yield* lines;
      }),
    ).rejects.toMatchObject({
      code: 'SCM_INTERNAL',
      message: expect.stringContaining(`assets.${last}.href`),
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
