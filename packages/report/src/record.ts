import type { Progress } from '@scm/core';

/** Name of the side file a run writes for its report: sampled footprints, per-collection counts, stages. */
export const RUN_RECORD_FILE = 'report_record.json';

/** One sampled footprint: the item's id, collection and a lightened geometry. */
export interface FootprintSample {
  id: string;
  collection?: string;
  geometry: GeoJsonGeometry;
}

/** The GeoJSON geometry kinds a footprint may have (coordinates kept as plain arrays). */
export interface GeoJsonGeometry {
  type: string;
  coordinates?: unknown;
  geometries?: GeoJsonGeometry[];
}

/** One stage of a run as progress saw it. */
export interface StageRecord {
  stage: string;
  /** Units ticked (items, pages or bytes, as the stage counts). */
  count: number;
  /** What the stage expected, when it knew. */
  total?: number;
  seconds: number;
  per_second: number;
  /** The last status line the stage showed (retries, 429s…), when it had one. */
  status?: string;
  /** Records of the stage that failed, when the stage counted them. */
  failed?: number;
  /**
   * The count over the stage's time: `[seconds since the stage started, count then]`, a point a second
   * at first, thinned to every 2, 4, 8… seconds so a stage keeps at most {@link MAX_SERIES_POINTS}.
   */
  series?: [number, number][];
  /** The stage's named running totals at its end (a harvest's requests, retries, 429 and 5xx responses). */
  counters?: Record<string, number>;
  /** The running totals over the stage's time, sampled and thinned as {@link StageRecord.series} is. */
  counter_series?: [number, Record<string, number>][];
}

/** Most points a stage's {@link StageRecord.series} keeps. */
export const MAX_SERIES_POINTS = 120;

/** What {@link createRunRecorder} writes to {@link RUN_RECORD_FILE}: bounded whatever the run's size. */
export interface RunRecord {
  /** Items seen by the recorder (all of them, not just the sample). */
  items_seen: number;
  /** Up to `limit` footprints drawn uniformly from the items seen (reservoir sampling). */
  footprints: FootprintSample[];
  /** Items written per collection id (`""` for items without one). */
  items_by_collection: Record<string, number>;
  /** Seconds from each collection's first item written to its last, for its items per second. */
  seconds_by_collection?: Record<string, number>;
  stages: StageRecord[];
}

/** Options of {@link createRunRecorder}. */
export interface RunRecorderOptions {
  /** Footprints kept at most (default 2000). */
  limit?: number;
  /** Vertices kept at most per ring (default 64); longer rings are thinned evenly. */
  maxRingVertices?: number;
  /** Random source in [0, 1) for the sample (default `Math.random`); tests pass a seeded one. */
  random?: () => number;
  /** Clock in milliseconds for stage times and series (default `performance.now`); tests pass a fake one. */
  now?: () => number;
}

/** Collects, as a run goes, what its report needs and the summary lacks. */
export interface RunRecorder {
  /** Counts an item written and may keep its footprint. */
  observeItem(item: { id?: unknown; collection?: unknown; geometry?: unknown }): void;
  /** Wraps `progress` so each stage's count and duration are recorded. */
  wrapProgress(progress: Progress): Progress;
  /** The record so far. */
  toJSON(): RunRecord;
}

const round = (n: unknown): unknown => (typeof n === 'number' ? Math.round(n * 1e4) / 1e4 : n);

function thinRing(ring: unknown, max: number): unknown {
  if (!Array.isArray(ring)) return ring;
  const points = ring.length > max ? ring.filter((_, i) => i % Math.ceil(ring.length / max) === 0) : ring;
  // A thinned ring must still close on its first point.
  if (points !== ring && points.length > 0 && points[points.length - 1] !== ring[ring.length - 1]) {
    points.push(ring[ring.length - 1]);
  }
  return points.map((p) => (Array.isArray(p) ? p.slice(0, 2).map(round) : p));
}

/** A copy of `geometry` small enough to keep thousands of: rounded, thinned, 2D. */
export function lightenGeometry(geometry: GeoJsonGeometry, maxRingVertices = 64): GeoJsonGeometry {
  const c = geometry.coordinates;
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: Array.isArray(c) ? c.slice(0, 2).map(round) : c };
    case 'LineString':
    case 'MultiPoint':
      return { type: geometry.type, coordinates: thinRing(c, maxRingVertices) };
    case 'Polygon':
    case 'MultiLineString':
      return { type: geometry.type, coordinates: (c as unknown[]).map((r) => thinRing(r, maxRingVertices)) };
    case 'MultiPolygon':
      return {
        type: geometry.type,
        coordinates: (c as unknown[][]).map((p) => p.map((r) => thinRing(r, maxRingVertices))),
      };
    case 'GeometryCollection':
      return {
        type: geometry.type,
        geometries: (geometry.geometries ?? []).map((g) => lightenGeometry(g, maxRingVertices)),
      };
    default:
      return geometry;
  }
}

