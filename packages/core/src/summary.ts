/**
 * End-of-run summary, printed for people and written as `summary.json` for
 * machines. Counts that a run does not track stay 0.
 */
export interface RunSummary {
  /** What ran, e.g. `rebuild-catalog` or `validate`. */
  command: string;
  /** `full`, `incremental` or `targeted` for rebuilds. */
  mode?: string;
  /** RFC 3339 start time. */
  started_at: string;
  /** RFC 3339 end time. */
  finished_at: string;
  /** Wall time in seconds. */
  duration_s: number;
  /** Records or items read from the source. */
  processed: number;
  /** Items written. */
  succeeded: number;
  /** Items that became failures. */
  failed: number;
  /** Items deliberately left out (filters, dry run). */
  skipped: number;
  /** Items new to the output (incremental mode). */
  added: number;
  /** Items changed in the output (incremental mode). */
  modified: number;
  /** Items removed from the output. */
  deleted: number;
  /** Items whose content did not change. */
  unchanged: number;
  /** Collections written. */
  collections: number;
  /** `processed / duration_s`. */
  items_per_second: number;
  /** Failures by `error_type`. */
  failures_by_type: Record<string, number>;
  /** Paths of files written (relative to the output folder). */
  outputs: string[];
  /** Free-form notes (e.g. which delta strategy an incremental run used). */
  notes: string[];
}

/** Counters of a run in progress; {@link finishSummary} turns them into a {@link RunSummary}. */
export interface SummaryCounter {
  command: string;
  mode?: string;
  startedAt: Date;
  processed: number;
  succeeded: number;
  failed: number;
  skipped: number;
  added: number;
  modified: number;
  deleted: number;
  unchanged: number;
  collections: number;
  failuresByType: Record<string, number>;
  outputs: string[];
  notes: string[];
}

/** Starts counting a run. */
export function startSummary(command: string, mode?: string, now: Date = new Date()): SummaryCounter {
  const counter: SummaryCounter = {
    command,
    startedAt: now,
    processed: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    added: 0,
    modified: 0,
    deleted: 0,
    unchanged: 0,
    collections: 0,
    failuresByType: {},
    outputs: [],
    notes: [],
  };
  if (mode !== undefined) counter.mode = mode;
  return counter;
}

/** Counts one failure of the given type. */
export function countFailure(counter: SummaryCounter, errorType: string): void {
  counter.failed += 1;
  counter.failuresByType[errorType] = (counter.failuresByType[errorType] ?? 0) + 1;
}

/** Freezes the counters into a {@link RunSummary}. */
export function finishSummary(counter: SummaryCounter, now: Date = new Date()): RunSummary {
  const durationS = Math.max(0, (now.getTime() - counter.startedAt.getTime()) / 1000);
  const summary: RunSummary = {
    command: counter.command,
    started_at: counter.startedAt.toISOString(),
    finished_at: now.toISOString(),
    duration_s: Math.round(durationS * 1000) / 1000,
    processed: counter.processed,
    succeeded: counter.succeeded,
    failed: counter.failed,
    skipped: counter.skipped,
    added: counter.added,
    modified: counter.modified,
    deleted: counter.deleted,
    unchanged: counter.unchanged,
    collections: counter.collections,
    items_per_second:
      durationS > 0 ? Math.round((counter.processed / durationS) * 10) / 10 : counter.processed,
    failures_by_type: { ...counter.failuresByType },
    outputs: [...counter.outputs],
    notes: [...counter.notes],
  };
  if (counter.mode !== undefined) summary.mode = counter.mode;
  return summary;
}

/** A few lines for people: what ran, counts, speed. */
export function formatSummary(summary: RunSummary): string {
  const lines = [
    `${summary.command}${summary.mode ? ` (${summary.mode})` : ''}: processed ${summary.processed}, succeeded ${summary.succeeded}, failed ${summary.failed}, skipped ${summary.skipped}`,
  ];
  if (summary.added || summary.modified || summary.deleted || summary.unchanged) {
    lines.push(
      `  added ${summary.added}, modified ${summary.modified}, deleted ${summary.deleted}, unchanged ${summary.unchanged}`,
    );
  }
  lines.push(
    `  ${summary.collections} collection(s), ${summary.duration_s}s, ${summary.items_per_second} items/s`,
  );
  const byType = Object.entries(summary.failures_by_type);
  if (byType.length > 0) lines.push(`  failures: ${byType.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
