import type { Bbox, StacExtent, StacItem } from '@scm/core';
import { isPlainObject } from '@scm/core';
import { horizontal, isBboxShape, type LonRange, unionLongitudes } from '@scm/core/geojson';
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

/** Sorted, disjoint longitude ranges within [-180, 180]; touching ranges merge. */
function addRange(ranges: LonRange[], west: number, east: number): void {
  // First range whose east end reaches `west`.
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
}

/** The spatial half of the extent: longitude ranges, latitude and elevation bounds. */
class SpatialExtent {
  private readonly ranges: LonRange[] = [];
  private boxes = 0;
  private crossing = false;
  private allZ = true;
  private minY = Number.POSITIVE_INFINITY;
  private maxY = Number.NEGATIVE_INFINITY;
  private minZ = Number.POSITIVE_INFINITY;
  private maxZ = Number.NEGATIVE_INFINITY;

  add(bbox: Bbox): void {
    if (!isBboxShape(bbox)) return;
    const three = bbox.length === 6;
    const [west, south, east, north] = horizontal(bbox);
    this.boxes += 1;
    if (three) {
      this.minZ = Math.min(this.minZ, bbox[2]!);
      this.maxZ = Math.max(this.maxZ, bbox[5]!);
    } else {
      this.allZ = false;
    }
    this.minY = Math.min(this.minY, south);
    this.maxY = Math.max(this.maxY, north);
    if (west > east) {
      this.crossing = true;
      addRange(this.ranges, west, 180);
      addRange(this.ranges, -180, east);
    } else {
      addRange(this.ranges, west, east);
    }
  }

  bbox(): Bbox {
    if (this.boxes === 0) return [-180, -90, 180, 90];
    const ranges = this.ranges;
    const [west, east] = this.crossing
      ? unionLongitudes(ranges)
      : [ranges[0]![0], ranges[ranges.length - 1]![1]];
    return this.allZ
      ? [west, this.minY, this.minZ, east, this.maxY, this.maxZ]
      : [west, this.minY, east, this.maxY];
  }
}

/** The temporal half of the extent: earliest start, latest end, and whether an end is open. */
class TemporalExtent {
  private earliest: string | undefined;
  private latest: string | undefined;
  private openStart = false;
  private openEnd = false;

  add(value: string | null, isStart: boolean): void {
    if (value === null) {
      if (isStart) this.openStart = true;
      else this.openEnd = true;
      return;
    }
    const normalized = normalizeDatetime(value);
    if (normalized === undefined) return;
    if (this.earliest === undefined || compareDatetimes(normalized, this.earliest) < 0)
      this.earliest = normalized;
    if (this.latest === undefined || compareDatetimes(normalized, this.latest) > 0) this.latest = normalized;
  }

  interval(): [string | null, string | null] {
    return [this.openStart ? null : (this.earliest ?? null), this.openEnd ? null : (this.latest ?? null)];
  }
}

/** Creates an {@link ExtentAccumulator}. */
export function createExtentAccumulator(): ExtentAccumulator {
  const spatial = new SpatialExtent();
  const temporal = new TemporalExtent();
  let count = 0;
  return {
    get count() {
      return count;
    },
    add(item: StacItem) {
      count += 1;
      if (item.bbox !== undefined) spatial.add(item.bbox);
      const properties = isPlainObject(item.properties) ? item.properties : undefined;
      if (!properties) return;
      for (const field of ['datetime', 'start_datetime', 'end_datetime'] as const) {
        const value = properties[field];
        if (typeof value === 'string') temporal.add(value, true);
      }
    },
    addBbox: (bbox: Bbox) => spatial.add(bbox),
    addInterval(start: string | null, end: string | null) {
      temporal.add(start, true);
      temporal.add(end, false);
    },
    extent: (): StacExtent => ({
      spatial: { bbox: [spatial.bbox()] },
      temporal: { interval: [temporal.interval()] },
    }),
  };
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
