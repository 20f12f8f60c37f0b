import { wktToGeoJSON } from '@terraformer/wkt';
import { describe, expect, it } from 'vitest';
import { parseGeometry } from '../src/index.js';
import { fastReadWkt, readWkt } from '../src/wkt.js';
import { seededRandom } from './helpers/random.js';

/** terraformer's result without its non-standard `properties` marker. */
function terraformer(wkt: string): unknown {
  const out = wktToGeoJSON(wkt) as unknown as Record<string, unknown>;
  const { properties: _marker, ...rest } = out;
  return rest;
}

const ACCEPTED = [
  'POINT (1 2)',
  'POINT(1 2)',
  'POINT Z (1 2 3)',
  'POINT(1 2 3)',
  'POINT (-0 -0.5)',
  'POINT (1e2 -2.5E-1)',
  'POINT (123456789012345.5 0.1)',
  'POINT (0.1234567890123456789 -0.000000000000000000000001)',
  'LINESTRING (30 10, 10 30, 40 40)',
  'LINESTRING Z (30 10 1, 10 30 2)',
  'POLYGON ((30 10, 40 40, 20 40, 10 20, 30 10))',
  'POLYGON((0 0,1 0,1 1,0 1,0 0),(0.2 0.2,0.4 0.2,0.4 0.4,0.2 0.2))',
  '  POLYGON Z ((0 0 1, 1 0 1, 1 1 2, 0 1 2, 0 0 1))  ',
  'POLYGON\n((0 0,\t1 0,\r\n1 1, 0 0))',
  'MULTIPOINT ((10 40), (40 30), (20 20))',
  'MULTIPOINT (10 40, 40 30)',
  'MULTILINESTRING ((10 10, 20 20, 10 40), (40 40, 30 30, 40 20, 30 10))',
  'MULTIPOLYGON (((30 20, 45 40, 10 40, 30 20)), ((15 5, 40 10, 10 20, 5 10, 15 5)))',
  'MULTIPOLYGON Z (((0 0 0, 1 0 0, 1 1 0, 0 0 0)))',
];

const REJECTED_BY_FAST_PATH = [
  'POINT M (1 2 3)',
  'POINT ZM (1 2 3 4)',
  'POINT EMPTY',
  'POLYGON EMPTY',
  'GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))',
  'LINESTRING (1 2)',
  'POINT (1-2)',
  'POINT (1 2) trailing',
  'POINT (+1 2)',
  'POINT (.5 2)',
  'POINT (1. 2)',
  'POINT (1e 2)',
  'POINT (NaN 2)',
  'POINTZ (1 2 3)',
  'POLYGON Z ((0 0, 1 0, 1 1, 0 0))',
  'POLYGON ((0 0 1, 1 0, 1 1, 0 0))',
  'TRIANGLE ((0 0, 1 0, 1 1, 0 0))',
  'POINT (1 2',
  '',
];

describe('fast WKT reader', () => {
  it.each(ACCEPTED)('reads %j exactly as terraformer does', (wkt) => {
    const fast = fastReadWkt(wkt);
    expect(fast).toBeDefined();
    expect(fast).toEqual(terraformer(wkt.trim()));
  });

  it.each(REJECTED_BY_FAST_PATH)('leaves %j to terraformer', (wkt) => {
    expect(fastReadWkt(wkt)).toBeUndefined();
  });

  it('is case-insensitive in keywords, like WKT itself', () => {
    expect(fastReadWkt('polygon z ((0 0 1, 1 0 1, 1 1 1, 0 0 1))')).toEqual(
      terraformer('POLYGON Z ((0 0 1, 1 0 1, 1 1 1, 0 0 1))'),
    );
  });

  it('agrees with terraformer on 2,000 random polygons and numbers', () => {
    const random = seededRandom(7);
    const num = () => {
      const kind = Math.floor(random() * 5);
      const v = (random() - 0.5) * 360;
      if (kind === 0) return String(Math.round(v));
      if (kind === 1) return v.toFixed(Math.floor(random() * 17));
      if (kind === 2) return v.toExponential(Math.floor(random() * 10));
      if (kind === 3) return String(v);
      return (v / 1e6).toFixed(20);
    };
    for (let n = 0; n < 2000; n++) {
      const z = random() < 0.3;
      const count = 3 + Math.floor(random() * 8);
      const ring: string[] = [];
      for (let i = 0; i < count; i++) ring.push(z ? `${num()} ${num()} ${num()}` : `${num()} ${num()}`);
      ring.push(ring[0]!);
      const wkt = `POLYGON${z ? ' Z' : ''} ((${ring.join(', ')}))`;
      const fast = fastReadWkt(wkt);
      expect(fast, wkt).toBeDefined();
      expect(fast, wkt).toEqual(terraformer(wkt));
    }
  });
});

describe('readWkt', () => {
  it('accepts EWKT with SRID 4326 and refuses other SRIDs', () => {
    const ok = readWkt('SRID=4326;POINT(-0.1276 51.5072)');
    expect(ok).toMatchObject({ ok: true, geometry: { type: 'Point', coordinates: [-0.1276, 51.5072] } });
    const bad = readWkt('SRID=3857;POINT(-14208 6711542)');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toContain('SRID=3857 is not WGS 84');
  });

  it('accepts SRID 4979 (WGS 84 3D) and keeps the SRID it read', () => {
    expect(readWkt('SRID=4979;POINT Z (1 2 3)')).toEqual({
      ok: true,
      geometry: { type: 'Point', coordinates: [1, 2, 3] },
      warnings: [],
      checked: true,
      srid: 4979,
    });
  });

  it('reads any SRID when the caller says the coordinates are longitude/latitude', () => {
    const read = readWkt('SRID=3857;POINT(1 2)', { anySrid: true });
    expect(read).toMatchObject({ ok: true, geometry: { type: 'Point', coordinates: [1, 2] }, srid: 3857 });
  });

  it('drops M values with a warning and never leaks terraformer markers', () => {
    const m = readWkt('POINT M (1 2 3)');
    expect(m).toEqual({
      ok: true,
      geometry: { type: 'Point', coordinates: [1, 2] },
      warnings: ['geometry: M (measure) values were dropped; GeoJSON has no measure ordinate'],
      checked: false,
    });
    const zm = readWkt('LINESTRING ZM (1 2 3 4, 5 6 7 8)');
    expect(zm.ok && zm.geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [1, 2, 3],
        [5, 6, 7],
      ],
    });
    const z = parseGeometry('POINT Z (1 2 3)');
    expect(z).toEqual({ ok: true, geometry: { type: 'Point', coordinates: [1, 2, 3] }, warnings: [] });
    const collection = parseGeometry('GEOMETRYCOLLECTION (POINT Z (1 2 3), LINESTRING (0 0, 1 1))');
    expect(collection.ok && JSON.stringify(collection.geometry)).not.toContain('properties');
  });

  it("reports malformed WKT with terraformer's reason", () => {
    const bad = readWkt('POLYGON((0 0, 1 0, 1 1 0 0))x');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/^not valid WKT \(/);
  });
});
