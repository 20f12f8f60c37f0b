import type { Position } from '../stac.js';

/**
 * True when the edge between two longitudes is read as crossing the
 * antimeridian: it jumps more than 180°. An edge from -180 to 180 (or back)
 * is a seam along the antimeridian itself (polar caps use them), not a crossing.
 */
export function edgeCrossesAntimeridian(x1: number, x2: number): boolean {
  const d = x2 - x1;
  if (d <= 180 && d >= -180) return false;
  return !(Math.abs(x1) === 180 && Math.abs(x2) === 180);
}

/** True when any edge of the line or ring crosses the antimeridian. */
export function lineCrossesAntimeridian(line: Position[]): boolean {
  for (let i = 1; i < line.length; i++) {
    if (edgeCrossesAntimeridian(line[i - 1]![0]!, line[i]![0]!)) return true;
  }
  return false;
}

/**
 * For each position of a line, the multiple of 360° to add to its longitude
 * so that no edge jumps more than 180°. The first position gets 0.
 */
function unwrapTurns(line: Position[]): Int32Array {
  const turns = new Int32Array(line.length);
  let k = 0;
  for (let i = 1; i < line.length; i++) {
    const d = line[i]![0]! - line[i - 1]![0]!;
    if (d > 180) k -= 1;
    else if (d < -180) k += 1;
    turns[i] = k;
  }
  return turns;
}

/**
 * The ring with longitudes made continuous (no jump above 180°) and shifted
 * by a whole number of turns so its westernmost longitude lies in
 * [-180, 180). Returns `undefined` when the continuous ring does not close,
 * that is, when it winds around a pole, and so cannot be cut into pieces on
 * either side of the antimeridian.
 */
export function unwrapRing(ring: Position[]): Position[] | undefined {
  const turns = unwrapTurns(ring);
  if (turns[turns.length - 1] !== 0) return undefined;
  return shiftedCopy(ring, turns);
}

/** Continuous copy of a line; `shift` extra turns, or by default the ones that put its west end in [-180, 180). */
function shiftedCopy(
  line: Position[],
  turns: Int32Array,
  shift = normalisingShift(line, turns, -180),
): Position[] {
  const out = new Array<Position>(line.length);
  for (let i = 0; i < line.length; i++) {
    const p = line[i]!.slice();
    p[0] = p[0]! + 360 * (turns[i]! + shift);
    out[i] = p;
  }
  return out;
}

/** Whole turns to add so that the line's westernmost continuous longitude lies in [west, west + 360). */
function normalisingShift(line: Position[], turns: Int32Array, west: number): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < line.length; i++) min = Math.min(min, line[i]![0]! + 360 * turns[i]!);
  let shift = 0;
  while (min + 360 * shift < west) shift += 1;
  while (min + 360 * shift >= west + 360) shift -= 1;
  return shift;
}

/** Smallest and largest longitude of a line. */
export function longitudeRange(line: Position[]): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of line) {
    if (p[0]! < min) min = p[0]!;
    if (p[0]! > max) max = p[0]!;
  }
  return [min, max];
}

/** Twice the signed area of a closed ring (positive when counter-clockwise). */
export function ringArea2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  }
  return sum;
}

/**
 * A polygon (exterior, then holes) whose exterior crosses the antimeridian,
 * in continuous longitudes: exterior counter-clockwise with its westernmost
 * point in [-180, 180), holes clockwise and shifted next to it. `undefined`
 * when the exterior winds around a pole or spans 360° or more.
 */
export function unwrapPolygon(rings: Position[][]): Position[][] | undefined {
  const exterior = unwrapRing(rings[0]!);
  if (!exterior) return undefined;
  const [west, east] = longitudeRange(exterior);
  if (east - west >= 360) return undefined;
  if (ringArea2(exterior) < 0) exterior.reverse();
  const out = [exterior];
  for (let r = 1; r < rings.length; r++) {
    const ring = rings[r]!;
    const turns = unwrapTurns(ring);
    // Place the hole in the same 360° window as the exterior.
    const hole = shiftedCopy(ring, turns, normalisingShift(ring, turns, west));
    if (ringArea2(hole) > 0) hole.reverse();
    out.push(hole);
  }
  return out;
}

/** A copy of a line with continuous longitudes (no jump above 180°), its westernmost point in [-180, 180). */
export function continuousLine(line: Position[]): Position[] {
  return shiftedCopy(line, unwrapTurns(line));
}
