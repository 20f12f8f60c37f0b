import type { Position } from '../stac.js';
import { lineCrossesAntimeridian, ringArea2, unwrapPolygon } from './antimeridian.js';
import { findSelfIntersection, withoutRepeats } from './self-intersection.js';

/** GeoJSON geometry types (RFC 7946 §3.1) and how deeply their `coordinates` nest positions. */
export const COORDINATE_DEPTH: ReadonlyMap<string, number> = new Map([
  ['Point', 0],
  ['MultiPoint', 1],
  ['LineString', 1],
  ['MultiLineString', 2],
  ['Polygon', 2],
  ['MultiPolygon', 3],
]);

/** The seven GeoJSON geometry types. */
export const GEOMETRY_TYPES: ReadonlySet<string> = new Set([
  ...COORDINATE_DEPTH.keys(),
  'GeometryCollection',
]);

/** True when two positions have the same ordinates (and as many of them). */
export function samePosition(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What is wrong with the shape of a linear ring, before its geometry is looked at. */
export type RingProblem = 'not-closed' | 'too-short';

/**
 * The RFC 7946 §3.1.6 shape rule for a linear ring of positions: closed
 * (first and last positions equal in every ordinate) and at least 4
 * positions. Closure is reported first: an unclosed ring is short anyway.
 */
export function ringProblem(ring: readonly (readonly number[])[]): RingProblem | undefined {
  if (ring.length === 0 || !samePosition(ring[0]!, ring[ring.length - 1]!)) return 'not-closed';
  return ring.length < 4 ? 'too-short' : undefined;
}

/** True when a closed ring runs counter-clockwise (positive signed area), as RFC 7946 wants exteriors. */
export function isCounterClockwise(ring: Position[]): boolean {
  return ringArea2(ring) > 0;
}

/** The verdict of {@link polygonSelfIntersection}. */
export type PolygonIntersection =
  | { kind: 'intersection'; at: Position }
  | { kind: 'winds-around-pole' }
  | { kind: 'zero-area'; ring: number };

/**
 * The one self-intersection rule for a polygon of closed rings (exterior
 * first): does its boundary cross or touch itself? A polygon crossing the
 * antimeridian is judged on continuous longitudes (the hit is reported back
 * in [-180, 180]); one that winds around a pole cannot be. A simple polygon
 * can still be flat (all positions on one line), which is reported as
 * `zero-area`. Returns `undefined` for a simple polygon with area.
 */
export function polygonSelfIntersection(rings: Position[][]): PolygonIntersection | undefined {
  let planar = rings;
  if (lineCrossesAntimeridian(rings[0]!)) {
    const continuous = unwrapPolygon(rings);
    if (!continuous) return { kind: 'winds-around-pole' };
    planar = continuous;
  }
  const hit = findSelfIntersection(planar);
  if (hit) return { kind: 'intersection', at: [hit[0]! > 180 ? hit[0]! - 360 : hit[0]!, hit[1]!] };
  for (let i = 0; i < planar.length; i++) {
    if (ringArea2(withoutRepeats(planar[i]!)) === 0) return { kind: 'zero-area', ring: i };
  }
  return undefined;
}
