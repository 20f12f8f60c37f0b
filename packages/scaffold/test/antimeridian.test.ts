import type { Geometry, Position } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { checkGeometry, computeBbox, prepareGeometry, splitAntimeridian } from '../src/index.js';
import { seededRandom } from './helpers/random.js';

type Polygons = Position[][][];

/** Twice the signed area of a ring. */
function area2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return sum;
}

/** Area of polygons (exteriors minus holes), whatever their orientation. */
function area(polygons: Polygons): number {
  let total = 0;
  for (const [exterior, ...holes] of polygons) {
    total += Math.abs(area2(exterior!)) / 2;
    for (const hole of holes) total -= Math.abs(area2(hole)) / 2;
  }
  return total;
}

function polygonsOf(geometry: Geometry): Polygons {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  throw new Error(`unexpected ${geometry.type}`);
}

/** Every ring of every part is on one side of the antimeridian, exteriors counter-clockwise, holes clockwise. */
function expectCleanParts(geometry: Geometry): void {
  expect(checkGeometry(geometry)).toEqual([]);
  for (const [exterior, ...holes] of polygonsOf(geometry)) {
    const xs = exterior!.map((p) => p[0]!);
    expect(Math.min(...xs) >= 0 || Math.max(...xs) <= 0, JSON.stringify(exterior)).toBe(true);
    expect(area2(exterior!)).toBeGreaterThan(0);
    for (const hole of holes) expect(area2(hole)).toBeLessThan(0);
  }
}

