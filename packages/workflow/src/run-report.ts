import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import {
  createRunRecorder,
  RUN_RECORD_FILE,
  type RunRecorder,
  writeRunRecord,
  writeRunReport,
} from '@scm/report';

/** Name of the report a run leaves beside its summary. */
export const REPORT_FILE = 'report.html';

/** The two files a run adds for its report, in the order `summary.outputs` lists them. */
export const REPORT_OUTPUTS = [RUN_RECORD_FILE, REPORT_FILE] as const;

/** Starts the recorder a run feeds for its report (footprint sample, per-collection counts, stage rates). */
export function startRunRecorder(): RunRecorder {
  return createRunRecorder();
}

/** Wraps an item writer so every item written is seen by the recorder. */
export function recordWrites<T extends { writeItem(item: StacItem, line?: string): Promise<void> }>(
  sinks: T,
  recorder: RunRecorder,
): T {
  const writeItem = sinks.writeItem.bind(sinks);
  return Object.assign(sinks, {
    async writeItem(item: StacItem, line?: string) {
      await writeItem(item, line);
      recorder.observeItem(item);
    },
  });
}

/**
 * Writes the run record and `report.html` beside a summary that is already
 * written: in folder `dir` (`summary.json`), or, with `prefix`, as the side
 * files `<prefix>report_record.json` and `<prefix>report.html`.
 */
export async function writeRunReportFiles(
  dir: string,
  recorder: RunRecorder,
  options: { prefix?: string; failuresName?: string } = {},
): Promise<string> {
  const prefix = options.prefix ?? '';
  await writeRunRecord(join(dir, `${prefix}${RUN_RECORD_FILE}`), recorder);
  const input = prefix ? join(dir, `${prefix}summary.json`) : dir;
  const written = await writeRunReport(
    input,
    options.failuresName ? { failuresName: options.failuresName } : {},
  );
  return written.path;
}
