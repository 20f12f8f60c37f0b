import type { Bbox, StacExtent, StacItem } from '@scm/core';
import { isPlainObject } from '@scm/core';
import { isBboxShape, type LonRange, unionLongitudes } from '@scm/core/geojson';
import { compareDatetimes, normalizeDatetime } from './datetime.js';

/**
 * Builds a Collection extent one Item at a time, holding only a few numbers
 * and a bounded list of longitude ranges, never the Items.
 */
export interface ExtentAccumulator {
  /** Adds an Item: its `bbox` (if any) and its `datetime`, `start_datetime`, `end_datetime`. */
  add(item: StacItem): void;
  /** Adds a 2D or 3D bbox; `west > east` means it crosses the antimeridian. Malformed boxes are ignored. */
  addBbox(bbox: Bbox): void;
  /** Adds a time range; `null` is an open end. Values that are not RFC 3339 are ignored. */
  addInterval(start: string | null, end: string | null): void;
  /** Items added with {@link ExtentAccumulator.add}. */
  readonly count: number;
  /**
   * The extent so far: one overall bbox and one overall interval.
   *
   * - bbox: the union of the boxes added; 3D only when every box was 3D.
   *   When some box crosses the antimeridian, the union is taken on the
   *   circle and crosses too when that is narrower (e.g. `[170, -20, -160, 20]`).
   *   `[-180, -90, 180, 90]` when no box was added.
   * - interval: earliest start to latest end; `[null, null]` when no time was added.
   */
  extent(): StacExtent;
}

/** Disjoint longitude ranges kept before the smallest gaps are filled (the bbox then covers a bit more than needed). */
const MAX_RANGES = 1024;

/** Creates an {@link ExtentAccumulator}. */
export function createExtentAccumulator(): ExtentAccumulator {
  const ranges: LonRange[] = []; // sorted, disjoint, within [-180, 180]
  let boxes = 0;
  let crossing = false;
  let allZ = true;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let minZ = Number.POSITIVE_INFINITY;
  let maxZ = Number.NEGATIVE_INFINITY;
  let earliest: string | undefined;
  let latest: string | undefined;
  let openStart = false;
  let openEnd = false;
  let count = 0;

  const addRange = (west: number, east: number) => {
    // First range whose east end reaches `west` (touching ranges merge).
    let lo = 0;
    let hi = ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranges[mid]![1] < west) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    let w = west;
    let e = east;
    while (end < ranges.length && ranges[end]![0] <= east) {
      w = Math.min(w, ranges[end]![0]);
      e = Math.max(e, ranges[end]![1]);
      end++;
    }
    ranges.splice(lo, end - lo, [w, e]);
    if (ranges.length > 2 * MAX_RANGES) fillSmallestGaps(ranges, MAX_RANGES);
  };

  const addTime = (value: string | null, isStart: boolean) => {
    if (value === null) {
      if (isStart) openStart = true;
      else openEnd = true;
      return;
    }
    const normalized = normalizeDatetime(value);
    if (normalized === undefined) return;
    if (earliest === undefined || compareDatetimes(normalized, earliest) < 0) earliest = normalized;
    if (latest === undefined || compareDatetimes(normalized, latest) > 0) latest = normalized;
  };

  const accumulator: ExtentAccumulator = {
    get count() {
      return count;
    },
    add(item: StacItem) {
      count += 1;
      if (item.bbox !== undefined) accumulator.addBbox(item.bbox);
      const properties = isPlainObject(item.properties) ? item.properties : undefined;
      if (!properties) return;
      for (const field of ['datetime', 'start_datetime', 'end_datetime'] as const) {
        const value = properties[field];
        if (typeof value === 'string') {
          addTime(value, true);
        }
      }
    },
    addBbox(bbox: Bbox) {
      if (!isBboxShape(bbox)) return;
      const three = bbox.length === 6;
      const west = bbox[0]!;
      const south = bbox[1]!;
      const east = three ? bbox[3]! : bbox[2]!;
      const north = three ? bbox[4]! : bbox[3]!;
      boxes += 1;
      if (three) {
        minZ = Math.min(minZ, bbox[2]!);
        maxZ = Math.max(maxZ, bbox[5]!);
      } else {
        allZ = false;
      }
      minY = Math.min(minY, south);
      maxY = Math.max(maxY, north);
      if (west > east) {
        crossing = true;
        addRange(west, 180);
        addRange(-180, east);
      } else {
        addRange(west, east);
      }
    },
    addInterval(start: string | null, end: string | null) {
      addTime(start, true);
      addTime(end, false);
    },
    extent(): StacExtent {
      let bbox: Bbox = [-180, -90, 180, 90];
      if (boxes > 0) {
        const [west, east] = crossing
          ? unionLongitudes(ranges)
          : [ranges[0]![0], ranges[ranges.length - 1]![1]];
        bbox = allZ ? [west, minY, minZ, east, maxY, maxZ] : [west, minY, east, maxY];
      }
      const start = openStart ? null : (earliest ?? null);
      const end = openEnd ? null : (latest ?? null);
      return { spatial: { bbox: [bbox] }, temporal: { interval: [[start, end]] } };
    },
  };
  return accumulator;
}

/** Merges neighbouring ranges across the smallest gaps until at most `target` remain. */
function fillSmallestGaps(ranges: LonRange[], target: number): void {
  const gaps = ranges.slice(1).map((range, i) => ({ i, size: range[0] - ranges[i]![1] }));
  gaps.sort((a, b) => a.size - b.size);
  const close = new Uint8Array(ranges.length);
  for (let k = 0; k < ranges.length - target; k++) close[gaps[k]!.i] = 1;
  const merged: LonRange[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    if (i > 0 && close[i - 1]) merged[merged.length - 1]![1] = range[1];
    else merged.push([range[0], range[1]]);
  }
  ranges.splice(0, ranges.length, ...merged);
}
