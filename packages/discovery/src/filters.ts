import { isPlainObject, ScmError, type StacCollection } from '@scm/core';
import { isIntervalProblem, LAST_MS_OF_DAY, parseDatetimeInterval, rfc3339ToMillis } from '@scm/core/time';
import picomatch from 'picomatch';
import type { CollectionFilters } from './types.js';

/** A time range in epoch milliseconds; open ends are infinite. */
export interface TimeRange {
  start: number;
  end: number;
}

type Box = [west: number, south: number, east: number, north: number];

/** `*` and `?` cross `/` (CMR ids hold slashes); dots are ordinary characters. */
const GLOB_OPTIONS = { bash: true, dot: true } as const;

/** A compiled name filter: literal names are kept apart so callers can fetch them directly. */
export interface NameMatcher {
  /** Names without wildcards. */
  literals: string[];
  /** True when every name is literal. */
  allLiteral: boolean;
  /** True when `name` matches one of the names or patterns. */
  matches(name: string): boolean;
}

/** Compiles ids or wildcard patterns (picomatch, bash-style so `*` also matches `/`). */
export function nameMatcher(names: readonly string[]): NameMatcher {
  const literals = names.filter((name) => !picomatch.scan(name).isGlob);
  const exact = new Set(literals);
  const globs = names.filter((name) => !exact.has(name)).map((glob) => picomatch(glob, GLOB_OPTIONS));
  return {
    literals,
    allLiteral: globs.length === 0,
    matches: (name) => exact.has(name) || globs.some((glob) => glob(name)),
  };
}

function usage(filter: string, message: string): ScmError {
  return new ScmError('SCM_USAGE', `datetime filter "${filter}": ${message}`, {
    details: { field: 'datetime', value: filter },
  });
}

/**
 * Parses an RFC 3339 instant or interval (`a/b`, `../b`, `a/..`) with
 * `@scm/core/time`; a date alone covers that whole UTC day. Throws
 * `SCM_USAGE` naming the bad part.
 */
export function parseDatetimeRange(filter: string): TimeRange {
  const parsed = parseDatetimeInterval(filter);
  if (isIntervalProblem(parsed)) {
    if (parsed.reason === 'bound') throw usage(filter, `"${parsed.part}" is not an RFC 3339 date-time`);
    throw usage(filter, 'expected an instant or "start/end"');
  }
  const { start, end } = parsed;
  if (filter.trim() === '' || (!parsed.instant && start === undefined && end === undefined)) {
    throw usage(filter, 'expected an instant or "start/end"');
  }
  const range = {
    start: start === undefined ? Number.NEGATIVE_INFINITY : start.ms,
    end: end === undefined ? Number.POSITIVE_INFINITY : end.ms + (end.dateOnly ? LAST_MS_OF_DAY : 0),
  };
  if (range.start > range.end) throw usage(filter, 'the start is after the end');
  return range;
}

/** Checks a bbox filter (4 or 6 numbers, south ≤ north, latitudes within ±90) and returns its 2D box. */
export function parseBboxFilter(bbox: readonly number[]): Box {
  const box = toBox(bbox);
  const [west, south, east, north] = box ?? [];
  const valid =
    box !== undefined &&
    south !== undefined &&
    north !== undefined &&
    south <= north &&
    south >= -90 &&
    north <= 90 &&
    [west, east].every((lon) => lon !== undefined && lon >= -180 && lon <= 180);
  if (!valid) {
    throw new ScmError(
      'SCM_USAGE',
      `bbox filter [${bbox.join(',')}]: expected west,south,east,north in degrees with south <= north`,
      { details: { field: 'bbox', value: [...bbox] } },
    );
  }
  return box;
}

function toBox(values: unknown): Box | undefined {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return undefined;
  if (values.length === 4) return [values[0], values[1], values[2], values[3]];
  if (values.length === 6) return [values[0], values[1], values[3], values[4]];
  return undefined;
}