function isGeometry(value: unknown): value is GeoJsonGeometry {
  if (typeof value !== 'object' || value === null) return false;
  const g = value as GeoJsonGeometry;
  return typeof g.type === 'string' && (Array.isArray(g.coordinates) || Array.isArray(g.geometries));
}

/** Keeps a stage's count over time in at most {@link MAX_SERIES_POINTS} points, thinning as the stage runs long. */
function seriesSampler() {
  let every = 1;
  let last = Number.NEGATIVE_INFINITY;
  return {
    reset() {
      every = 1;
      last = Number.NEGATIVE_INFINITY;
    },
    add(stage: StageRecord, seconds: number, final = false) {
      if (!final && seconds - last < every) return;
      const at = Math.round(seconds * 1000) / 1000;
      if (stage.counters) {
        stage.counter_series ??= [];
        stage.counter_series.push([at, { ...stage.counters }]);
      }
      stage.series ??= [];
      const series = stage.series;
      if (!(final && series.length > 0 && series[series.length - 1]![1] === stage.count))
        series.push([at, stage.count]);
      last = seconds;
      if (series.length > MAX_SERIES_POINTS || (stage.counter_series?.length ?? 0) > MAX_SERIES_POINTS) {
        stage.series = halve(series);
        if (stage.counter_series) stage.counter_series = halve(stage.counter_series);
        every *= 2;
      }
    },
  };
}

/** Every other point, the first kept. */
function halve<T>(points: T[]): T[] {
  return points.filter((_, i) => i % 2 === 1 || i === 0);
}

function recordStages(progress: Progress, stages: StageRecord[], now: () => number): Progress {
  let current: StageRecord | undefined;
  let started = 0;
  const sampler = seriesSampler();
  const close = () => {
    if (!current) return;
    sampler.add(current, (now() - started) / 1000, true);
    current.seconds = Math.round(now() - started) / 1000;
    current.per_second = current.seconds > 0 ? Math.round((current.count / current.seconds) * 10) / 10 : 0;
    current = undefined;
  };
  return {
    start(label, total) {
      close();
      current = {
        stage: label,
        count: 0,
        seconds: 0,
        per_second: 0,
        ...(total !== undefined ? { total } : {}),
      };
      stages.push(current);
      started = now();
      sampler.reset();
      sampler.add(current, 0);
      progress.start(label, total);
    },
    tick(n = 1) {
      if (current) {
        current.count += n;
        sampler.add(current, (now() - started) / 1000);
      }
      progress.tick(n);
    },
    status(text) {
      if (current) current.status = text;
      progress.status?.(text);
    },
    counters(values) {
      if (current) current.counters = { ...values };
      progress.counters?.(values);
    },
    failed(n = 1) {
      if (current) current.failed = (current.failed ?? 0) + n;
      progress.failed?.(n);
    },
    position(done, total, unit) {
      progress.position?.(done, total, unit);
    },
    done(message) {
      close();
      progress.done(message);
    },
  };
}

/**
 * Starts recording a run for its report. Memory stays bounded: at most
 * `limit` footprints, one counter per collection, one entry per stage.
 */
export function createRunRecorder(options: RunRecorderOptions = {}): RunRecorder {
  const limit = options.limit ?? 2000;
  const maxRing = options.maxRingVertices ?? 64;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => performance.now());
  const record: RunRecord = { items_seen: 0, footprints: [], items_by_collection: {}, stages: [] };
  const counts = new Map<string, number>();
  const spans = new Map<string, [number, number]>();
  return {
    observeItem(item) {
      record.items_seen += 1;
      const collection = typeof item.collection === 'string' ? item.collection : '';
      counts.set(collection, (counts.get(collection) ?? 0) + 1);
      const time = now();
      const span = spans.get(collection);
      if (span) span[1] = time;
      else spans.set(collection, [time, time]);
      if (!isGeometry(item.geometry)) return;
      const slot =
        record.items_seen <= limit ? record.footprints.length : Math.floor(random() * record.items_seen);
      if (slot >= limit) return;
      const sample: FootprintSample = {
        id: String(item.id ?? ''),
        geometry: lightenGeometry(item.geometry, maxRing),
      };
      if (collection) sample.collection = collection;
      record.footprints[slot] = sample;
    },
    wrapProgress(progress) {
      return recordStages(progress, record.stages, now);
    },
    toJSON() {
      // A Map, not the record's object, holds the counts so an id like `__proto__` stays a plain key.
      const byCollection: Record<string, number> = Object.create(null);
      for (const [id, n] of counts) byCollection[id] = n;
      const seconds: Record<string, number> = Object.create(null);
      for (const [id, [first, last]] of spans) seconds[id] = Math.round(last - first) / 1000;
      return { ...record, items_by_collection: { ...byCollection }, seconds_by_collection: { ...seconds } };
    },
  };
}
