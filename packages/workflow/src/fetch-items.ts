import { copyFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import {
  countFailure,
  type Failure,
  finishSummary,
  formatSummary,
  isFailure,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RunSummary,
  ScmError,
  type StacItem,
  startSummary,
  stacTypeOf,
} from '@scm/core';
import type { ScmHttpClient } from '@scm/http';
import type { ItemsEndpoint } from '@scm/ingest';
import { readNdjson } from '@scm/input';
import type { RunRecorder } from '@scm/report';
import { FAILURES_FILE, openFailuresFile } from './failures-file.js';
import { type FileOutputFormat, formatFromPath, openFileOutput } from './file-output.js';
import { assertNewFiles, sideFilePath } from './output-dir.js';
import { REPORT_OUTPUTS, startRunRecorder, writeRunReportFiles } from './run-report.js';
import { writeJsonFile } from './update-sinks.js';
import {
  type ApiClientSettings,
  checkpointedHarvest,
  createApiClient,
  type HarvestReport,
  type HarvestStateDir,
  harvestStateDir,
} from './harvest-run.js';

/** Options of {@link fetchItemsToFile} (the `fetch-items` command). */
export interface FetchItemsToFileOptions {
  /** STAC API landing page. */
  catalogUrl: string;
  /** Collection ids. */
  collections: string[];
  /** Output file. */
  outputPath: string;
  /** `json` (a FeatureCollection), `ndjson` or `parquet` (stac-geoparquet). Default: from the file extension. */
  outputFormat?: string | undefined;
  /** Base of relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** STAC API `datetime` filter. */
  datetime?: string | undefined;
  /** Bbox filter. */
  bbox?: number[] | undefined;
  /** Stop after this many items. */
  maxItems?: number | undefined;
  /** Page size asked for (lowered when refused). Default 1000. */
  limit?: number | undefined;
  /** Cut collections into time windows fetched in parallel. Default true. */
  partition?: boolean;
  /** `items`, `search` or `auto`. Default `auto`. */
  endpoint?: ItemsEndpoint | 'auto';
  /** HTTP settings. */
  http: ApiClientSettings;
  /** Continue the run whose checkpoint is beside the output. Default false. */
  resume?: boolean;
  /** Failures file. Default `<output stem>.failed_items.ndjson` beside the output. */
  failuresPath?: string | undefined;
  /** Replace an existing output or failures file (default false: `SCM_OUTPUT_EXISTS`). A resumed run may always. */
  overwrite?: boolean;
  /** Fetch everything but write no output (the harvest state goes to a temporary folder). */
  dryRun?: boolean;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal | undefined;
}

/** What {@link fetchItemsToFile} reports. */
export interface FetchItemsToFileResult {
  summary: RunSummary;
  /** Lines for people. */
  text: string;
  outputPath: string;
  failuresPath: string;
  /** Windows that stopped on a failure; `--resume` retries them. */
  incomplete: string[];
}

const FORMATS: readonly FileOutputFormat[] = ['json', 'ndjson', 'parquet'];

function outputFormat(path: string, explicit: string | undefined): FileOutputFormat {
  const format = formatFromPath(path, explicit);
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ScmError(
      'SCM_USAGE',
      `fetch-items: output format "${format}" is not one of ${FORMATS.join(', ')}`,
    );
  }
  return format as FileOutputFormat;
}

/**
 * `fetch-items`: harvests STAC API collections into one file. Pages are
 * appended to a checkpointed state folder beside the output as they arrive
 * (so `--resume` continues a killed run), then the file is written in the
 * asked format. Failed pages are failures (`api_error`); their windows are
 * listed as incomplete and the state folder is kept so `--resume` retries them.
 */
