import type { Logger, Progress } from '@scm/core';
import { SingleBar } from 'cli-progress';

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
}

/** Seconds as `1h02m`, `3m05s` or `42s`. */
function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Progress for people: on a terminal, a bar per stage (cli-progress) with
 * percentage and ETA when the stage knows its total, and its failures and
 * status (pages, retries) beside it; in CI logs, a plain line per stage at
 * most every `intervalS` seconds, so a long harvest shows it is alive without
 * flooding the log; nothing with `quiet`.
 */
export function createCliProgress(options: CliProgressOptions): CliProgress {
  const drawn: CliProgress = options.quiet
    ? { start() {}, tick() {}, done() {}, close() {} }
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
    failed(n = 1) {
      failed += n;
      progress.failed?.(n);
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
  total: number | undefined;
  count: number;
  failed: number;
  status: string;
  started: number;
}

function newStage(label: string, total: number | undefined): StageState {
  return { label, total, count: 0, failed: 0, status: '', started: Date.now() };
}

function rateOf(stage: StageState): number {
  const elapsed = (Date.now() - stage.started) / 1000;
  return elapsed > 0 ? Math.round(stage.count / elapsed) : 0;
}

/** `, 3 failed 40 pages, 2 retries`: the failures and the stage's own status, when there are any. */
function extrasOf(stage: StageState): string {
  return `${stage.failed > 0 ? `, ${stage.failed} failed` : ''}${stage.status ? ` ${stage.status}` : ''}`;
}

/** One plain line: `items: 4000/10000 (40%, 200/s, ETA 30s, 3 failed) 40 pages, 2 retries`. */
function plainLine(stage: StageState): string {
  const rate = rateOf(stage);
  const { total, count } = stage;
  const known = total !== undefined && total > 0;
  const of = known ? `/${total}` : '';
  const percent = known ? `${Math.min(100, Math.floor((count / total) * 100))}%, ` : '';
  const eta = known && rate > 0 && count < total ? `, ETA ${formatEta((total - count) / rate)}` : '';
  const failed = stage.failed > 0 ? `, ${stage.failed} failed` : '';
  return `${stage.label}: ${count}${of} (${percent}${rate}/s${eta}${failed})${stage.status ? ` ${stage.status}` : ''}`;
}

/** Off a terminal: a line per stage at most every `intervalS` seconds, never redrawn. */
function printLines(options: CliProgressOptions): Progress {
  const { stream } = options;
  const intervalMs = (options.intervalS ?? 10) * 1000;
  let stage = newStage('', undefined);
  let lastLine = 0;
  const maybeLine = () => {
    const now = Date.now();
    if (now - lastLine < intervalMs) return;
    stream.write(`${plainLine(stage)}\n`);
    lastLine = now;
  };
  return {
    start(label, total) {
      stage = newStage(label, total);
      lastLine = stage.started;
    },
    tick(n = 1) {
      stage.count += n;
      maybeLine();
    },
    status(text) {
      stage.status = text;
    },
    failed(n = 1) {
      stage.failed += n;
    },
    done(message) {
      if (message) stream.write(`${message}\n`);
    },
  };
}

const KNOWN_FORMAT = '{stage} [{bar}] {percentage}% {value}/{total} · {rate}/s · ETA {eta_formatted}{extras}';
const UNKNOWN_FORMAT = '{stage} {value} · {rate}/s{extras}';

/** On a terminal: one cli-progress bar per stage, left on screen when the stage ends. */
function drawBars(options: CliProgressOptions): CliProgress {
  let stage = newStage('', undefined);
  let bar: SingleBar | undefined;
  const payload = () => ({ stage: stage.label, rate: rateOf(stage), extras: extrasOf(stage) });
  const close = () => {
    bar?.update(stage.count, payload());
    bar?.stop();
    bar = undefined;
  };
  return {
    start(label, total) {
      close();
      stage = newStage(label, total);
      const known = total !== undefined && total > 0;
      bar = new SingleBar({
        // cli-progress types want a full WriteStream; it only writes, moves the cursor and reads `columns`.
        stream: options.stream as NodeJS.WriteStream,
        format: known ? KNOWN_FORMAT : UNKNOWN_FORMAT,
        barsize: 24,
        barCompleteChar: '\u2588',
        barIncompleteChar: '\u2591',
        hideCursor: false,
        clearOnComplete: false,
        linewrap: false,
        etaBuffer: 200,
        fps: 5,
      });
      bar.start(known ? total : 0, 0, payload());
    },
    tick(n = 1) {
      stage.count += n;
      bar?.update(stage.count, payload());
    },
    status(text) {
      stage.status = text;
      bar?.update(stage.count, payload());
    },
    failed(n = 1) {
      stage.failed += n;
      bar?.update(stage.count, payload());
    },
    done(message) {
      close();
      if (message) options.stream.write(`${message}\n`);
    },
    close,
  };
}
