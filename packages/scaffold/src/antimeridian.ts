import type { Geometry, Position } from '@scm/core';
import {
  continuousLine,
  lineCrossesAntimeridian,
  longitudeRange,
  ringArea2,
  unwrapPolygon,
} from '@scm/core/geojson';

/**
 * Cuts geometries that cross the antimeridian into parts on each side of it,
 * as RFC 7946 §3.1.9 asks: a Polygon becomes a MultiPolygon, a LineString a
 * MultiLineString; Multi* and GeometryCollection members are cut one by one.
 *
 * A ring or line crosses when one of its edges jumps more than 180° of
 * longitude. Its longitudes are made continuous, it is cut along 180° (the cut
 * points get interpolated latitudes, and elevations when present), and the
 * part beyond 180° is shifted back by 360°. Holes are kept in the part that
 * contains them; holes that cross the cut become part of the new boundaries.
 * Pieces come out with counter-clockwise exteriors and clockwise holes.
 *
 * Geometries that do not cross are returned unchanged (the same object).
 * Polygons whose exterior winds around a pole cannot be cut this way and are
 * returned unchanged too; {@link checkGeometry} reports them.
 */
export function splitAntimeridian(geometry: Geometry): Geometry {
  switch (geometry.type) {
    case 'LineString': {
      if (!lineCrossesAntimeridian(geometry.coordinates)) return geometry;
      const parts = splitLine(geometry.coordinates);
      return parts.length === 1
        ? { type: 'LineString', coordinates: parts[0]! }
        : { type: 'MultiLineString', coordinates: parts };
    }
    case 'MultiLineString': {
      if (!geometry.coordinates.some(lineCrossesAntimeridian)) return geometry;
      const parts = geometry.coordinates.flatMap((line) =>
        lineCrossesAntimeridian(line) ? splitLine(line) : [line],
      );
      return { type: 'MultiLineString', coordinates: parts };
    }
    case 'Polygon': {
      const parts = splitPolygon(geometry.coordinates);
      if (!parts) return geometry;
      return parts.length === 1
        ? { type: 'Polygon', coordinates: parts[0]! }
        : { type: 'MultiPolygon', coordinates: parts };
    }
    case 'MultiPolygon': {
      let changed = false;
      const parts: Position[][][] = [];
      for (const polygon of geometry.coordinates) {
        const split = splitPolygon(polygon);
        if (split) {
          changed = true;
          parts.push(...split);
        } else {
          parts.push(polygon);
        }
      }
      return changed ? { type: 'MultiPolygon', coordinates: parts } : geometry;
    }
    case 'GeometryCollection': {
      const members = geometry.geometries.map(splitAntimeridian);
      return members.some((m, i) => m !== geometry.geometries[i])
        ? { type: 'GeometryCollection', geometries: members }
        : geometry;
    }
    default:
      return geometry;
  }
}

// ---------------------------------------------------------------- lines

function splitLine(line: Position[]): Position[][] {
  const points = continuousLine(line);
  const pieces: Position[][] = [];
  let current: Position[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const cellA = cellOf(a[0]!);
    const cellB = cellOf(b[0]!);
    if (cellA !== cellB) {
      // Cut at every boundary 180 + 360·j between the two cells.
      const step = cellB > cellA ? 1 : -1;
      for (let cell = cellA; cell !== cellB; cell += step) {
        const boundary = 180 + 360 * (step > 0 ? cell : cell - 1);
        const cut = interpolateAtX(a, b, boundary);
        current.push(cut);
        pieces.push(current);
        current = [cut];
      }
    }
    current.push(b);
  }
  pieces.push(current);
  const out: Position[][] = [];
  for (const piece of pieces) {
    const clean = dropRepeats(piece);
    if (clean.length < 2) continue;
    const [min, max] = longitudeRange(clean);
    const shift = -360 * cellOf((min + max) / 2);
    out.push(shift === 0 ? clean : clean.map((p) => withX(p, p[0]! + shift)));
  }
  return out;
}

/** Which 360° window a continuous longitude is in: 0 for [-180, 180), 1 for [180, 540)… */
function cellOf(x: number): number {
  return Math.floor((x + 180) / 360);
}

// ---------------------------------------------------------------- polygons

/** The pieces of a polygon that crosses, or `undefined` when it does not cross or cannot be cut. */
function splitPolygon(rings: Position[][]): Position[][][] | undefined {
  if (!lineCrossesAntimeridian(rings[0]!)) return undefined;
  const continuous = unwrapPolygon(rings);
  if (!continuous) return undefined;
  const [, east] = longitudeRange(continuous[0]!);
  if (east <= 180) return [continuous];
  const west = cutPolygon(continuous, 180, true);
  const eastPieces = cutPolygon(continuous, 180, false).map((polygon) =>
    polygon.map((ring) => ring.map((p) => withX(p, p[0]! - 360))),
  );
  return [...west, ...eastPieces];
}

interface Chain {
  points: Position[];
  entryY: number;
  exitY: number;
}

/**
 * The parts of a polygon on one side of the vertical line x = c. Rings must
 * be closed and oriented with the polygon's interior on their left
 * (exterior counter-clockwise, holes clockwise).
 *
 * Each ring is broken into chains, the stretches on the kept side, each
 * starting and ending on the line. Walking the kept region's boundary, a
 * chain's exit point continues along the line to the nearest chain entry:
 * northwards when keeping the west side (the interior is on the left going
 * north), southwards when keeping the east. Following that until it returns
 * to the first chain closes one piece. Rings entirely on the kept side stay
 * whole; whole holes go to the piece that contains them.
 */
