import { rename, writeFile } from 'node:fs/promises';
import { fileSystemError } from '@scm/core';
import { renderReportHtml } from './html.js';
import { loadReportData, locateRunFiles, type RunFiles } from './load.js';
import type { RunRecorder } from './record.js';
import { loadValidationReportData } from './validation.js';

/** Options of {@link writeRunReport}. */
export interface WriteRunReportOptions {
  /** Name of the failures file in an output folder (default `failed_items.ndjson`). */
  failuresName?: string;
  /** Time stamped on the report (default now). */
  now?: Date;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    throw fileSystemError(error, path, 'write');
  }
}

/**
 * Makes `report.html` for the run at `input` (an output folder, a
 * `<stem>.summary.json` side file, or a `validate` report) from what it left, and returns its path
 * and size. Throws `SCM_INPUT_NOT_FOUND` when there is no summary.
 */
export async function writeRunReport(
  input: string,
  options: WriteRunReportOptions = {},
): Promise<{ path: string; bytes: number; files: RunFiles }> {
  const files = await locateRunFiles(input, options.failuresName);
  const data =
    files.kind === 'validation'
      ? await loadValidationReportData(files.summary, options.now, files.record)
      : await loadReportData(files, options.now);
  const html = renderReportHtml(data);
  await writeAtomic(files.report, html);
  return { path: files.report, bytes: Buffer.byteLength(html), files };
}

/** Writes the recorder's {@link RunRecord} as JSON to `path` (the run's {@link RUN_RECORD_FILE}). */
export async function writeRunRecord(path: string, recorder: RunRecorder): Promise<void> {
  await writeAtomic(path, `${JSON.stringify(recorder.toJSON())}\n`);
}