/** Splits a box that crosses the antimeridian (west > east) into two that do not. */
function unwrap(box: Box): Box[] {
  const [west, south, east, north] = box;
  return west <= east
    ? [box]
    : [
        [west, south, 180, north],
        [-180, south, east, north],
      ];
}

function boxesOverlap(a: Box, b: Box): boolean {
  return unwrap(a).some((p) =>
    unwrap(b).some((q) => p[0] <= q[2] && q[0] <= p[2] && p[1] <= q[3] && q[1] <= p[3]),
  );
}

/**
 * Every entry of an extent. STAC makes the first the overall one and the rest its parts, but real
 * collections break that (Planetary Computer's `gap` puts the contiguous US first and Alaska after), so a
 * filter that overlaps any entry keeps the collection: never a false "no".
 */
function extentEntries<T>(entries: unknown): T[] {
  return Array.isArray(entries) ? (entries as T[]) : [];
}

/** An extent bound in epoch ms; one that is not RFC 3339 counts as open, so it never excludes a collection. */
function timeOf(value: unknown, open: number): number {
  return (typeof value === 'string' ? rfc3339ToMillis(value) : undefined) ?? open;
}

/** True when the collection's temporal extent overlaps `range`; a collection without one is kept. */
export function temporalOverlaps(collection: StacCollection, range: TimeRange): boolean {
  const temporal = isPlainObject(collection.extent) ? collection.extent.temporal : undefined;
  const intervals = extentEntries<unknown[]>(isPlainObject(temporal) ? temporal.interval : undefined);
  if (intervals.length === 0) return true;
  return intervals.some((interval) => {
    const start = timeOf(interval?.[0], Number.NEGATIVE_INFINITY);
    const end = timeOf(interval?.[1], Number.POSITIVE_INFINITY);
    return start <= range.end && range.start <= end;
  });
}

/** True when the collection's spatial extent overlaps `box`; a collection without one is kept. */
export function spatialOverlaps(collection: StacCollection, box: Box): boolean {
  const spatial = isPlainObject(collection.extent) ? collection.extent.spatial : undefined;
  const boxes = extentEntries<unknown>(isPlainObject(spatial) ? spatial.bbox : undefined)
    .map(toBox)
    .filter((b): b is Box => b !== undefined);
  if (boxes.length === 0) return true;
  return boxes.some((b) => boxesOverlap(b, box));
}

/** Provider names a collection declares in `providers`. */
function providerNames(collection: StacCollection): string[] {
  const providers = (collection as { providers?: unknown }).providers;
  if (!Array.isArray(providers)) return [];
  return providers
    .map((p) => (isPlainObject(p) ? p.name : undefined))
    .filter((n): n is string => typeof n === 'string');
}

/** The filters, checked once and compiled. */
export interface CompiledFilters {
  /** The ids filter, when given. */
  ids?: NameMatcher;
  /** The providers filter, when given. */
  providers?: NameMatcher;
  /** True when the collection passes the id, extent and (unless `providerChecked`) provider filters. */
  accepts(collection: StacCollection, providerChecked: boolean): boolean;
}

/** Validates the filters (throws `SCM_USAGE` on a bad datetime or bbox) and compiles them. */
export function compileFilters(filters: CollectionFilters): CompiledFilters {
  const ids = filters.ids && filters.ids.length > 0 ? nameMatcher(filters.ids) : undefined;
  const providers =
    filters.providers && filters.providers.length > 0 ? nameMatcher(filters.providers) : undefined;
  const range = filters.datetime === undefined ? undefined : parseDatetimeRange(filters.datetime);
  const box = filters.bbox === undefined ? undefined : parseBboxFilter(filters.bbox);
  const compiled: CompiledFilters = {
    accepts: (collection, providerChecked) =>
      (ids === undefined || ids.matches(collection.id)) &&
      (providers === undefined ||
        providerChecked ||
        providerNames(collection).some((n) => providers.matches(n))) &&
      (range === undefined || temporalOverlaps(collection, range)) &&
      (box === undefined || spatialOverlaps(collection, box)),
  };
  if (ids) compiled.ids = ids;
  if (providers) compiled.providers = providers;
  return compiled;
}
