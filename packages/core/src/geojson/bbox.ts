import type { Bbox, Geometry, Position } from '../stac.js';
import { lineCrossesAntimeridian, unwrapRing } from './antimeridian.js';

/** A longitude range; `west > east` when it crosses the antimeridian. */
export type LonRange = [west: number, east: number];

interface BboxState {
  ranges: LonRange[];
  minY: number;
  maxY: number;
  minZ: number;
  maxZ: number;
  /** Every position has a third ordinate. */
  allZ: boolean;
  /** Some part crosses the antimeridian as it stands. */
  crossing: boolean;
  /** Line or polygon parts touching +180 and -180. */
  touchesEast: boolean;
  touchesWest: boolean;
  /** Line or polygon parts seen. */
  parts: number;
}

/**
 * The bounding box of a geometry: `[west, south, east, north]`, or
 * `[west, south, min z, east, north, max z]` when every position has an
 * elevation.
 *
 * Antimeridian rules (RFC 7946 §5.2): when the geometry crosses the
 * antimeridian, `west` is greater than `east`, e.g. `[170, -10, -170, 10]`.
 * That is the case for a line or polygon with an edge that jumps more than
 * 180° of longitude, and for a multi-part geometry whose lines or polygons
 * touch both +180 and -180 (what cutting at the antimeridian produces); the
 * longitudes then get the narrowest range that covers every part. A polygon
 * that winds around a pole gets all longitudes and reaches that pole.
 * Otherwise the box is the plain minimum and maximum.
 */
export function computeBbox(geometry: Geometry): Bbox {
  const state: BboxState = {
    ranges: [],
    minY: Number.POSITIVE_INFINITY,
    maxY: Number.NEGATIVE_INFINITY,
    minZ: Number.POSITIVE_INFINITY,
    maxZ: Number.NEGATIVE_INFINITY,
    allZ: true,
    crossing: false,
    touchesEast: false,
    touchesWest: false,
    parts: 0,
  };
  visit(geometry, state);
  let west: number;
  let east: number;
  if (state.crossing || (state.touchesEast && state.touchesWest && state.parts > 1)) {
    [west, east] = unionLongitudes(state.ranges);
  } else {
    west = Number.POSITIVE_INFINITY;
    east = Number.NEGATIVE_INFINITY;
    for (const [w, e] of state.ranges) {
      if (w < west) west = w;
      if (e > east) east = e;
    }
  }
  return state.allZ
    ? [west, state.minY, state.minZ, east, state.maxY, state.maxZ]
    : [west, state.minY, east, state.maxY];
}

function visit(geometry: Geometry, state: BboxState): void {
  switch (geometry.type) {
    case 'Point':
      addPoint(geometry.coordinates, state);
      return;
    case 'MultiPoint':
      for (const p of geometry.coordinates) addPoint(p, state);
      return;
    case 'LineString':
      addLine(geometry.coordinates, state, false);
      return;
    case 'MultiLineString':
      for (const line of geometry.coordinates) addLine(line, state, false);
      return;
    case 'Polygon':
      addPolygon(geometry.coordinates, state);
      return;
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) addPolygon(polygon, state);
      return;
    case 'GeometryCollection':
      for (const member of geometry.geometries) visit(member, state);
      return;
  }
}

function addPoint(p: Position, state: BboxState): void {
  state.ranges.push([p[0]!, p[0]!]);
  addYZ(p, state);
}

function addYZ(p: Position, state: BboxState): void {
  const y = p[1]!;
  if (y < state.minY) state.minY = y;
  if (y > state.maxY) state.maxY = y;
  if (p.length > 2) {
    const z = p[2]!;
    if (z < state.minZ) state.minZ = z;
    if (z > state.maxZ) state.maxZ = z;
  } else {
    state.allZ = false;
  }
}

function addPolygon(rings: Position[][], state: BboxState): void {
  // Holes lie inside the exterior, but their positions still count for elevation.
  for (let r = 1; r < rings.length; r++) for (const p of rings[r]!) addYZ(p, state);
  addLine(rings[0]!, state, true);
}

function addLine(line: Position[], state: BboxState, isRing: boolean): void {
  state.parts += 1;
  let west = Number.POSITIVE_INFINITY;
  let east = Number.NEGATIVE_INFINITY;
  for (const p of line) {
    const x = p[0]!;
    if (x < west) west = x;
    if (x > east) east = x;
    if (x === 180) state.touchesEast = true;
    else if (x === -180) state.touchesWest = true;
    addYZ(p, state);
  }
  if (!lineCrossesAntimeridian(line)) {
    state.ranges.push([west, east]);
    return;
  }
  state.crossing = true;
  const continuous = isRing ? unwrapRing(line) : unwrapLine(line);
  if (!continuous) {
    // A ring around a pole: every longitude, up to the pole it encircles.
    state.ranges.push([-180, 180]);
    let sum = 0;
    for (const p of line) sum += p[1]!;
    if (sum >= 0) state.maxY = 90;
    else state.minY = -90;
    return;
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of continuous) {
    if (p[0]! < min) min = p[0]!;
    if (p[0]! > max) max = p[0]!;
  }
  if (max - min >= 360) state.ranges.push([-180, 180]);
  else state.ranges.push([min, max > 180 ? max - 360 : max]);
}

