import type { Logger, Progress } from '@scm/core';

/** Options of {@link createCliProgress}. */
export interface CliProgressOptions {
  /** Stream to draw on (stderr). */
  stream: { write(text: string): unknown; isTTY?: boolean };
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
 * Progress for people: one line redrawn in place on a terminal, or a plain
 * line every `intervalS` seconds in CI logs, so a long harvest shows it is
 * alive without flooding the log.
 */
export function createCliProgress(options: CliProgressOptions): Progress {
  const drawn = options.quiet ? { start() {}, tick() {}, done() {} } : drawProgress(options);
  return options.logger ? logStages(drawn, options.logger) : drawn;
}

/** Adds a debug line at the start and end of each stage: its name, count, seconds and rate. */
function logStages(progress: Progress, logger: Logger): Progress {
  let stage = '';
  let count = 0;
  let started = 0;
  return {
    start(label, total) {
      stage = label;
      count = 0;
      started = performance.now();
      logger.debug('stage started', total === undefined ? { stage } : { stage, total });
      progress.start(label, total);
    },
    tick(n = 1) {
      count += n;
      progress.tick(n);
    },
    done(message) {
      const seconds = Math.round(performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(count / seconds) : count;
      logger.debug('stage finished', { stage, count, duration_s: seconds, per_second: rate });
      progress.done(message);
    },
  };
}

function drawProgress(options: CliProgressOptions): Progress {
  const { stream } = options;
  const tty = stream.isTTY === true;
  const intervalMs = (options.intervalS ?? 10) * 1000;
  let label = '';
  let total: number | undefined;
  let count = 0;
  let started = 0;
  let lastDraw = 0;
  let status = '';
  const line = () => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? Math.round(count / elapsed) : 0;
    const of = total !== undefined ? `/${total}` : '';
    const eta =
      total !== undefined && rate > 0 && count < total ? `, ETA ${formatEta((total - count) / rate)}` : '';
    return `${label}: ${count}${of} (${rate}/s${eta})${status ? ` ${status}` : ''}`;
  };
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      count = 0;
      started = Date.now();
      lastDraw = started;
    },
    tick(n = 1) {
      count += n;
      const now = Date.now();
      if (tty && now - lastDraw >= 100) {
        stream.write(`\r${line()}\u001b[K`);
        lastDraw = now;
      } else if (!tty && now - lastDraw >= intervalMs) {
        stream.write(`${line()}\n`);
        lastDraw = now;
      }
    },
    status(text) {
      status = text;
    },
    done(message) {
      if (tty) stream.write(`\r${line()}\u001b[K\n`);
      if (message) stream.write(`${message}\n`);
    },
  };
}
