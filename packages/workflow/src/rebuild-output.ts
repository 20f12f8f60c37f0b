import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import type { Failure, Logger, RunSummary, StacCatalog, SummaryCounter } from '@scm/core';
import type { RunRecorder } from '@scm/report';
import { type FailuresFile, openFailuresFile } from './failures-file.js';
import { assertReplaceable, createStagingDir, promoteStagingDir, writeMarker } from './output-dir.js';
import { type IncrementalSinks, openIncrementalSinks } from './incremental-sinks.js';
import { type CatalogState, writeState } from './rebuild-state.js';
import type { StateLines } from './state-lines.js';
import { REPORT_OUTPUTS, recordWrites, startRunRecorder, writeRunReportFiles } from './run-report.js';
import { openSinks, type RunSinks } from './sinks.js';
import { writeTextAtomic } from '@scm/output-json';
import { WORKFLOW_VERSION } from './version.js';

/** Where a rebuild writes: the staging folder (the output folder itself in a dry run) and what is open in it. */
export interface RebuildOutput {
  /** The configured output folder, which the staging folder replaces at the end. */
  finalDir: string;
  workDir: string;
  /** Name of the failures file inside the output folder. */
  failuresName: string;
  failures: FailuresFile;
  sinks: RunSinks & Partial<Pick<IncrementalSinks, 'keepItem' | 'removeItem' | 'mergeWritten'>>;
  dryRun: boolean;
  /** An incremental or targeted run updates the output folder in place (no staging folder). */
  inPlace: boolean;
  /** Sees every item written and each stage, for `report.html`. */
  recorder: RunRecorder;
}

/** Checks the output folder may be replaced, then opens the staging folder, the failures file and the sinks. */
export async function openRebuildOutput(
  config: WorkflowConfig,
  options: { dryRun: boolean; overwrite: boolean | undefined; logger: Logger; inPlace?: boolean },
): Promise<RebuildOutput> {
  const { dryRun } = options;
  const inPlace = options.inPlace ?? false;
  const finalDir = config.output.path;
  if (!dryRun) await assertReplaceable(finalDir, { overwrite: options.overwrite });
  const workDir = dryRun || inPlace ? finalDir : await createStagingDir(finalDir);
  const failuresName = config.output.failures_file ?? 'failed_items.ndjson';
  const failures = await openFailuresFile(join(workDir, failuresName), { dryRun });
  const recorder = startRunRecorder();
  const opened =
    inPlace && !dryRun
      ? await openIncrementalSinks(workDir, config)
      : await openSinks(workDir, config, { dryRun, logger: options.logger });
  const sinks = recordWrites(opened, recorder);
  return { finalDir, workDir, failuresName, failures, sinks, dryRun, inPlace, recorder };
}

/**
 * Runs `work` over the opened output; when it throws (an interrupt, a source
 * that cannot go on), the staging folder is removed so the previous catalog
 * stays as it was.
 */
export async function guardStaging(output: RebuildOutput, work: () => Promise<void>): Promise<void> {
  let completed = false;
  try {
    await work();
    completed = true;
  } finally {
    if (!completed && !output.dryRun) {
      await output.failures.close().catch(() => undefined);
      // An in-place run leaves what it wrote: its state is written last, so the next run redoes the same work.
      if (!output.inPlace) await rm(output.workDir, { recursive: true, force: true });
    }
  }
}

/**
 * Closes the sinks (the Parquet writer's late failures are counted then) and
 * the failures file, which is removed when empty; lists the outputs.
 */
export async function closeRebuildOutput(
  output: RebuildOutput,
  counter: SummaryCounter,
  sourceCatalog: StacCatalog | undefined,
  fail: (failure: Failure) => Promise<void>,
): Promise<void> {
  const written = await output.sinks.finish(sourceCatalog);
  counter.outputs.push(...written.files);
  for (const failure of written.failures) {
    counter.succeeded -= 1;
    await fail(failure);
  }
  await output.failures.close();
  if (output.failures.count > 0) counter.outputs.push(output.failuresName);
  else if (!output.dryRun) await rm(join(output.workDir, output.failuresName), { force: true });
  counter.outputs.push('summary.json');
  if (!output.dryRun) counter.outputs.push(...REPORT_OUTPUTS);
}

/**
 * Writes the state, `summary.json`, the run report and the marker into the
 * staging folder and swaps it into place; an in-place run writes them into the
 * output folder itself.
 */
export async function publishRebuildOutput(
  output: RebuildOutput,
  summary: RunSummary,
  mode: string,
  state: CatalogState<StateLines>,
): Promise<void> {
  if (output.dryRun) return;
  await writeState(output.workDir, state);
  await writeTextAtomic(join(output.workDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, false);
  await writeRunReportFiles(output.workDir, output.recorder, { failuresName: output.failuresName });
  await writeMarker(output.workDir, WORKFLOW_VERSION, mode);
  if (!output.inPlace) await promoteStagingDir(output.workDir, output.finalDir);
}