/** A line with continuous longitudes, its west end in [-180, 180). */
function unwrapLine(line: Position[]): Position[] {
  const xs: number[] = new Array(line.length);
  let k = 0;
  xs[0] = line[0]![0]!;
  let min = xs[0];
  for (let i = 1; i < line.length; i++) {
    const d = line[i]![0]! - line[i - 1]![0]!;
    if (d > 180) k -= 1;
    else if (d < -180) k += 1;
    xs[i] = line[i]![0]! + 360 * k;
    if (xs[i]! < min) min = xs[i]!;
  }
  const shift = min < -180 ? 360 : 0;
  return line.map((p, i) => [xs[i]! + shift, p[1]!]);
}

/**
 * The narrowest longitude range covering all the given ranges on the circle
 * (ranges with `west > east` cross the antimeridian). The result crosses the
 * antimeridian when that is narrower; `[-180, 180]` when nothing is left out.
 */
export function unionLongitudes(ranges: readonly LonRange[]): LonRange {
  const merged = mergeRanges(ranges);
  if (merged.length === 0) return [-180, 180];
  const first = merged[0]!;
  const last = merged[merged.length - 1]!;
  // The gap across the antimeridian, then the gaps between neighbours; the widest one is left out.
  let widest = first[0] + 180 + (180 - last[1]);
  let result: LonRange = [first[0], last[1]];
  for (let i = 0; i + 1 < merged.length; i++) {
    const gap = merged[i + 1]![0] - merged[i]![1];
    if (gap > widest) {
      widest = gap;
      result = [merged[i + 1]![0], merged[i]![1]];
    }
  }
  if (widest <= 0) return [-180, 180];
  return result;
}

/** Sorted, non-touching ranges within [-180, 180], crossing ranges split in two. */
export function mergeRanges(ranges: readonly LonRange[]): LonRange[] {
  const plain: LonRange[] = [];
  for (const [west, east] of ranges) {
    if (west > east) {
      plain.push([west, 180], [-180, east]);
    } else {
      plain.push([west, east]);
    }
  }
  plain.sort((a, b) => a[0] - b[0]);
  const merged: LonRange[] = [];
  for (const range of plain) {
    const top = merged[merged.length - 1];
    if (top && range[0] <= top[1]) {
      if (range[1] > top[1]) top[1] = range[1];
    } else {
      merged.push([range[0], range[1]]);
    }
  }
  return merged;
}

/**
 * True when two boxes agree within `tolerance` degrees (and units of
 * elevation). Only the horizontal values are compared when one of them is 2D.
 */
export function bboxesAgree(given: Bbox, computed: Bbox, tolerance: number): boolean {
  const a = horizontal(given);
  const b = horizontal(computed);
  for (let i = 0; i < 4; i++) if (!(Math.abs(a[i]! - b[i]!) <= tolerance)) return false;
  if (given.length === 6 && computed.length === 6) {
    if (!(Math.abs(given[2]! - computed[2]!) <= tolerance)) return false;
    if (!(Math.abs(given[5]! - computed[5]!) <= tolerance)) return false;
  }
  return true;
}

/** `[west, south, east, north]` of a 2D or 3D box. */
export function horizontal(bbox: Bbox): [number, number, number, number] {
  return bbox.length === 6
    ? [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!]
    : [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
}

/** True for an array of 4 or 6 finite numbers. */
export function isBboxShape(value: unknown): value is Bbox {
  return (
    Array.isArray(value) &&
    (value.length === 4 || value.length === 6) &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

/**
 * A geometry covering a bounding box: a Polygon (a MultiPolygon of two parts
 * when the box crosses the antimeridian), a LineString when it has no width
 * or no height, a Point when it has neither.
 */
export function geometryFromBbox(bbox: Bbox): Geometry {
  const [west, south, east, north] = horizontal(bbox);
  const box = (w: number, e: number): Position[][] => [
    [
      [w, south],
      [e, south],
      [e, north],
      [w, north],
      [w, south],
    ],
  ];
  if (west === east && south === north) return { type: 'Point', coordinates: [west, south] };
  if (west === east || south === north) {
    return {
      type: 'LineString',
      coordinates: [
        [west, south],
        [east, north],
      ],
    };
  }
  if (west > east) return { type: 'MultiPolygon', coordinates: [box(west, 180), box(-180, east)] };
  return { type: 'Polygon', coordinates: box(west, east) };
}
