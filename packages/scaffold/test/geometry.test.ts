import type { Geometry, Position } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { checkGeometry, parseGeometry, prepareGeometry } from '../src/index.js';

const square: Geometry = {
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ],
  ],
};

describe('parseGeometry', () => {
  it('copies a GeoJSON object without sharing arrays and drops foreign members', () => {
    const input = { ...square, properties: { z: true }, bbox: [0, 0, 1, 1], crs: 'x' };
    const result = parseGeometry(input);
    expect(result).toEqual({ ok: true, geometry: square, warnings: [] });
    if (result.ok && result.geometry?.type === 'Polygon') {
      expect(result.geometry.coordinates[0]).not.toBe((input as typeof square).coordinates[0]);
    }
  });

  it('reads GeoJSON text, a Feature, WKT and EWKT', () => {
    expect(parseGeometry(JSON.stringify(square))).toEqual({ ok: true, geometry: square, warnings: [] });
    expect(parseGeometry({ type: 'Feature', properties: {}, geometry: square })).toEqual({
      ok: true,
      geometry: square,
      warnings: [],
    });
    expect(parseGeometry('POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))')).toEqual({
      ok: true,
      geometry: square,
      warnings: [],
    });
    expect(parseGeometry('SRID=4326;POINT(1 2)')).toEqual({
      ok: true,
      geometry: { type: 'Point', coordinates: [1, 2] },
      warnings: [],
    });
  });

  it('treats null, undefined and an empty string as no geometry', () => {
    for (const value of [null, undefined, '', '   ']) {
      expect(parseGeometry(value)).toEqual({ ok: true, geometry: null, warnings: [] });
    }
  });

  it.each([
    [{ type: 'Polygonal', coordinates: [] }, 'type "Polygonal" is not a GeoJSON geometry type'],
    [{ type: 'Point' }, 'coordinates is missing'],
    [{ type: 'Point', coordinates: [] }, 'coordinates is empty'],
    [{ type: 'Point', coordinates: ['1', 2] }, 'coordinates[0] must be a number, got string "1"'],
    [{ type: 'Point', coordinates: [1] }, 'coordinates must have at least 2 numbers'],
    [{ type: 'LineString', coordinates: [[1, 2]] }, 'coordinates has 1 position; a line needs at least 2'],
    [{ type: 'Polygon', coordinates: [[0, 0, 1, 1]] }, 'coordinates[0][0] must be a position'],
    [{ type: 'MultiPolygon', coordinates: [] }, 'coordinates is empty'],
    [
      { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: 5 }] },
      'geometries[0].coordinates must be',
    ],
    ['POLYGON EMPTY', 'the WKT geometry is EMPTY'],
    ['{"type": "Point", ', 'not valid GeoJSON text'],
    ['not a geometry', 'not valid WKT'],
    [42, 'geometry must be a GeoJSON geometry object, got number'],
  ])('reports the structure problem of %j', (value, expected) => {
    const result = parseGeometry(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(expected);
  });
});

