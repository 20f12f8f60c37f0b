import { isPlainObject, type StacCollection, type StacItem, ScmError, toRfc3339 } from '@scm/core';
import { isIntervalProblem, parseDatetimeInterval, rfc3339ToMillis } from '@scm/core/time';
import type { PageRequest } from './request.js';

/**
 * One time window of one collection, as a checkpoint stores it. Windows of a
 * collection tile its time range without gaps: each owns the items whose time
 * is in `[start, end)` (the first also owns earlier ones, the last the end
 * instant and later ones), which is how items on a seam are fetched twice by
 * the server's closed intervals but kept once.
 */
export interface WindowState {
  /** Stable id: `<collection> <start>/<end>`. */
  id: string;
  /** Collection id. */
  collection: string;
  /** RFC 3339 start, absent when unbounded. */
  start?: string;
  /** RFC 3339 end, absent when unbounded. */
  end?: string;
  /** Whether this is the collection's first window (owns items before `start`). */
  first: boolean;
  /** Whether this is the collection's last window (owns items at or after `end`). */
  last: boolean;
  /** `pending` (nothing written yet), `running`, `done`, or `incomplete` (a page failed after retries). */
  status: 'pending' | 'running' | 'done' | 'incomplete';
  /** The next page to fetch: the request after the last page fully written. */
  next?: PageRequest;
  /** Items written from this window. */
  items: number;
  /** Pages written from this window. */
  pages: number;
  /** Items the server said match this window, when it says. */
  matched?: number;
  /** Most items a window should hold before it is split further; absent when it must not be split. */
  target?: number;
  /** Why the window stopped early (loop guard, failure). */
  note?: string;
  /** The last window of a collection whose extent is open: asked for with an open end, so items dated after the run started still come. */
  openEnd?: boolean;
}

/** A time range in epoch milliseconds; a missing end is open. */
export interface TimeRange {
  start?: number;
  end?: number;
  /** The end is only where the cutting stops (now): the last window asks the server with an open end. */
  openEnd?: boolean;
  /** Nothing to harvest: the filter lies wholly outside the collection's extent (no request may be sent). */
  empty?: boolean;
}

/**
 * Parses a STAC API `datetime` filter with `@scm/core/time`: an instant, or
 * `start/end` with `..` or empty for an open end. A date alone is its UTC
 * midnight.
 */
