import { isPlainObject, type StacExtent, type StacItem, toRfc3339 } from '@scm/core';

/** Running spatial and temporal extent of the items seen for one collection (six numbers). */
export class ExtentAccumulator {
  private west = Number.POSITIVE_INFINITY;
  private south = Number.POSITIVE_INFINITY;
  private east = Number.NEGATIVE_INFINITY;
  private north = Number.NEGATIVE_INFINITY;
  private start = Number.POSITIVE_INFINITY;
  private end = Number.NEGATIVE_INFINITY;

  /** Widens the extent with an item's `bbox` and `datetime` (or `start_datetime`/`end_datetime`). */
  add(item: StacItem): void {
    const bbox = item.bbox;
    if (Array.isArray(bbox) && (bbox.length === 4 || bbox.length === 6) && bbox.every(Number.isFinite)) {
      const half = bbox.length / 2;
      this.west = Math.min(this.west, bbox[0]!);
      this.south = Math.min(this.south, bbox[1]!);
      this.east = Math.max(this.east, bbox[half]!);
      this.north = Math.max(this.north, bbox[half + 1]!);
    }
    const properties: Record<string, unknown> = isPlainObject(item.properties) ? item.properties : {};
    for (const key of ['datetime', 'start_datetime', 'end_datetime']) {
      const value = properties[key];
      const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(time)) continue;
      this.start = Math.min(this.start, time);
      this.end = Math.max(this.end, time);
    }
  }

  /** The extent seen so far; the whole world and an open interval when nothing was seen. */
  toExtent(): StacExtent {
    const bbox = Number.isFinite(this.west)
      ? [this.west, this.south, this.east, this.north]
      : [-180, -90, 180, 90];
    const seen = Number.isFinite(this.start);
    const interval: [string | null, string | null] = seen
      ? [toRfc3339(new Date(this.start)), toRfc3339(new Date(this.end))]
      : [null, null];
    return { spatial: { bbox: [bbox] }, temporal: { interval: [interval] } };
  }
}