describe('splitAntimeridian', () => {
  it('cuts the reference polygon into two parts with the RFC 7946 bbox', () => {
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10],
          [-170, -10],
          [-170, 10],
          [170, 10],
          [170, -10],
        ],
      ],
    };
    const output = splitAntimeridian(input);
    expect(output).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [180, 10],
            [170, 10],
            [170, -10],
            [180, -10],
            [180, 10],
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
    expect(computeBbox(output)).toEqual([170, -10, -170, 10]);
    expectCleanParts(output);
  });

  it('gives the same parts for a clockwise ring and for a ring starting west of the line', () => {
    const clockwise: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10],
          [170, 10],
          [-170, 10],
          [-170, -10],
          [170, -10],
        ],
      ],
    };
    const fromWest: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [-170, -10],
          [-170, 10],
          [170, 10],
          [170, -10],
          [-170, -10],
        ],
      ],
    };
    for (const input of [clockwise, fromWest]) {
      const output = splitAntimeridian(input);
      expectCleanParts(output);
      expect(area(polygonsOf(output))).toBeCloseTo(400, 9);
      expect(computeBbox(output)).toEqual([170, -10, -170, 10]);
    }
  });

  it('returns geometries that do not cross as they are', () => {
    const plain: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    expect(splitAntimeridian(plain)).toBe(plain);
    const point: Geometry = { type: 'Point', coordinates: [180, 0] };
    expect(splitAntimeridian(point)).toBe(point);
  });

  it('keeps a hole that does not cross in the part that contains it', () => {
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10],
          [-170, -10],
          [-170, 10],
          [170, 10],
          [170, -10],
        ],
        [
          [-176, -2],
          [-176, 2],
          [-174, 2],
          [-174, -2],
          [-176, -2],
        ],
      ],
    };
    const output = splitAntimeridian(input) as Extract<Geometry, { type: 'MultiPolygon' }>;
    expect(output.type).toBe('MultiPolygon');
    expect(output.coordinates).toHaveLength(2);
    const east = output.coordinates.find((polygon) => polygon[0]![0]![0]! < 0)!;
    expect(east).toHaveLength(2);
    expect(east[1]).toEqual([
      [-176, -2],
      [-176, 2],
      [-174, 2],
      [-174, -2],
      [-176, -2],
    ]);
    expect(output.coordinates.find((polygon) => polygon[0]![0]![0]! > 0)).toHaveLength(1);
    expectCleanParts(output);
    expect(area(output.coordinates)).toBeCloseTo(400 - 8, 9);
  });

  it('opens a hole that crosses the line into the boundaries of both parts', () => {
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10],
          [-170, -10],
          [-170, 10],
          [170, 10],
          [170, -10],
        ],
        [
          [178, -1],
          [178, 1],
          [-178, 1],
          [-178, -1],
          [178, -1],
        ],
      ],
    };
    const output = splitAntimeridian(input);
    expect(output).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [180, 10],
            [170, 10],
            [170, -10],
            [180, -10],
            [180, -1],
            [178, -1],
            [178, 1],
            [180, 1],
            [180, 10],
          ],
        ],
        [
          [
            [-180, -10],
            [-170, -10],
            [-170, 10],
            [-180, 10],
            [-180, 1],
            [-178, 1],
            [-178, -1],
            [-180, -1],
            [-180, -10],
          ],
        ],
      ],
    });
    expectCleanParts(output);
    expect(area(polygonsOf(output))).toBeCloseTo(400 - 8, 9);
  });

  it('cuts a polygon that crosses twice into three parts', () => {
    // A "C" open to the west: its two arms cross the antimeridian and join east of it.
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, 0],
          [-170, 0],
          [-170, 30],
          [170, 30],
          [170, 20],
          [-175, 20],
          [-175, 10],
          [170, 10],
          [170, 0],
        ],
      ],
    };
    const output = splitAntimeridian(input);
    expect(output.type).toBe('MultiPolygon');
    const parts = polygonsOf(output);
    expect(parts).toHaveLength(3);
    expectCleanParts(output);
    expect(area(parts)).toBeCloseTo(20 * 30 - 15 * 10, 9);
    expect(computeBbox(output)).toEqual([170, 0, -170, 30]);
    const west = parts.filter((polygon) => polygon[0]![0]![0]! > 0);
    expect(west).toHaveLength(2);
  });

  it('handles vertices exactly on the antimeridian', () => {
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10],
          [180, -10],
          [-170, -10],
          [-170, 10],
          [180, 10],
          [170, 10],
          [170, -10],
        ],
      ],
    };
    const output = splitAntimeridian(input);
    expect(output).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [180, 10],
            [170, 10],
            [170, -10],
            [180, -10],
            [180, 10],
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
  });

  it('interpolates elevation at the cut', () => {
    const input: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [170, -10, 0],
          [-170, -10, 100],
          [-170, 10, 100],
          [170, 10, 0],
          [170, -10, 0],
        ],
      ],
    };
    const output = splitAntimeridian(input);
    const cut = polygonsOf(output)[0]![0]!.find((p) => p[0] === 180);
    expect(cut?.[2]).toBe(50);
    expect(computeBbox(output)).toEqual([170, -10, 0, -170, 10, 100]);
  });

  it('cuts lines into MultiLineStrings and each crossing polygon of a MultiPolygon', () => {
    expect(
      splitAntimeridian({
        type: 'LineString',
        coordinates: [
          [170, 0],
          [-170, 10],
          [-160, 10],
        ],
      }),
    ).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [
          [170, 0],
          [180, 5],
        ],
        [
          [-180, 5],
          [-170, 10],
          [-160, 10],
        ],
      ],
    });
    const multi = splitAntimeridian({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
        [
          [
            [175, 50],
            [-175, 50],
            [-175, 55],
            [175, 55],
            [175, 50],
          ],
        ],
      ],
    });
    expect(polygonsOf(multi)).toHaveLength(3);
    expect(computeBbox(multi)).toEqual([0, 0, -175, 55]);
  });

  it('preserves area and validity on 300 random star-shaped polygons with holes around the antimeridian', () => {
    const random = seededRandom(2024);
    const wrap = (x: number) => (x > 180 ? x - 360 : x);
    for (let k = 0; k < 300; k++) {
      const cx = 180 + (random() - 0.5) * 16;
      const cy = (random() - 0.5) * 100;
      const r = 2 + random() * 20;
      const n = 8 + Math.floor(random() * 30);
      const exterior: Position[] = [];
      let minRadius = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const angle = ((i + (random() - 0.5) * 0.6) / n) * 2 * Math.PI;
        const radius = r * (0.5 + random() * 0.5);
        minRadius = Math.min(minRadius, radius);
        exterior.push([
          cx + radius * Math.cos(angle),
          Math.max(-89, Math.min(89, cy + radius * Math.sin(angle))),
        ]);
      }
      exterior.push(exterior[0]!);
      const hole: Position[] = [];
      const hr = minRadius * 0.4;
      const hx = cx + (random() - 0.5) * hr;
      for (let i = 0; i < 6; i++) {
        const angle = (-i / 6) * 2 * Math.PI;
        hole.push([hx + hr * Math.cos(angle), Math.max(-89, Math.min(89, cy + hr * Math.sin(angle)))]);
      }
      hole.push(hole[0]!);
      const continuous = [exterior, hole];
      const expected = area([continuous]);
      const input: Geometry = {
        type: 'Polygon',
        coordinates: continuous.map((ring) => ring.map((p) => [wrap(p[0]!), p[1]!])),
      };
      const result = prepareGeometry(input);
      expect(result.ok, `case ${k}`).toBe(true);
      if (!result.ok || !result.geometry) continue;
      expectCleanParts(result.geometry);
      expect(area(polygonsOf(result.geometry))).toBeCloseTo(expected, 6);
      const xs = continuous[0]!.map((p) => p[0]!);
      const [west, , east] = result.bbox!;
      if (Math.max(...xs) > 180 && Math.min(...xs) < 180) {
        expect(west).toBeCloseTo(Math.min(...xs), 9);
        expect(east).toBeCloseTo(Math.max(...xs) - 360, 9);
      }
    }
  });
});
