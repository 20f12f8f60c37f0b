import type { Logger, Progress } from '@scm/core';
import cliProgress, { type Options, type Params, type SingleBar } from 'cli-progress';

// cli-progress is CommonJS: Node's ESM loader only sees its default export, so the classes come from it.
const { Format, SingleBar: Bar } = cliProgress;

/** Options of {@link createCliProgress}. */
export interface CliProgressOptions {
  /** Stream to draw on (stderr). */
  stream: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Seconds between lines when the stream is not a terminal (default 10). */
  intervalS?: number;
  /** Draw nothing (`--quiet`). */
  quiet?: boolean;
  /** Gets a debug line as each stage starts and ends, with its count and timing, quiet or not. Default none. */
  logger?: Logger;
  /** Milliseconds since the epoch, for rates, ETAs and the interval between lines. Default `Date.now`. */
  now?: Clock;
}

/** Where the clock is read (tests pass a fake one). */
type Clock = () => number;

/** Seconds as `1h02m`, `3m05s` or `42s`. */
function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Progress for people: on a terminal, a bar per stage (cli-progress) with
 * percentage and ETA when the stage knows its total (its count of records, or
 * a position such as the bytes of its input files read so far), and its
 * failures and status (pages, retries) beside it; in CI logs, a plain line per stage at
 * most every `intervalS` seconds, so a long harvest shows it is alive without
 * flooding the log; nothing with `quiet`.
 */
export function createCliProgress(options: CliProgressOptions): CliProgress {
  const drawn: CliProgress = options.quiet
    ? { start() {}, tick() {}, done() {}, close() {}, position() {} }
    : options.stream.isTTY === true
      ? drawBars(options)
      : { ...printLines(options), close() {} };
  return options.logger ? { ...logStages(drawn, options.logger), close: () => drawn.close() } : drawn;
}

/** Progress that can be closed: a bar still drawn (its stage cut short by an error) stops. */
export interface CliProgress extends Progress {
  /** Stops whatever is still drawn; safe to call more than once. */
  close(): void;
}