function cutPolygon(rings: Position[][], c: number, keepWest: boolean): Position[][][] {
  const kept = keepWest ? -1 : 1;
  const chains: Chain[] = [];
  const wholeHoles: Position[][] = [];
  let wholeExterior: Position[] | undefined;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    const side = sidesOf(ring, c);
    if (!side.includes(kept)) continue;
    if (!side.includes(-kept)) {
      if (r === 0) wholeExterior = ring;
      else wholeHoles.push(ring);
      continue;
    }
    addChains(ring, side, c, kept, chains);
  }
  const pieces: Position[][][] = wholeExterior ? [[wholeExterior]] : [];
  for (const ring of joinChains(chains, keepWest)) pieces.push([ring]);
  placeHoles(pieces, wholeHoles, c, keepWest);
  return pieces;
}

/** For each distinct vertex of a closed ring: -1 west of `c`, 1 east of it, 0 on it. */
function sidesOf(ring: Position[], c: number): Int8Array {
  const n = ring.length - 1;
  const side = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const x = ring[i]![0]!;
    side[i] = x < c ? -1 : x > c ? 1 : 0;
  }
  return side;
}

/**
 * Adds the chains of a ring that crosses the cut: each run of vertices not on
 * the other side, from where it enters the kept side to where it leaves,
 * with the crossing points interpolated on the cut.
 */
function addChains(ring: Position[], side: Int8Array, c: number, kept: number, chains: Chain[]): void {
  const n = side.length;
  let start = 0;
  while (side[start] !== -kept) start++;
  const at = (t: number) => (start + t) % n;
  let t = 1;
  while (t < n) {
    if (side[at(t)] === -kept) {
      t++;
      continue;
    }
    const runStart = t;
    while (t < n && side[at(t)] !== -kept) t++;
    const chain = runChain(ring, side, at, runStart, t - 1, c, kept);
    if (chain) chains.push(chain);
  }
}

/** The chain of one run, or `undefined` when the run only touches the cut from the other side. */
function runChain(
  ring: Position[],
  side: Int8Array,
  at: (t: number) => number,
  runStart: number,
  runEnd: number,
  c: number,
  kept: number,
): Chain | undefined {
  let first = -1;
  let last = -1;
  for (let u = runStart; u <= runEnd; u++) {
    if (side[at(u)] === kept) {
      if (first < 0) first = u;
      last = u;
    }
  }
  if (first < 0) return undefined;
  const entry =
    first === runStart ? interpolateAtX(ring[at(runStart - 1)]!, ring[at(first)]!, c) : ring[at(first - 1)]!;
  const exit =
    last === runEnd ? interpolateAtX(ring[at(last)]!, ring[at(runEnd + 1)]!, c) : ring[at(last + 1)]!;
  const points: Position[] = [entry];
  for (let u = first; u <= last; u++) points.push(ring[at(u)]!);
  points.push(exit);
  return { points, entryY: entry[1]!, exitY: exit[1]! };
}

/**
 * Joins chains into closed rings, each exit continuing along the cut to the
 * next entry (see {@link cutPolygon}). Flat or degenerate rings are dropped.
 */
function joinChains(chains: Chain[], keepWest: boolean): Position[][] {
  const rings: Position[][] = [];
  const used = new Uint8Array(chains.length);
  for (let k = 0; k < chains.length; k++) {
    if (used[k]) continue;
    const ring: Position[] = [];
    let current = k;
    for (;;) {
      used[current] = 1;
      ring.push(...chains[current]!.points);
      const next = nextChain(chains, chains[current]!.exitY, keepWest);
      if (next < 0 || next === k || used[next]) break;
      current = next;
    }
    ring.push(ring[0]!);
    const clean = dropRepeats(ring);
    if (clean.length >= 4 && ringArea2(clean) !== 0) rings.push(clean);
  }
  return rings;
}

/** The chain whose entry is nearest along the cut from latitude `y` (north when keeping the west), or -1. */
function nextChain(chains: Chain[], y: number, keepWest: boolean): number {
  let next = -1;
  for (let m = 0; m < chains.length; m++) {
    const entryY = chains[m]!.entryY;
    if (keepWest ? entryY < y : entryY > y) continue;
    if (next < 0 || (keepWest ? entryY < chains[next]!.entryY : entryY > chains[next]!.entryY)) next = m;
  }
  return next;
}

/** Puts each hole that lies wholly on the kept side into the piece that contains it. */
function placeHoles(pieces: Position[][][], holes: Position[][], c: number, keepWest: boolean): void {
  for (const hole of holes) {
    const probe = hole.find((p) => (keepWest ? p[0]! < c : p[0]! > c)) ?? hole[0]!;
    const home = pieces.find((piece) => pointInRing(probe, piece[0]!));
    if (home) home.push(hole);
  }
}

/** Even-odd test of a point against a closed ring. */
function pointInRing(point: Position, ring: Position[]): boolean {
  const x = point[0]!;
  const y = point[1]!;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i]![0]!;
    const yi = ring[i]![1]!;
    const xj = ring[j]![0]!;
    const yj = ring[j]![1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The point where segment a-b meets the vertical line x = c; other ordinates are interpolated. */
function interpolateAtX(a: Position, b: Position, c: number): Position {
  const t = (c - a[0]!) / (b[0]! - a[0]!);
  const out: Position = [c, a[1]! + t * (b[1]! - a[1]!)];
  if (a.length > 2 && b.length > 2) out.push(a[2]! + t * (b[2]! - a[2]!));
  return out;
}

function withX(p: Position, x: number): Position {
  const out = p.slice();
  out[0] = x;
  return out;
}

function dropRepeats(line: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of line) {
    const q = out[out.length - 1];
    if (!q || q[0] !== p[0] || q[1] !== p[1]) out.push(p);
  }
  return out;
}
