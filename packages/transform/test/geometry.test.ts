import { describe, expect, it } from 'vitest';
import { applyMapping, type MappingRule, parseMapping, type TransformSpec } from '../src/index.js';
import { readers } from './helpers.js';

function geometry(transform: TransformSpec, value: unknown): unknown {
  const result = applyMapping(
    { v: value },
    parseMapping([{ source_field: 'v', target_field: 'geometry', transform }], undefined, readers),
  );
  if (!result.ok) throw new Error(result.failure.error_message);
  return result.value.geometry;
}

function failure(transform: TransformSpec, value: unknown): string {
  const result = applyMapping(
    { v: value },
    parseMapping([{ source_field: 'v', target_field: 'geometry', transform }], undefined, readers),
  );
  if (result.ok) throw new Error('expected a failure');
  return result.failure.error_message;
}

describe('WKT', () => {
  it('POLYGON, with holes', () => {
    expect(geometry('wkt_geometry', 'POLYGON((30 10, 40 40, 20 40, 10 20, 30 10))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [30, 10],
          [40, 40],
          [20, 40],
          [10, 20],
          [30, 10],
        ],
      ],
    });
    expect(
      geometry('wkt', 'POLYGON ((35 10, 45 45, 15 40, 10 20, 35 10), (20 30, 35 35, 30 20, 20 30))'),
    ).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [35, 10],
          [45, 45],
          [15, 40],
          [10, 20],
          [35, 10],
        ],
        [
          [20, 30],
          [35, 35],
          [30, 20],
          [20, 30],
        ],
      ],
    });
  });

  it('MULTIPOLYGON', () => {
    expect(
      geometry('wkt', 'MULTIPOLYGON (((30 20, 45 40, 10 40, 30 20)), ((15 5, 40 10, 10 20, 5 10, 15 5)))'),
    ).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [30, 20],
            [45, 40],
            [10, 40],
            [30, 20],
          ],
        ],
        [
          [
            [15, 5],
            [40, 10],
            [10, 20],
            [5, 10],
            [15, 5],
          ],
        ],
      ],
    });
  });

  it('POINT, POINT Z, M and ZM (M values dropped), without a properties member', () => {
    expect(geometry('wkt', 'POINT (30 10)')).toEqual({ type: 'Point', coordinates: [30, 10] });
    const z = geometry('wkt', 'POINT Z (1 2 3)');
    expect(z).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
    expect(Object.keys(z as object)).toEqual(['type', 'coordinates']);
    expect(geometry('wkt', 'POINT M (1 2 9)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(geometry('wkt', 'POINT ZM (1 2 3 9)')).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
    expect(geometry('wkt', 'LINESTRING Z (0 0 1, 1 1 2)')).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 0, 1],
        [1, 1, 2],
      ],
    });
  });

  it('EWKT prefixes, case and spacing', () => {
    expect(geometry('wkt', 'SRID=4326;POINT(-76.9426 38.9869)')).toEqual({
      type: 'Point',
      coordinates: [-76.9426, 38.9869],
    });
    expect(geometry('wkt', 'srid=4326; polygon((0 0,1 0,1 1,0 0))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    });
    expect(geometry('wkt', '  MultiPoint ((1 2), (3 4))  ')).toEqual({
      type: 'MultiPoint',
      coordinates: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(geometry('wkt', 'MULTIPOINT (1 2, 3 4)')).toEqual({
      type: 'MultiPoint',
      coordinates: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(geometry('wkt', 'POINT(1e2 -2.5E-1)')).toEqual({ type: 'Point', coordinates: [100, -0.25] });
    expect(failure('wkt', 'SRID=3857;POINT(1 2)')).toMatch(/SRID=3857 is not WGS 84/);
    expect(geometry({ type: 'wkt', ignore_srid: true }, 'SRID=3857;POINT(1 2)')).toEqual({
      type: 'Point',
      coordinates: [1, 2],
    });
  });

  it('GEOMETRYCOLLECTION and MULTILINESTRING', () => {
    expect(geometry('wkt', 'GEOMETRYCOLLECTION (POINT (40 10), LINESTRING (10 10, 20 20, 10 40))')).toEqual({
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [40, 10] },
        {
          type: 'LineString',
          coordinates: [
            [10, 10],
            [20, 20],
            [10, 40],
          ],
        },
      ],
    });
    expect(geometry('wkt', 'MULTILINESTRING ((10 10, 20 20), (40 40, 30 30))')).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [
          [10, 10],
          [20, 20],
        ],
        [
          [40, 40],
          [30, 30],
        ],
      ],
    });
  });

  it('rejects bad WKT, EMPTY geometries and open rings', () => {
    expect(failure('wkt', 'POLYGON((1 2, 3')).toMatch(/not valid WKT/);
    expect(failure('wkt', 'CIRCLE(1 2 3)')).toMatch(/not valid WKT/);
    expect(failure('wkt', 'POINT EMPTY')).toMatch(/EMPTY/);
    expect(failure('wkt', 'POLYGON((0 0, 1 0, 1 1, 0 1))')).toMatch(/ring is not closed/);
    expect(failure('wkt', 'POLYGON((0 0, 1 0, 0 0))')).toMatch(/at least 4 positions/);
    expect(failure('wkt', 42)).toMatch(/wkt_geometry needs a string/);
  });

  it('accepts the WGS 84 SRIDs 4326 and 4979, as scaffold does', () => {
    expect(geometry('wkt', 'SRID=4326;POINT(1 2)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(geometry('wkt', 'SRID=4979;POINT Z (1 2 3)')).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
  });

  it('refuses a mapping using wkt_geometry when no WKT reader was given', () => {
    expect(() => parseMapping([{ source_field: 'v', target_field: 'geometry', transform: 'wkt' }])).toThrow(
      /needs a WKT reader/,
    );
  });
});

describe('GeoJSON', () => {
  it('reads text or objects and keeps only geometry members', () => {
    expect(geometry('geojson_geometry', '{"type":"Point","coordinates":[-122.4194,37.7749]}')).toEqual({
      type: 'Point',
      coordinates: [-122.4194, 37.7749],
    });
    const input = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
      properties: { z: true },
      crs: 'x',
      bbox: [0, 0, 1, 1],
    };
    expect(geometry('geojson', input)).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
      bbox: [0, 0, 1, 1],
    });
    expect(
      geometry('geojson', {
        type: 'Feature',
        properties: {},
        geometry: { type: 'Point', coordinates: [1, 2] },
      }),
    ).toEqual({
      type: 'Point',
      coordinates: [1, 2],
    });
  });

  it('checks structure', () => {
    expect(failure('geojson', 'not json')).toMatch(/not GeoJSON text/);
    expect(failure('geojson', '{"type":"Circle"}')).toMatch(/"Circle" is not a GeoJSON geometry type/);
    expect(failure('geojson', '{"type":"Point","coordinates":[1]}')).toMatch(/2 or 3 numbers/);
    expect(failure('geojson', '{"type":"Point","coordinates":[1,"2"]}')).toMatch(/not a finite number/);
    expect(failure('geojson', '{"type":"LineString","coordinates":[[1,2]]}')).toMatch(/at least 2 positions/);
    expect(failure('geojson', '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}')).toMatch(
      /not closed/,
    );
    expect(failure('geojson', '{"type":"MultiPolygon","coordinates":[[]]}')).toMatch(
      /non-empty array of rings/,
    );
    expect(failure('geojson', '{"type":"Polygon","coordinates":[]}')).toMatch(/empty/);
  });
});