/** Adds a debug line at the start and end of each stage: its name, count, seconds and rate. */
function logStages(progress: Progress, logger: Logger): Progress {
  let stage = '';
  let count = 0;
  let failed = 0;
  let started = 0;
  return {
    start(label, total) {
      stage = label;
      count = 0;
      failed = 0;
      started = performance.now();
      logger.debug('stage started', total === undefined ? { stage } : { stage, total });
      progress.start(label, total);
    },
    tick(n = 1) {
      count += n;
      progress.tick(n);
    },
    status(text) {
      progress.status?.(text);
    },
    counters(values) {
      progress.counters?.(values);
    },
    failed(n = 1) {
      failed += n;
      progress.failed?.(n);
    },
    position(done, total, unit) {
      progress.position?.(done, total, unit);
    },
    done(message) {
      const seconds = Math.round(performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(count / seconds) : count;
      logger.debug('stage finished', { stage, count, failed, duration_s: seconds, per_second: rate });
      progress.done(message);
    },
  };
}

/** What a stage has counted so far, and the words shown after its numbers. */
interface StageState {
  label: string;
  /** Records expected, when the stage was started with a total. */
  total: number | undefined;
  count: number;
  failed: number;
  status: string;
  started: number;
  /** How far through its input the stage is, when it reports a position. */
  position?: { done: number; total: number; unit: 'bytes' | 'items' | 'windows' };
}

function newStage(label: string, total: number | undefined, now: Clock): StageState {
  return { label, total, count: 0, failed: 0, status: '', started: now() };
}

function rateOf(stage: StageState, now: Clock): number {
  const elapsed = (now() - stage.started) / 1000;
  return elapsed > 0 ? Math.round(stage.count / elapsed) : 0;
}

/** The share of the stage done, from its position or else its count and total; undefined when unknown. */
function fractionOf(stage: StageState): number | undefined {
  const { position, total, count } = stage;
  if (position && position.total > 0) return Math.min(1, position.done / position.total);
  return total !== undefined && total > 0 ? Math.min(1, count / total) : undefined;
}

/** Seconds left at the pace so far, when some of the stage is done (0 once all of it is). */
function etaOf(stage: StageState, now: Clock): number | undefined {
  const fraction = fractionOf(stage);
  if (fraction === undefined || fraction <= 0) return undefined;
  if (fraction >= 1) return 0;
  const elapsed = (now() - stage.started) / 1000;
  return elapsed > 0 ? (elapsed * (1 - fraction)) / fraction : undefined;
}

/** Bytes as `850 B`, `12.3 MB` or `4.1 GB`. */
function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** After the count: `/10000` for a known number of records, ` of 12.3 MB` for a position in bytes. */
function ofText(stage: StageState): string {
  const { position, total } = stage;
  if (position?.unit === 'bytes') return ` of ${formatBytes(position.total)}`;
  if (position?.unit === 'windows') return ` (${position.done}/${position.total} windows)`;
  if (position) return `/${position.total}`;
  return total !== undefined && total > 0 ? `/${total}` : '';
}

/** `, 3 failed 40 pages, 2 retries`: the failures and the stage's own status, when there are any. */
function extrasOf(stage: StageState): string {
  return `${stage.failed > 0 ? `, ${stage.failed} failed` : ''}${stage.status ? ` ${stage.status}` : ''}`;
}

/** One plain line: `items: 4000/10000 (40%, 200/s, ETA 30s, 3 failed) 40 pages, 2 retries`. */
function plainLine(stage: StageState, now: Clock): string {
  const fraction = fractionOf(stage);
  const eta = etaOf(stage, now);
  const percent = fraction !== undefined ? `${Math.floor(fraction * 100)}%, ` : '';
  const etaText = eta !== undefined ? `, ETA ${formatEta(eta)}` : '';
  const failed = stage.failed > 0 ? `, ${stage.failed} failed` : '';
  const status = stage.status ? ` ${stage.status}` : '';
  return `${stage.label}: ${stage.count}${ofText(stage)} (${percent}${rateOf(stage, now)}/s${etaText}${failed})${status}`;
}

/**
 * Counting shared by both renderings: each change to a stage, then `advanced` (after a tick or a new
 * position) or `changed` (a status or failure, which the plain lines wait for the next tick to show).
 */
function stageUpdates(
  stage: () => StageState,
  advanced: () => void,
  changed: () => void = advanced,
): Omit<Progress, 'start' | 'done'> {
  return {
    tick(n = 1) {
      stage().count += n;
      advanced();
    },
    status(text) {
      stage().status = text;
      changed();
    },
    failed(n = 1) {
      stage().failed += n;
      changed();
    },
    position(done, total, unit = 'bytes') {
      stage().position = { done, total, unit };
      advanced();
    },
  };
}

/** Off a terminal: a line per stage at most every `intervalS` seconds, never redrawn. */
function printLines(options: CliProgressOptions): Progress {
  const { stream } = options;
  const now = options.now ?? Date.now;
  const intervalMs = (options.intervalS ?? 10) * 1000;
  let stage = newStage('', undefined, now);
  let lastLine = 0;
  const maybeLine = () => {
    const time = now();
    if (time - lastLine < intervalMs) return;
    stream.write(`${plainLine(stage, now)}\n`);
    lastLine = time;
  };
  return {
    ...stageUpdates(
      () => stage,
      maybeLine,
      () => {},
    ),
    start(label, total) {
      stage = newStage(label, total, now);
      lastLine = stage.started;
    },
    done(message) {
      if (message) stream.write(`${message}\n`);
    },
  };
}

const KNOWN_FORMAT = '{stage} [{bar}] {percentage}% {count}{of} · {rate}/s · ETA {eta_text}{extras}';
const UNKNOWN_FORMAT = '{stage} {count} · {rate}/s{extras}';

/** cli-progress's own formatter, with the format string of the moment (a stage learns its total late). */
function formatLine(options: Options, params: Params, payload: { format: string }): string {
  return Format.Formatter({ ...options, format: payload.format }, params, payload);
}

/** The bar's value and total: the stage's position when it has one, else its count and total. */
function barValue(stage: StageState): { value: number; total: number } {
  if (stage.position) return { value: stage.position.done, total: stage.position.total };
  return { value: stage.count, total: stage.total ?? 0 };
}

/** On a terminal: one cli-progress bar per stage, left on screen when the stage ends. */
function drawBars(options: CliProgressOptions): CliProgress {
  const now = options.now ?? Date.now;
  let stage = newStage('', undefined, now);
  let bar: SingleBar | undefined;
  let shownPercent = -1;
  const payload = () => {
    const known = fractionOf(stage) !== undefined;
    const eta = etaOf(stage, now);
    return {
      format: known ? KNOWN_FORMAT : UNKNOWN_FORMAT,
      stage: stage.label,
      count: stage.count,
      of: ofText(stage),
      rate: rateOf(stage, now),
      eta_text: eta === undefined ? '-' : formatEta(eta),
      extras: extrasOf(stage),
    };
  };
  const redraw = () => {
    if (!bar) return;
    const { value, total } = barValue(stage);
    if (total !== bar.getTotal()) bar.setTotal(total);
    bar.update(value, payload());
    // cli-progress redraws at most every 400 ms on its own; each new whole percent is drawn at once.
    const percent = Math.floor((fractionOf(stage) ?? -0.01) * 100);
    if (percent !== shownPercent) bar.render();
    shownPercent = percent;
  };
  const close = () => {
    redraw();
    bar?.stop();
    bar = undefined;
  };
  return {
    ...stageUpdates(() => stage, redraw),
    start(label, total) {
      close();
      stage = newStage(label, total, now);
      shownPercent = -1;
      bar = new Bar({
        // cli-progress types want a full WriteStream; it only writes, moves the cursor and reads `columns`.
        stream: options.stream as NodeJS.WriteStream,
        format: formatLine,
        barsize: 24,
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: false,
        clearOnComplete: false,
        linewrap: false,
        fps: 5,
      });
      const start = barValue(stage);
      bar.start(start.total, start.value, payload());
    },
    done(message) {
      close();
      if (message) options.stream.write(`${message}\n`);
    },
    close,
  };
}
