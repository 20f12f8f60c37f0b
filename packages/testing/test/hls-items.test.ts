import { describe, expect, it } from 'vitest';
import {
  coreErrors,
  createStacAjv,
  generateHlsItems,
  hlsItem,
  hlsItemMeta,
  stacSchemasDir,
} from '../src/index.js';

const spec = {
  collection: 'HLSS30_2.0',
  count: 500,
  start: '2022-06-01T00:00:00Z',
  end: '2022-07-01T00:00:00Z',
};

describe('HLS item generator', () => {
  it('makes distinct ids and datetimes in order inside the range', () => {
    const items = [...generateHlsItems(spec)];
    expect(new Set(items.map((i) => i.id)).size).toBe(500);
    const times = items.map((i) => Date.parse(String(i.properties.datetime)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse(spec.start));
    expect(Math.max(...times)).toBeLessThan(Date.parse(spec.end));
    expect(new Set(items.map((i) => i.properties['eo:cloud_cover'])).size).toBeGreaterThan(20);
    expect(new Set(items.map((i) => JSON.stringify(i.bbox))).size).toBe(500);
  });

  it('keeps the CMR-STAC HLS shape and names the collection in its links', () => {
    const item = hlsItem({ ...spec, collection: 'HLS L30/2.0' }, 7);
    expect(item.id).toMatch(/^HLS\.S30\.T\d\d[A-Z]{3}\.2022\d{3}T\d{6}\.v2\.0$/);
    expect(Object.keys(item.assets)).toContain('B8A');
    expect(item.assets.B02?.href).toContain(item.id);
    expect(item.collection).toBe('HLS L30/2.0');
    expect(item.links.find((l) => l.rel === 'collection')?.href).toContain('/collections/HLS%20L30%2F2.0/');
    expect(item.properties.datetime).toBe(new Date(hlsItemMeta(spec, 7).time).toISOString());
    expect(coreErrors(createStacAjv({ schemaDirs: [stacSchemasDir] }), item)).toEqual([]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(hlsItem(spec, 3)).toEqual(hlsItem(spec, 3));
    expect(hlsItem({ ...spec, seed: 2 }, 3).bbox).not.toEqual(hlsItem(spec, 3).bbox);
  });
});
