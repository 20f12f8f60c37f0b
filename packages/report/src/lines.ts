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

/**
 * Items per second over each stage's time, as inline SVG (a step line per stage, stages one after the
 * other along the time axis); nothing when no stage has two points. The table beside it has the numbers.
 */
export function rateChart(id: string, steps: readonly RateStep[]): string {
  if (steps.length === 0) return '';
  const width = 760;
  const height = 180;
  const left = 56;
  const bottom = 24;
  // Stages run one after another: each is drawn after the time the ones before it took.
  const offsets = new Map<string, number>();
  let elapsed = 0;
  for (const step of steps) {
    if (!offsets.has(step.stage)) {
      offsets.set(step.stage, elapsed);
      elapsed += Math.max(...steps.filter((s) => s.stage === step.stage).map((s) => s.to));
    }
  }
  const maxRate = Math.max(...steps.map((s) => s.per_second), 1);
  const x = (t: number) => left + (t / Math.max(elapsed, 1e-9)) * (width - left - 8);
  const y = (r: number) => height - bottom - (r / maxRate) * (height - bottom - 8);
  const lines = [...offsets].map(([stage, offset], index) => {
    const own = steps.filter((s) => s.stage === stage);
    const path = own.map(
      (s) =>
        `${x(offset + s.from).toFixed(1)},${y(s.per_second).toFixed(1)} ${x(offset + s.to).toFixed(1)},${y(s.per_second).toFixed(1)}`,
    );
    return `<polyline class="rate s${index % 4}" points="${path.join(' ')}"><title>${esc(stage)}</title></polyline><text x="${x(offset).toFixed(1)}" y="12">${esc(stage)}</text>`;
  });
  const axes = `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}"></line><line class="axis" x1="${left}" y1="8" x2="${left}" y2="${height - bottom}"></line><text x="${left - 6}" y="14" text-anchor="end">${fmt(maxRate)}/s</text><text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text><text x="${width - 8}" y="${height - 6}" text-anchor="end">${fmt(elapsed)} s</text>`;
  return `<svg class="rates" id="${esc(id)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" role="img" aria-label="Items per second over the run">${axes}${lines.join('')}</svg>`;
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
  const width = 760;
  const height = 180;
  const left = 56;
  const bottom = 24;
  const offsets = new Map<string, number>();
  let elapsed = 0;
  for (const stage of new Set(points.map((p) => p.stage))) {
    offsets.set(stage, elapsed);
    elapsed += Math.max(...points.filter((p) => p.stage === stage).map((p) => p.at));
  }
  const names = counterNames(points);
  const max = Math.max(1, ...points.flatMap((p) => Object.values(p.values)));
  const x = (p: CounterPoint) =>
    left + ((offsets.get(p.stage)! + p.at) / Math.max(elapsed, 1e-9)) * (width - left - 8);
  const y = (v: number) => height - bottom - (v / max) * (height - bottom - 8);
  const lines = names.map((name, index) => {
    const path = points.map((p) => `${x(p).toFixed(1)},${y(p.values[name] ?? 0).toFixed(1)}`).join(' ');
    const last = points[points.length - 1]!;
    return `<polyline class="rate s${index % 4}" data-counter="${esc(name)}" points="${path}"><title>${esc(name)}</title></polyline><text x="${(x(last) - 4).toFixed(1)}" y="${(y(last.values[name] ?? 0) - 3).toFixed(1)}" text-anchor="end">${esc(name)}</text>`;
  });
  const axes = `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}"></line><line class="axis" x1="${left}" y1="8" x2="${left}" y2="${height - bottom}"></line><text x="${left - 6}" y="14" text-anchor="end">${fmt(max)}</text><text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text><text x="${width - 8}" y="${height - 6}" text-anchor="end">${fmt(elapsed)} s</text>`;
  return `<svg class="rates" id="${esc(id)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px" role="img" aria-label="Requests, retries and error responses over the run">${axes}${lines.join('')}</svg>`;
}