export function parseDatetimeFilter(text: string): TimeRange {
  const parsed = parseDatetimeInterval(text);
  if (isIntervalProblem(parsed)) {
    if (parsed.reason === 'parts')
      throw new ScmError('SCM_USAGE', `datetime "${text}" has more than one "/"`);
    throw new ScmError('SCM_USAGE', `datetime: "${parsed.part}" is not an RFC 3339 date-time`);
  }
  const start = parsed.start?.ms;
  const end = parsed.end?.ms;
  if (start !== undefined && end !== undefined && end < start) {
    throw new ScmError('SCM_USAGE', `datetime "${text}": the end is before the start`);
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** Epoch ms of an RFC 3339 string, `NaN` for anything else (so comparisons with it are false). */
function millis(value: unknown): number {
  return (typeof value === 'string' ? rfc3339ToMillis(value) : undefined) ?? Number.NaN;
}

/** The collection's temporal extent (first interval), as epoch milliseconds. */
export function collectionTimeRange(collection: StacCollection | undefined): TimeRange {
  const interval = collection?.extent?.temporal?.interval?.[0];
  if (!Array.isArray(interval)) return {};
  const [start, end] = interval.map(millis);
  return {
    ...(start !== undefined && !Number.isNaN(start) ? { start } : {}),
    ...(end !== undefined && !Number.isNaN(end) ? { end } : {}),
  };
}

/**
 * The range to harvest: the filter within the collection's extent. An open
 * extent end becomes `now` (rounded up to the second) so the range can be cut.
 * A filter wholly outside the extent (its start after the extent's end, or
 * its end before the extent's start) gives `{ empty: true }`: the collection
 * has nothing to fetch, and a reversed `datetime` would be a 400.
 */
export function harvestRange(extent: TimeRange, filter: TimeRange | undefined, now = Date.now()): TimeRange {
  const pick = (a: number | undefined, b: number | undefined, f: (x: number, y: number) => number) =>
    a === undefined ? b : b === undefined ? a : f(a, b);
  const start = pick(extent.start, filter?.start, Math.max);
  let end = pick(extent.end, filter?.end, Math.min);
  const openEnd = end === undefined && start !== undefined;
  if (openEnd) end = Math.ceil(now / 1000) * 1000;
  if (start !== undefined && end !== undefined && start > end) return { empty: true };
  return {
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(openEnd ? { openEnd } : {}),
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : toRfc3339(new Date(ms));
}

/** Builds a pending window. */
export function makeWindow(
  collection: string,
  range: TimeRange,
  first: boolean,
  last: boolean,
  target?: number,
): WindowState {
  const start = iso(range.start);
  const end = iso(range.end);
  return {
    id: `${collection} ${start ?? '..'}/${end ?? '..'}`,
    collection,
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    first,
    last,
    status: 'pending',
    items: 0,
    pages: 0,
    ...(target !== undefined ? { target } : {}),
    ...(last && range.openEnd ? { openEnd: true } : {}),
  };
}

/** The STAC API `datetime` parameter of a window, or undefined when it is open on both sides. */
export function windowDatetime(window: WindowState): string | undefined {
  const end = window.openEnd ? undefined : window.end;
  if (window.start === undefined && end === undefined) return undefined;
  return `${window.start ?? '..'}/${end ?? '..'}`;
}

/** Shortest window worth cutting further, in milliseconds. */
const MIN_WINDOW_MS = 2000;

/**
 * Cuts a window into `parts` equal windows on whole milliseconds; fewer when
 * the window is too short, none (undefined) when it cannot be cut at all.
 */
export function splitWindow(window: WindowState, parts: number, target?: number): WindowState[] | undefined {
  if (window.start === undefined || window.end === undefined) return undefined;
  const start = millis(window.start);
  const end = millis(window.end);
  const count = Math.min(parts, Math.floor((end - start) / (MIN_WINDOW_MS / 2)));
  if (count < 2) return undefined;
  const children: WindowState[] = [];
  for (let i = 0; i < count; i += 1) {
    const from = i === 0 ? start : Math.round(start + ((end - start) * i) / count);
    const to = i === count - 1 ? end : Math.round(start + ((end - start) * (i + 1)) / count);
    const child = makeWindow(
      window.collection,
      { start: from, end: to, ...(window.openEnd ? { openEnd: true } : {}) },
      window.first && i === 0,
      window.last && i === count - 1,
      target,
    );
    children.push(child);
  }
  return children;
}

/** The instant an item is filed under: its `datetime`, else its `start_datetime`. */
export function itemInstant(item: StacItem): number | undefined {
  const properties: Record<string, unknown> = isPlainObject(item.properties) ? item.properties : {};
  const value = properties.datetime ?? properties.start_datetime;
  return typeof value === 'string' ? rfc3339ToMillis(value) : undefined;
}

/**
 * Whether `window` owns `item`. The server's `datetime` intervals are closed,
 * so an item exactly on a seam comes back from both neighbours; ownership is
 * half-open, so exactly one keeps it. An item without a readable time is kept
 * by every window (the per-window id set then catches repeats).
 */
export function windowOwns(window: WindowState, item: StacItem): boolean {
  const t = itemInstant(item);
  if (t === undefined) return true;
  if (!window.first && window.start !== undefined && t < millis(window.start)) return false;
  if (!window.last && window.end !== undefined && t >= millis(window.end)) return false;
  return true;
}