describe('checkGeometry', () => {
  const polygon = (ring: number[][]): Geometry => ({ type: 'Polygon', coordinates: [ring] });

  it('finds nothing wrong with valid geometries', () => {
    expect(checkGeometry(square)).toEqual([]);
    expect(checkGeometry({ type: 'Point', coordinates: [180, -90, 12] })).toEqual([]);
    expect(
      checkGeometry({
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
          [0, 1],
          [1, 0],
        ],
      }),
    ).toEqual([]);
  });

  it('rejects NaN and Infinity', () => {
    expect(checkGeometry({ type: 'Point', coordinates: [Number.NaN, 1] })).toEqual([
      'coordinates: ordinate 0 is NaN, not a finite number',
    ]);
    const infinite = parseGeometry('POINT (1 1e999)');
    expect(infinite.ok && checkGeometry(infinite.geometry!)).toEqual([
      'coordinates: ordinate 1 is Infinity, not a finite number',
    ]);
    expect(checkGeometry({ type: 'Point', coordinates: [1, 2, Number.NaN] })).toEqual([
      'coordinates: ordinate 2 is NaN, not a finite number',
    ]);
  });

  it('rejects latitudes beyond ±90 and longitudes beyond ±180', () => {
    expect(checkGeometry({ type: 'Point', coordinates: [10, 95] })).toEqual([
      'coordinates: latitude 95 is outside [-90, 90]',
    ]);
    expect(checkGeometry({ type: 'Point', coordinates: [190, 0] })).toEqual([
      'coordinates: longitude 190 is outside [-180, 180] (set normalizeLongitude to wrap 0..360 longitudes)',
    ]);
    const many = checkGeometry({
      type: 'MultiPoint',
      coordinates: [
        [0, 91],
        [0, 92],
        [0, 93],
        [0, 94],
        [0, 95],
      ],
    });
    expect(many).toHaveLength(4);
    expect(many[3]).toBe('and 2 more position problems');
  });

  it('requires closed rings with at least 4 positions', () => {
    expect(
      checkGeometry(
        polygon([
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ]),
      ),
    ).toEqual([
      'coordinates[0]: ring is not closed (its first position [0, 0] differs from its last [0, 1])',
    ]);
    expect(
      checkGeometry(
        polygon([
          [0, 0],
          [1, 1],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates[0]: ring has 3 positions; a closed ring needs at least 4']);
  });

  it('rejects a bow-tie and other self-intersections, also between a hole and its exterior', () => {
    expect(
      checkGeometry(
        polygon([
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 1],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates: polygon boundary crosses or touches itself near [0.5, 0.5]']);
    const holeOut: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 4],
          [0, 0],
        ],
        [
          [3, 1],
          [5, 1],
          [5, 2],
          [3, 2],
          [3, 1],
        ],
      ],
    };
    expect(checkGeometry(holeOut)[0]).toMatch(
      /^coordinates: polygon boundary crosses or touches itself near \[4, [12]\]$/,
    );
    const multi: Geometry = {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [10, 10],
            [11, 10],
            [11, 11],
            [10, 11],
            [10, 10],
          ],
        ],
        [
          [
            [0, 0],
            [1, 1],
            [1, 0],
            [0, 1],
            [0, 0],
          ],
        ],
      ],
    };
    expect(checkGeometry(multi)).toEqual([
      'coordinates[1]: polygon boundary crosses or touches itself near [0.5, 0.5]',
    ]);
  });

  it('ignores repeated positions, which are not intersections', () => {
    expect(
      checkGeometry(
        polygon([
          [0, 0],
          [1, 0],
          [1, 0],
          [1, 1],
          [0, 1],
          [0, 0],
        ]),
      ),
    ).toEqual([]);
  });

  it('rejects flat rings', () => {
    expect(
      checkGeometry(
        polygon([
          [0, 0],
          [1, 0],
          [2, 0],
          [0, 0],
        ]),
      ),
    ).toEqual(['coordinates[0]: ring has zero area (all its positions are on one line)']);
  });

  it('judges crossing polygons on continuous longitudes and refuses rings around a pole', () => {
    expect(
      checkGeometry(
        polygon([
          [170, -10],
          [-170, -10],
          [-170, 10],
          [170, 10],
          [170, -10],
        ]),
      ),
    ).toEqual([]);
    expect(
      checkGeometry(
        polygon([
          [0, 80],
          [90, 80],
          [180, 80],
          [-90, 80],
          [0, 80],
        ]),
      )[0],
    ).toContain('winds around a pole');
    // A polar cap drawn with a seam along the antimeridian does not cross it.
    expect(
      checkGeometry(
        polygon([
          [-180, 80],
          [180, 80],
          [180, 90],
          [-180, 90],
          [-180, 80],
        ]),
      ),
    ).toEqual([]);
  });

  it('never throws on malformed input', () => {
    expect(checkGeometry({ type: 'Polygon', coordinates: 'x' } as unknown as Geometry)).toEqual([
      'coordinates must be an array, got string "x"',
    ]);
  });
});

describe('self-intersection test', () => {
  it('finds the bow-tie in a large polygon through the sweep', () => {
    const ring: Position[] = [];
    for (let i = 0; i <= 100; i++) ring.push([i / 10, 0]);
    ring.push([10, 1], [0, -1], [0, 0]); // the last two edges cross the long bottom edge
    const result = prepareGeometry({ type: 'Polygon', coordinates: [ring] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rule).toBe('geometry_self_intersection');
  });
});
