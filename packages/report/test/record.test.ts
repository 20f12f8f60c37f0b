import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRunRecorder, lightenGeometry } from '../src/index.js';

const samples = '/work/shared/samples';
const demItems = JSON.parse(
  readFileSync(`${samples}/planetary-computer/items-cop-dem-glo-30-pc.json`, 'utf8'),
) as Array<{ id: string; collection: string; geometry: { type: string; coordinates: unknown } }>;
const hlsItem = JSON.parse(
  readFileSync(`${samples}/cmr-stac/synthetic/item-HLS.S30.T13SFC.2022273T174141.v2.0.json`, 'utf8'),
);

/** A seeded random source, so a sample is the same on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('createRunRecorder', () => {
  it('keeps at most `limit` footprints, drawn from every item, and counts items per collection', () => {
    const recorder = createRunRecorder({ limit: 10, random: seeded(7) });
    for (let i = 0; i < 500; i++) {
      const item = demItems[i % demItems.length]!;
      recorder.observeItem({ ...item, id: `${item.id}-${i}` });
    }
    const record = recorder.toJSON();
    expect(record.items_seen).toBe(500);
    expect(record.footprints).toHaveLength(10);
    expect(record.items_by_collection).toEqual({ [demItems[0]!.collection]: 500 });
    // A uniform sample of 500 reaches past the first 10 items.
    const indexes = record.footprints.map((f) => Number(f.id.split('-').pop()));
    expect(Math.max(...indexes)).toBeGreaterThan(10);
  });

  it('counts items without geometry but samples none of them', () => {
    const recorder = createRunRecorder();
    recorder.observeItem({ ...hlsItem, geometry: null });
    expect(recorder.toJSON()).toMatchObject({ items_seen: 1, footprints: [] });
  });

  it('keeps a collection named __proto__ as a plain key', () => {
    const recorder = createRunRecorder();
    recorder.observeItem({ ...hlsItem, collection: '__proto__' });
    const record = JSON.parse(JSON.stringify(recorder.toJSON()));
    expect(Object.keys(record.items_by_collection)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('records each stage: count, total, status and rate, and still drives the progress it wraps', () => {
    const recorder = createRunRecorder();
    const calls: string[] = [];
    const progress = recorder.wrapProgress({
      start: (label, total) => calls.push(`start ${label} ${total}`),
      tick: (n) => calls.push(`tick ${n}`),
      status: (text) => calls.push(`status ${text}`),
      done: () => calls.push('done'),
    });
    progress.start('items', 3);
    progress.tick(2);
    progress.status?.('1 retry');
    progress.done();
    expect(calls).toEqual(['start items 3', 'tick 2', 'status 1 retry', 'done']);
    expect(recorder.toJSON().stages).toEqual([
      expect.objectContaining({ stage: 'items', count: 2, total: 3, status: '1 retry' }),
    ]);
  });
});

describe('stage series', () => {
  it('keeps at most 120 points of a long stage, thinning evenly, with its first and last point', () => {
    let clock = 0;
    const recorder = createRunRecorder({ now: () => clock });
    const progress = recorder.wrapProgress({ start() {}, tick() {}, done() {} });
    progress.start('items');
    // Ten hours, an item every 100 ms.
    for (let i = 0; i < 360_000; i++) {
      clock += 100;
      progress.tick();
    }
    progress.done();
    const series = recorder.toJSON().stages[0]!.series!;
    expect(series.length).toBeLessThanOrEqual(120);
    expect(series.length).toBeGreaterThan(50);
    expect(series[0]).toEqual([0, 0]);
    expect(series.at(-1)).toEqual([36_000, 360_000]);
    const times = series.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('stage counters', () => {
  it('keeps the running totals a stage reports over its time, bounded like the series', () => {
    let clock = 0;
    const passed: Record<string, number>[] = [];
    const recorder = createRunRecorder({ now: () => clock });
    const progress = recorder.wrapProgress({
      start() {},
      tick() {},
      done() {},
      counters: (v) => passed.push(v),
    });
    progress.start('items');
    // An hour of pages, one every 2 s, a retry every tenth.
    for (let page = 1; page <= 1800; page++) {
      clock += 2000;
      progress.counters?.({ requests: page + Math.floor(page / 10), retries: Math.floor(page / 10) });
      progress.tick(100);
    }
    progress.done();
    const stage = recorder.toJSON().stages[0]!;
    expect(passed).toHaveLength(1800);
    expect(stage.counters).toEqual({ requests: 1980, retries: 180 });
    const series = stage.counter_series!;
    expect(series.length).toBeLessThanOrEqual(120);
    expect(series.length).toBeGreaterThan(50);
    expect(series.at(-1)).toEqual([3600, { requests: 1980, retries: 180 }]);
    const requests = series.map(([, values]) => values.requests!);
    expect(requests).toEqual([...requests].sort((a, b) => a - b));
  });

  it('records no counter series for a stage that reports none', () => {
    const recorder = createRunRecorder({ now: () => 0 });
    const progress = recorder.wrapProgress({ start() {}, tick() {}, done() {} });
    progress.start('items');
    progress.tick(5);
    progress.done();
    expect(recorder.toJSON().stages[0]).not.toHaveProperty('counter_series');
  });
});

describe('lightenGeometry', () => {
  it('thins a long ring evenly, keeps it closed, and rounds to 4 decimals', () => {
    const ring = Array.from({ length: 401 }, (_, i) => {
      const a = (i / 400) * 2 * Math.PI;
      return [10 + Math.cos(a) * 1.123456789, 20 + Math.sin(a), 55];
    });
    const light = lightenGeometry({ type: 'Polygon', coordinates: [ring] }, 64);
    const out = (light.coordinates as number[][][])[0]!;
    expect(out.length).toBeLessThanOrEqual(65);
    expect(out[0]).toEqual(out[out.length - 1]);
    expect(out[0]).toEqual([11.1235, 20]);
  });

  it('leaves a real HLS footprint (5 vertices) as it was, in 2D', () => {
    const light = lightenGeometry(hlsItem.geometry);
    const rounded = hlsItem.geometry.coordinates[0].map((p: number[]) =>
      p.map((n) => Math.round(n * 1e4) / 1e4),
    );
    expect(light).toEqual({ type: 'Polygon', coordinates: [rounded] });
  });
});
