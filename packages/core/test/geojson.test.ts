import type { Geometry, Position } from '@scm/core';
import {
  computeBbox,
  findSelfIntersection,
  isStrictlyConvexRing,
  polygonSelfIntersection,
  ringProblem,
  sweepIntersection,
} from '@scm/core/geojson';
import { kinks } from '@turf/kinks';
import { describe, expect, it } from 'vitest';

/** A seeded linear congruential generator (Numerical Recipes constants): the same cases on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

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

describe('computeBbox', () => {
  it('gives 2D boxes for 2D geometries and 3D boxes when every position has an elevation', () => {
    expect(computeBbox(square)).toEqual([0, 0, 1, 1]);
    expect(computeBbox({ type: 'Point', coordinates: [-122.4194, 37.7749, 16] })).toEqual([
      -122.4194, 37.7749, 16, -122.4194, 37.7749, 16,
    ]);
    expect(
      computeBbox({
        type: 'Polygon',
        coordinates: [
          [
            [-3.7, 40.4, 650],
            [-3.6, 40.4, 655],
            [-3.6, 40.5, 700],
            [-3.7, 40.5, 690],
            [-3.7, 40.4, 650],
          ],
        ],
      }),
    ).toEqual([-3.7, 40.4, 650, -3.6, 40.5, 700]);
    expect(
      computeBbox({
        type: 'LineString',
        coordinates: [
          [0, 0, 5],
          [1, 1],
        ],
      }),
    ).toEqual([0, 0, 1, 1]);
  });

  it('covers every part of multi-part geometries and collections', () => {
    expect(
      computeBbox({
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [2, 48.8],
              [2.1, 48.8],
              [2.1, 48.9],
              [2, 48.8],
            ],
          ],
          [
            [
              [2.3, 48.7],
              [2.4, 48.8],
              [2.4, 48.95],
              [2.3, 48.7],
            ],
          ],
        ],
      }),
    ).toEqual([2, 48.7, 2.4, 48.95]);
    expect(
      computeBbox({
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [-5, 3] },
          {
            type: 'LineString',
            coordinates: [
              [1, -2],
              [4, 7],
            ],
          },
        ],
      }),
    ).toEqual([-5, -2, 4, 7]);
  });

  it('follows RFC 7946 §5.2 for geometries crossing the antimeridian', () => {
    const crossing: Geometry = {
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
    expect(computeBbox(crossing)).toEqual([170, -10, -170, 10]);
    const split: Geometry = {
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
    };
    expect(computeBbox(split)).toEqual([170, -10, -170, 10]);
    expect(
      computeBbox({
        type: 'LineString',
        coordinates: [
          [175, 1],
          [-175, 2],
          [-170, 3],
        ],
      }),
    ).toEqual([175, 1, -170, 3]);
    // Parts far from each other that do not touch ±180 keep the plain box.
    expect(
      computeBbox({
        type: 'MultiPoint',
        coordinates: [
          [179, 0],
          [-179, 1],
        ],
      }),
    ).toEqual([-179, 0, 179, 1]);
    // A box covering the whole world does not turn into a crossing one.
    expect(
      computeBbox({
        type: 'Polygon',
        coordinates: [
          [
            [-180, -90],
            [180, -90],
            [180, 90],
            [-180, 90],
            [-180, -90],
          ],
        ],
      }),
    ).toEqual([-180, -90, 180, 90]);
  });

  it('gives a ring around a pole every longitude, up to the pole', () => {
    expect(
      computeBbox({
        type: 'Polygon',
        coordinates: [
          [
            [0, 80],
            [90, 80],
            [180, 80],
            [-90, 80],
            [0, 80],
          ],
        ],
      }),
    ).toEqual([-180, 80, 180, 90]);
  });
});

describe('self-intersection test', () => {
  const hasKink = (rings: Position[][]) =>
    kinks({ type: 'Polygon', coordinates: rings } as Parameters<typeof kinks>[0]).features.length > 0;

  function randomRing(random: () => number, n: number, spread: number): Position[] {
    const ring: Position[] = [];
    for (let i = 0; i < n; i++)
      ring.push([Math.round(random() * spread * 100) / 100, Math.round(random() * spread * 100) / 100]);
    ring.push(ring[0]!);
    return ring;
  }

  function starRing(random: () => number, n: number, cx: number, cy: number, r: number): Position[] {
    const ring: Position[] = [];
    for (let i = 0; i < n; i++) {
      const angle = ((i + (random() - 0.5) * 0.6) / n) * 2 * Math.PI;
      const radius = r * (0.5 + random() * 0.5);
      ring.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
    }
    ring.push(ring[0]!);
    return ring;
  }

  it('the sweep agrees with kinks on random simple and self-intersecting polygons', () => {
    const random = seededRandom(42);
    let crossing = 0;
    let simple = 0;
    for (let k = 0; k < 600; k++) {
      const n = 5 + Math.floor(random() * 120);
      const rings =
        k % 2 === 0
          ? [randomRing(random, n, 10)]
          : [starRing(random, n, 0, 0, 10), starRing(random, 8, 0, 0, 2)];
      const expected = hasKink(rings);
      expect(sweepIntersection(rings) !== undefined, `case ${k}`).toBe(expected);
      if (expected) crossing++;
      else simple++;
    }
    expect(crossing).toBeGreaterThan(100);
    expect(simple).toBeGreaterThan(100);
  });

  it('the convex shortcut only ever accepts rings kinks finds simple', () => {
    const random = seededRandom(3);
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 3 + Math.floor(random() * 12);
      const ring = k % 3 === 0 ? randomRing(random, n, 4) : starRing(random, n, 10, -5, 3);
      if (isStrictlyConvexRing(ring)) {
        accepted++;
        expect(hasKink([ring]), JSON.stringify(ring)).toBe(false);
      }
    }
    expect(accepted).toBeGreaterThan(200);
    // A pentagram turns the same way at every vertex but winds twice: not convex.
    const star = [0, 2, 4, 1, 3].map((i) => [
      Math.cos((i * 2 * Math.PI) / 5),
      Math.sin((i * 2 * Math.PI) / 5),
    ]);
    expect(isStrictlyConvexRing([...star, star[0]!])).toBe(false);
    expect(hasKink([[...star, star[0]!]])).toBe(true);
  });
});

describe('ring rules', () => {
  it('reports an unclosed ring before a short one, and accepts a closed ring of 4', () => {
    expect(
      ringProblem([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]),
    ).toBe('not-closed');
    expect(
      ringProblem([
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
    ).toBe('too-short');
    expect(ringProblem([])).toBe('not-closed');
    expect(
      ringProblem([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ]),
    ).toBeUndefined();
    // A third ordinate takes part in closure.
    expect(
      ringProblem([
        [0, 0, 1],
        [1, 0, 1],
        [1, 1, 1],
        [0, 0, 2],
      ]),
    ).toBe('not-closed');
  });
});

describe('polygonSelfIntersection', () => {
  /** A simple star-shaped ring of `n` vertices around the origin (simple: radii vary, angles increase). */
  function simpleStar(n: number): Position[] {
    const ring: Position[] = [];
    for (let i = 0; i < n; i++) {
      const angle = (i / n) * 2 * Math.PI;
      const radius = i % 2 === 0 ? 1 : 0.8;
      ring.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
    }
    ring.push(ring[0]!);
    return ring;
  }

  it('judges rings above 5,000 vertices like kinks does, with no vertex limit', () => {
    const simple = simpleStar(6000);
    const crossed = simple.slice();
    // One vertex pulled through the far side: its two edges cut across the ring.
    crossed[3000] = [2, 0.001];
    for (const ring of [simple, crossed]) {
      const oracle = kinks({ type: 'Polygon', coordinates: [ring] } as Parameters<typeof kinks>[0]);
      expect(findSelfIntersection([ring]) !== undefined).toBe(oracle.features.length > 0);
    }
    expect(polygonSelfIntersection([simple])).toBeUndefined();
    expect(polygonSelfIntersection([crossed])?.kind).toBe('intersection');
  });

  it('judges a polygon across the antimeridian on continuous longitudes and reports the hit in range', () => {
    const across: Position[] = [
      [170, 0],
      [-170, 0],
      [-170, 10],
      [170, 10],
      [170, 0],
    ];
    expect(polygonSelfIntersection([across])).toBeUndefined();
    const bowTie: Position[] = [
      [170, 0],
      [-170, 10],
      [-170, 0],
      [170, 10],
      [170, 0],
    ];
    const verdict = polygonSelfIntersection([bowTie]);
    expect(verdict).toEqual({ kind: 'intersection', at: [180, 5] });
    const aroundPole: Position[] = [
      [0, 80],
      [90, 80],
      [180, 80],
      [-90, 80],
      [0, 80],
    ];
    expect(polygonSelfIntersection([aroundPole])).toEqual({ kind: 'winds-around-pole' });
  });

  it('reports a flat ring as zero-area', () => {
    expect(
      polygonSelfIntersection([
        [
          [0, 0],
          [1, 1],
          [2, 2],
          [0, 0],
        ],
      ]),
    ).toEqual({ kind: 'zero-area', ring: 0 });
  });
});