export async function fetchItemsToFile(options: FetchItemsToFileOptions): Promise<FetchItemsToFileResult> {
  const cwd = options.cwd ?? process.cwd();
  const outputPath = isAbsolute(options.outputPath) ? options.outputPath : resolve(cwd, options.outputPath);
  const format = outputFormat(outputPath, options.outputFormat);
  if (options.collections.length === 0)
    throw new ScmError('SCM_USAGE', 'fetch-items: name at least one --collection-id');
  const failuresPath = options.failuresPath
    ? resolve(cwd, options.failuresPath)
    : sideFilePath(outputPath, FAILURES_FILE);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) {
    // The summary and report side files are not checked: outputs of one stem in other formats
    // (items.json, items.parquet) share them, and each run's are its own to replace.
    await assertNewFiles([outputPath, failuresPath], { overwrite: options.overwrite || options.resume });
  }
  const state = harvestStateDir(
    dryRun ? tmpdir() : dirname(outputPath),
    dryRun ? `${basename(outputPath)}.${process.pid}` : basename(outputPath),
  );
  const logger = (options.logger ?? noopLogger).child('fetch-items');
  const counter = startSummary('fetch-items');
  const failures = await openFailuresFile(failuresPath, { dryRun });
  const fail = async (failure: Failure) => {
    countFailure(counter, failure.error_type);
    await failures.write(failure);
  };
  const report: HarvestReport = { items: 0, incomplete: [], notes: [] };
  const recorder = startRunRecorder();
  const recorded = { ...options, progress: recorder.wrapProgress(options.progress ?? noopProgress) };
  const client = await createApiClient({
    ...options.http,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  try {
    await harvestInto(recorded, state, report, client, fail, counter, (item) => recorder.observeItem(item));
    if (!dryRun) await writeOutput(state, outputPath, format, fail, counter, report.incomplete.length > 0);
  } finally {
    await client.close();
    await failures.close();
  }
  counter.notes.push(...report.notes);
  if (report.incomplete.length === 0 || dryRun) await rm(state.dir, { recursive: true, force: true });
  else
    counter.notes.push(
      `${report.incomplete.length} window(s) incomplete: run again with --resume to retry them`,
    );
  if (!dryRun) {
    counter.outputs.push(outputPath);
    if (failures.count > 0) counter.outputs.push(failuresPath);
    else await rm(failuresPath, { force: true });
    counter.outputs.push(
      ...['summary.json', ...REPORT_OUTPUTS].map((name) => sideFilePath(outputPath, name)),
    );
  }
  const summary = finishSummary(counter);
  if (!dryRun) await writeFetchReport(outputPath, failuresPath, summary, recorder);
  logger.info('fetch-items finished', { processed: summary.processed, failed: summary.failed });
  const lines = [formatSummary(summary)];
  if (!dryRun) lines.push(`output: ${outputPath}`);
  if (summary.failed > 0) lines.push(`failures: ${dryRun ? '(dry run, not written)' : failuresPath}`);
  return { summary, text: lines.join('\n'), outputPath, failuresPath, incomplete: report.incomplete };
}

async function harvestInto(
  options: FetchItemsToFileOptions,
  state: HarvestStateDir,
  report: HarvestReport,
  client: ScmHttpClient,
  fail: (failure: Failure) => Promise<void>,
  counter: ReturnType<typeof startSummary>,
  observe: (item: StacItem) => void,
): Promise<void> {
  const entries = checkpointedHarvest(
    {
      client,
      catalogUrl: options.catalogUrl,
      collections: options.collections,
      state,
      resume: options.resume ?? false,
      concurrency: options.http.concurrency,
      ...(options.datetime ? { datetime: options.datetime } : {}),
      ...(options.bbox ? { bbox: options.bbox } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
      ...(options.maxItems ? { maxItems: options.maxItems } : {}),
      ...(options.partition !== undefined ? { partition: options.partition } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    report,
  );
  for await (const entry of entries) {
    if (isFailure(entry)) await fail(entry);
    else if (stacTypeOf(entry.value) === 'Collection') counter.collections += 1;
    else {
      counter.processed += 1;
      observe(entry.value as StacItem);
    }
  }
}

/** Writes `<stem>.summary.json` and the run report (`<stem>.report.html`) beside the output file. */
async function writeFetchReport(
  outputPath: string,
  failuresPath: string,
  summary: RunSummary,
  recorder: RunRecorder,
): Promise<void> {
  const summaryPath = sideFilePath(outputPath, 'summary.json');
  await writeJsonFile(summaryPath, summary);
  const prefix = basename(summaryPath).slice(0, -'summary.json'.length);
  // The report finds the failures file beside the summary by name; one put elsewhere is left out.
  const besides = dirname(failuresPath) === dirname(summaryPath) && basename(failuresPath).startsWith(prefix);
  await writeRunReportFiles(dirname(summaryPath), recorder, {
    prefix,
    ...(besides ? { failuresName: basename(failuresPath).slice(prefix.length) } : {}),
  });
}

/** Writes the harvested items (the state folder's NDJSON) to the output file in its format. */
async function writeOutput(
  state: HarvestStateDir,
  outputPath: string,
  format: FileOutputFormat,
  fail: (failure: Failure) => Promise<void>,
  counter: ReturnType<typeof startSummary>,
  keepState: boolean,
): Promise<void> {
  if (format === 'ndjson') {
    // The harvest's own file is the output: moved (copied while --resume may still need it), not rewritten.
    if (keepState) await copyFile(state.items, outputPath);
    else await rename(state.items, outputPath);
    counter.succeeded = counter.processed;
    return;
  }
  const output = await openFileOutput(outputPath, format, { items: true });
  try {
    for await (const entry of readNdjson(state.items)) {
      if (isFailure(entry)) continue;
      const refused = await output.write(entry.value as StacItem as unknown as Record<string, unknown>);
      if (refused) await fail(refused);
      else counter.succeeded += 1;
    }
    await output.close();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
