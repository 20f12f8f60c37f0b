import type { StageRecord } from './record.js';

/** One step of a stage's series: from and to (seconds since the stage started), count then, and the rate. */
export interface RateStep {
  stage: string;
  from: number;
  to: number;
  count: number;
  per_second: number;
}

/** The rate between each two points of each stage's series, in stage order. */
export function rateSteps(stages: readonly StageRecord[]): RateStep[] {
  const steps: RateStep[] = [];
  for (const stage of stages) {
    const points = stage.series ?? [];
    for (let i = 1; i < points.length; i++) {
      const [from, before] = points[i - 1]!;
      const [to, count] = points[i]!;
      const seconds = to - from;
      steps.push({
        stage: stage.stage,
        from,
        to,
        count,
        per_second: seconds > 0 ? Math.round(((count - before) / seconds) * 10) / 10 : 0,
      });
    }
  }
  return steps;
}

const esc = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The frame both time charts share: size, axes, the time scale over stages run one after another. */
interface TimeFrame {
  /** Horizontal position of `seconds` into stage `stage`. */
  x(stage: string, seconds: number): number;
  /** Vertical position of `value` on a 0..max scale. */
  y(value: number): number;
  /** The start of each stage on the time axis. */
  offsets: Map<string, number>;
  /** The SVG element around `content`, with the axes, the top value's label and the total time. */
  svg(id: string, label: string, topLabel: string, content: string): string;
}

const WIDTH = 760;
const HEIGHT = 180;
const LEFT = 56;
const BOTTOM = 24;

/** A {@link TimeFrame} over stages that lasted `durations` (in run order), for values up to `max`. */
function timeFrame(durations: ReadonlyMap<string, number>, max: number): TimeFrame {
  // Stages run one after another: each is drawn after the time the ones before it took.
  const offsets = new Map<string, number>();
  let elapsed = 0;
  for (const [stage, seconds] of durations) {
    offsets.set(stage, elapsed);
    elapsed += seconds;
  }
  const x = (stage: string, seconds: number) =>
    LEFT + (((offsets.get(stage) ?? 0) + seconds) / Math.max(elapsed, 1e-9)) * (WIDTH - LEFT - 8);
  const y = (value: number) => HEIGHT - BOTTOM - (value / max) * (HEIGHT - BOTTOM - 8);
  const svg = (id: string, label: string, topLabel: string, content: string) => {
    const axes = `<line class="axis" x1="${LEFT}" y1="${HEIGHT - BOTTOM}" x2="${WIDTH - 8}" y2="${HEIGHT - BOTTOM}"></line><line class="axis" x1="${LEFT}" y1="8" x2="${LEFT}" y2="${HEIGHT - BOTTOM}"></line><text x="${LEFT - 6}" y="14" text-anchor="end">${topLabel}</text><text x="${LEFT - 6}" y="${HEIGHT - BOTTOM}" text-anchor="end">0</text><text x="${WIDTH - 8}" y="${HEIGHT - 6}" text-anchor="end">${fmt(elapsed)} s</text>`;
    return `<svg class="rates" id="${esc(id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" style="max-width:${WIDTH}px" role="img" aria-label="${esc(label)}">${axes}${content}</svg>`;
  };
  return { x, y, offsets, svg };
}

/** Each stage's length on the time axis: the latest time any of its points has. */
function durationsOf<P>(
  points: readonly P[],
  stage: (p: P) => string,
  end: (p: P) => number,
): Map<string, number> {
  const durations = new Map<string, number>();
  for (const p of points) durations.set(stage(p), Math.max(durations.get(stage(p)) ?? 0, end(p)));
  return durations;
}

/**
 * Items per second over each stage's time, as inline SVG (a step line per stage, stages one after the
 * other along the time axis); nothing when no stage has two points. The table beside it has the numbers.
 */
export function rateChart(id: string, steps: readonly RateStep[]): string {
  if (steps.length === 0) return '';
  const maxRate = Math.max(...steps.map((s) => s.per_second), 1);
  const frame = timeFrame(
    durationsOf(
      steps,
      (s) => s.stage,
      (s) => s.to,
    ),
    maxRate,
  );
  const { x, y } = frame;
  const lines = [...frame.offsets.keys()].map((stage, index) => {
    const path = steps
      .filter((s) => s.stage === stage)
      .map(
        (s) =>
          `${x(stage, s.from).toFixed(1)},${y(s.per_second).toFixed(1)} ${x(stage, s.to).toFixed(1)},${y(s.per_second).toFixed(1)}`,
      );
    return `<polyline class="rate s${index % 4}" points="${path.join(' ')}"><title>${esc(stage)}</title></polyline><text x="${x(stage, 0).toFixed(1)}" y="12">${esc(stage)}</text>`;
  });
  return frame.svg(id, 'Items per second over the run', `${fmt(maxRate)}/s`, lines.join(''));
}

/** One sample of a stage's running totals: seconds since the stage started and the totals then. */
export interface CounterPoint {
  stage: string;
  at: number;
  values: Record<string, number>;
}

/** Every stage's sampled running totals (requests, retries, 429 and 5xx of a harvest), in stage order. */
export function counterPoints(stages: readonly StageRecord[]): CounterPoint[] {
  return stages.flatMap((stage) =>
    (stage.counter_series ?? []).map(([at, values]) => ({ stage: stage.stage, at, values })),
  );
}

/** The counter names of `points`, in the order they first appear. */
export function counterNames(points: readonly CounterPoint[]): string[] {
  return [...new Set(points.flatMap((p) => Object.keys(p.values)))];
}

/**
 * The running totals over the run's time as inline SVG: a line per counter (requests, retries, `HTTP 429`,
 * `HTTP 5xx`), stages one after the other; nothing with fewer than two points. The table beside it has the
 * numbers.
 */
export function counterChart(id: string, points: readonly CounterPoint[]): string {
  if (points.length < 2) return '';
  const max = Math.max(1, ...points.flatMap((p) => Object.values(p.values)));
  const frame = timeFrame(
    durationsOf(
      points,
      (p) => p.stage,
      (p) => p.at,
    ),
    max,
  );
  const x = (p: CounterPoint) => frame.x(p.stage, p.at);
  const { y } = frame;
  const last = points[points.length - 1]!;
  const lines = counterNames(points).map((name, index) => {
    const path = points.map((p) => `${x(p).toFixed(1)},${y(p.values[name] ?? 0).toFixed(1)}`).join(' ');
    return `<polyline class="rate s${index % 4}" data-counter="${esc(name)}" points="${path}"><title>${esc(name)}</title></polyline><text x="${(x(last) - 4).toFixed(1)}" y="${(y(last.values[name] ?? 0) - 3).toFixed(1)}" text-anchor="end">${esc(name)}</text>`;
  });
  return frame.svg(id, 'Requests, retries and error responses over the run', fmt(max), lines.join(''));
}