describe('bbox and point columns', () => {
  const map = (rules: MappingRule[], record: unknown) => applyMapping(record, parseMapping(rules));

  it('bbox_geometry from four columns, an array or text', () => {
    const rule: MappingRule = {
      target_field: 'geometry',
      transform: { type: 'bbox_geometry', fields: ['minx', 'miny', 'maxx', 'maxy'] },
    };
    expect(map([rule], { minx: '-10', miny: 20, maxx: '-5.5', maxy: '25' })).toMatchObject({
      ok: true,
      value: {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [-10, 20],
              [-5.5, 20],
              [-5.5, 25],
              [-10, 25],
              [-10, 20],
            ],
          ],
        },
      },
    });
    expect(geometry('bbox_geometry', [0, 1, 2, 3])).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 1],
          [2, 1],
          [2, 3],
          [0, 3],
          [0, 1],
        ],
      ],
    });
    expect(geometry('bbox_geometry', '0,1,2,3')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 1],
          [2, 1],
          [2, 3],
          [0, 3],
          [0, 1],
        ],
      ],
    });
    expect(geometry('bbox_geometry', [0, 1, 10, 2, 3, 20])).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [0, 1],
          [2, 1],
          [2, 3],
          [0, 3],
          [0, 1],
        ],
      ],
    });
  });

  it('bbox_geometry across the antimeridian, and its errors', () => {
    expect(geometry('bbox_geometry', [170, -10, -170, 10])).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [170, -10],
            [180, -10],
            [180, 10],
            [170, 10],
            [170, -10],
          ],
        ],
        [
          [
            [-180, -10],
            [-170, -10],
            [-170, 10],
            [-180, 10],
            [-180, -10],
          ],
        ],
      ],
    });
    expect(failure('bbox_geometry', [0, 10, 1, 5])).toMatch(/south \(10\) is greater than its north \(5\)/);
    expect(failure('bbox_geometry', [0, 1, 2])).toMatch(/needs 4 or 6 numbers, got 3/);
    const rule: MappingRule = {
      target_field: 'geometry',
      transform: { type: 'bbox_geometry', fields: ['minx', 'miny', 'maxx', 'maxy'] },
    };
    const missing = map([rule], { minx: 1, miny: 2, maxx: 3 });
    expect(!missing.ok && missing.failure.error_message).toMatch(/required value maxy is missing/);
    expect(!missing.ok && missing.failure.error_context.field).toBe('maxy');
    const bad = map([rule], { minx: 1, miny: 2, maxx: 3, maxy: 'n/a' });
    expect(!bad.ok && bad.failure.error_message).toMatch(/maxy = "n\/a" is not a number/);
    expect(map([{ ...rule, optional: true }], { minx: 1 })).toMatchObject({ ok: true, value: {} });
  });

  it('point_geometry from lon/lat columns, arrays and text', () => {
    const rule: MappingRule = {
      target_field: 'geometry',
      transform: { type: 'point_geometry', fields: ['lon', 'lat'] },
    };
    expect(map([rule], { lon: '-76.9426', lat: 38.9869 })).toMatchObject({
      value: { geometry: { type: 'Point', coordinates: [-76.9426, 38.9869] } },
    });
    const withZ: MappingRule = {
      target_field: 'geometry',
      transform: { type: 'point_geometry', fields: ['lon', 'lat', 'alt'] },
    };
    expect(map([withZ], { lon: 1, lat: 2, alt: '30.5' })).toMatchObject({
      value: { geometry: { coordinates: [1, 2, 30.5] } },
    });
    expect(geometry({ type: 'point_geometry', order: 'latlon' }, '38.9869,-76.9426')).toEqual({
      type: 'Point',
      coordinates: [-76.9426, 38.9869],
    });
    expect(geometry('point_geometry', [10, 20])).toEqual({ type: 'Point', coordinates: [10, 20] });
    expect(geometry('point_geometry', '10 20')).toEqual({ type: 'Point', coordinates: [10, 20] });
    const swapped = map([rule], { lon: 38.9, lat: -122.4 });
    expect(!swapped.ok && swapped.failure.error_message).toMatch(
      /latitude -122.4 is outside -90..90 \(are longitude and latitude swapped\?\)/,
    );
    expect(failure('point_geometry', [200, 0])).toMatch(/longitude 200 is outside/);
    expect(geometry({ type: 'point_geometry', check_range: false }, [500000, 4000000])).toEqual({
      type: 'Point',
      coordinates: [500000, 4000000],
    });
  });
});
