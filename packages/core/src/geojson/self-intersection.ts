import type { Position } from '../stac.js';

/**
 * Finds a point where the boundary of a polygon (closed rings: exterior
 * first, then holes) crosses or touches itself, or `undefined` when it is
 * simple. Consecutive duplicate positions are ignored (they are not
 * intersections).
 *
 * - A single strictly convex ring is simple by construction, so it skips the
 *   pairwise test (see {@link isStrictlyConvexRing}).
 * - Otherwise a sweep over segments sorted by longitude runs the segment test
 *   of `@turf/kinks` on the pairs whose boxes overlap: the same verdict as
 *   kinks (the tests use it as an oracle) at a cost near O(n log n) instead
 *   of O(n²), so there is no vertex limit.
 */
export function findSelfIntersection(rings: Position[][]): Position | undefined {
  const clean = rings.map(withoutRepeats);
  if (clean.length === 1 && isStrictlyConvexRing(clean[0]!)) return undefined;
  return sweepIntersection(clean);
}

/** The ring without consecutive repeated positions (compared on x and y). Returns the same array when there are none. */
export function withoutRepeats(ring: Position[]): Position[] {
  let repeats = false;
  for (let i = 1; i < ring.length; i++) {
    if (ring[i]![0] === ring[i - 1]![0] && ring[i]![1] === ring[i - 1]![1]) {
      repeats = true;
      break;
    }
  }
  if (!repeats) return ring;
  const out: Position[] = [ring[0]!];
  for (let i = 1; i < ring.length; i++) {
    const p = ring[i]!;
    const q = out[out.length - 1]!;
    if (p[0] !== q[0] || p[1] !== q[1]) out.push(p);
  }
  return out;
}

/**
 * True when a closed ring is strictly convex: every turn goes the same way,
 * and the edge directions sweep exactly one full turn. Such a ring cannot
 * touch or cross itself.
 *
 * Why this is sound: if all turns have the same sign, the edge direction
 * changes monotonically and the total turning is 360°·k for some k ≥ 1. The
 * sign of an edge's x component flips each time the direction passes
 * vertical, which happens exactly 2k times; so exactly 2 flips means k = 1, a
 * convex polygon. Signs of x differences are exact in floating point; a turn
 * only counts when its cross product exceeds 1e-12 of the product of the edge
 * lengths, far above rounding error, so its computed sign is its true sign.
 * Anything else (a collinear or nearly collinear vertex, a reflex vertex)
 * returns false and goes to the full test.
 */
export function isStrictlyConvexRing(ring: Position[]): boolean {
  const n = ring.length - 1; // distinct vertices of a closed ring
  if (n < 3) return false;
  let turnSign = 0;
  let flips = 0;
  let firstDx = 0;
  let lastDx = 0;
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    const c = ring[i + 2 > n ? 1 : i + 2]!;
    const ex = b[0]! - a[0]!;
    const ey = b[1]! - a[1]!;
    const fx = c[0]! - b[0]!;
    const fy = c[1]! - b[1]!;
    const cross = ex * fy - ey * fx;
    if (cross * cross <= 1e-24 * (ex * ex + ey * ey) * (fx * fx + fy * fy)) return false;
    const sign = cross > 0 ? 1 : -1;
    if (turnSign === 0) turnSign = sign;
    else if (sign !== turnSign) return false;
    const dx = ex > 0 ? 1 : ex < 0 ? -1 : 0;
    if (dx !== 0) {
      if (firstDx === 0) firstDx = dx;
      else if (dx !== lastDx) flips++;
      lastDx = dx;
    }
  }
  if (firstDx !== lastDx) flips++; // the cyclic flip from the last edge back to the first
  return flips === 2;
}

interface Segment {
  ring: number;
  index: number;
  /** Index of the last segment of its ring. */
  last: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** The sweep behind {@link findSelfIntersection}, without the convex shortcut; exported for the test that compares it with kinks. */
export function sweepIntersection(rings: Position[][]): Position | undefined {
  const segments: Segment[] = [];
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    const last = ring.length - 2;
    for (let i = 0; i <= last; i++) {
      const [x1, y1] = ring[i] as [number, number];
      const [x2, y2] = ring[i + 1] as [number, number];
      segments.push({
        ring: r,
        index: i,
        last,
        x1,
        y1,
        x2,
        y2,
        minX: Math.min(x1, x2),
        maxX: Math.max(x1, x2),
        minY: Math.min(y1, y2),
        maxY: Math.max(y1, y2),
      });
    }
  }
  segments.sort((a, b) => a.minX - b.minX);
  const active: Segment[] = [];
  for (const s of segments) {
    let kept = 0;
    for (const a of active) if (a.maxX >= s.minX) active[kept++] = a;
    active.length = kept;
    for (const a of active) {
      if (a.maxY < s.minY || a.minY > s.maxY) continue;
      if (a.ring === s.ring) {
        const gap = Math.abs(a.index - s.index);
        // Neighbours share a vertex by construction; so do the first and last segments of a closed ring.
        if (gap === 1 || gap === a.last) continue;
      }
      const hit = segmentsMeet(a, s);
      if (hit) return hit;
    }
    active.push(s);
  }
  return undefined;
}

/**
 * The same test kinks applies: segments meet (cross or touch) when the
 * intersection of their lines lies within both; parallel segments never do.
 */
function segmentsMeet(p: Segment, q: Segment): Position | undefined {
  const denominator = (q.y2 - q.y1) * (p.x2 - p.x1) - (q.x2 - q.x1) * (p.y2 - p.y1);
  if (denominator === 0) return undefined;
  const dy = p.y1 - q.y1;
  const dx = p.x1 - q.x1;
  const a = ((q.x2 - q.x1) * dy - (q.y2 - q.y1) * dx) / denominator;
  const b = ((p.x2 - p.x1) * dy - (p.y2 - p.y1) * dx) / denominator;
  if (a < 0 || a > 1 || b < 0 || b > 1) return undefined;
  return [p.x1 + a * (p.x2 - p.x1), p.y1 + a * (p.y2 - p.y1)];
}
