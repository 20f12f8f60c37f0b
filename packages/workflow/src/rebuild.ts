import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import {
  countFailure,
  createFailure,
  type Failure,
  finishSummary,
  isScmError,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RunSummary,
  ScmError,
  type SourceRecord,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  type SummaryCounter,
  startSummary,
} from '@scm/core';
import {
  type CollectionExtents,
  createCollectionExtents,
  scaffoldedCollectionNote,
} from './collection-extents.js';
import { logOpenedFiles } from './debug-log.js';
import {
  closeRebuildOutput,
  guardStaging,
  openRebuildOutput,
  publishRebuildOutput,
  type RebuildOutput,
} from './rebuild-output.js';
import { type BatchValidator, openBatchValidator } from './batch-validator.js';
import { processSourceInBatches } from './rebuild-batches.js';
import { rebuildRecords } from './rebuild-source.js';
import { prepareStages, type RecordStages, runCollectionStages } from './rebuild-stages.js';
import { sourceWarnings } from './source-warnings.js';

export { describeReport } from './rebuild-stages.js';

/** Options of {@link rebuildCatalog}. */
export interface RebuildOptions {
  /** Rebuild mode; this version runs `full`. */
  mode: 'full' | 'incremental' | 'targeted';
  /** Read, map, extend and validate everything, but write nothing (default false). */
  dryRun?: boolean;
  /** Logger (default: drops everything). */
  logger?: Logger;
  /** Progress reporting (default: none). */
  progress?: Progress;
  /** Stops the run; the staging folder is removed and the previous output stays. */
  signal?: AbortSignal | undefined;
  /** Folder of the CLI, so plugins installed next to it are found (see @scm/extensions). */
  cliDir?: string;
  /** Replace a non-empty output folder this tool did not write (default false: `SCM_OUTPUT_EXISTS`). */
  overwrite?: boolean | undefined;
  /** `stac_api` sources: continue the harvest a killed run checkpointed (default false). */
  resume?: boolean;
  /**
   * Validation worker threads (0: validate in this thread); overrides the config's `validation.workers`.
   * Default: the config's, else the number of cores minus one, at least 1.
   */
  workers?: number | undefined;
  /** Environment for Earthdata Login (`EARTHDATA_TOKEN`, `EARTHDATA_USERNAME`/`EARTHDATA_PASSWORD`); default process.env. */
  env?: Record<string, string | undefined>;
}

/** What a rebuild produced. */
export interface RebuildResult {
  /** Counts and timings. */
  summary: RunSummary;
  /** The output folder. */
  outputDir: string;
  /** Path of the failures file (not written in a dry run). */
  failuresFile: string;
  /** Path of `summary.json` (not written in a dry run). */
  summaryFile: string;
}

/** The state of one rebuild that the stages after the source share. */
interface RebuildRun {
  counter: SummaryCounter;
  logger: Logger;
  output: RebuildOutput;
  stages: RecordStages;
  /** Collections and the catalog the source yielded, kept for the end of the run. */
  sourceCollections: Map<string, StacCollection>;
  sourceCatalog: StacCatalog | undefined;
  /** The extents of the items written, per collection, for the collections the source lacks. */
  itemExtents: CollectionExtents;
}

/** Rejects, before anything is read or written, what this version cannot run. */
function assertRunnable(config: WorkflowConfig, options: RebuildOptions): void {
  if (options.mode !== 'full') {
    throw new ScmError(
      'SCM_NOT_IMPLEMENTED',
      `rebuild mode "${options.mode}" is not available in this version yet`,
    );
  }
  if (config.source.type !== 'local_files' && config.source.type !== 'stac_api') {
    throw new ScmError(
      'SCM_NOT_IMPLEMENTED',
      `source type "${config.source.type}" is not available in this version yet`,
    );
  }
  if (config.validation?.engine === 'stac-validator') {
    throw new ScmError(
      'SCM_USAGE',
      'validation.engine "stac-validator" is for the validate command; rebuild-catalog validates every item with the built-in engine (use `validate --engine stac-validator` on its output)',
    );
  }
}

/** Counts a failure, writes it to the failures file and logs it; the run goes on. */
async function fail(run: RebuildRun, failure: Failure): Promise<void> {
  countFailure(run.counter, failure.error_type);
  await run.output.failures.write(failure);
  run.logger.debug('item failed', {
    item_id: failure.item_id,
    step: failure.error_context.step,
    error: failure.error_message,
  });
}

/** Open source: the configured source's records, collections and unreadable records (as failures). */
function openRebuildSource(
  config: WorkflowConfig,
  options: RebuildOptions,
  counter: SummaryCounter,
  logger: Logger,
): AsyncIterable<SourceRecord | Failure> {
  return rebuildRecords(config, counter, {
    resume: options.resume ?? false,
    dryRun: options.dryRun ?? false,
    sourceHooks: { onFileOpened: logOpenedFiles(logger), onWarning: sourceWarnings(logger, counter) },
    ...(options.env ? { env: options.env } : {}),
    logger,
    signal: options.signal,
  });
}

/** Sinks: writes a valid item; a path the output cannot take fails the item, anything else stops the run. */
async function writeItem(
  run: RebuildRun,
  item: StacItem,
  source: unknown,
  line: string | undefined,
): Promise<void> {
  try {
    await run.output.sinks.writeItem(item, line);
  } catch (error) {
    if (!isScmError(error) || error.code !== 'SCM_OUTPUT_PATH') throw error;
    const failure = createFailure({
      itemId: item.id,
      errorType: 'other',
      message: error.message,
      step: 'output',
      sourceData: source,
    });
    return fail(run, failure);
  }
  run.counter.succeeded += 1;
  run.itemExtents.add(item);
}

/**
 * Routes each entry of the source: failures are counted, catalogs and collections kept, records mapped,
 * scaffolded and extended here and validated in batches on the validator's threads, then written in order.
 */
async function processSource(
  run: RebuildRun,
  source: AsyncIterable<SourceRecord | Failure>,
  validator: BatchValidator,
  options: { progress: Progress; signal: AbortSignal | undefined },
): Promise<void> {
  options.progress.start('items');
  await processSourceInBatches(
    source,
    run.stages,
    validator,
    {
      fail: (failure) => fail(run, failure),
      write: (item, record, line) => writeItem(run, item, record, line),
      catalog: (catalog) => {
        run.sourceCatalog ??= catalog;
      },
      collection: (collection) => {
        run.sourceCollections.set(collection.id, collection);
      },
      processed: () => {
        run.counter.processed += 1;
      },
    },
    options,
  );
  options.progress.done();
}

/** Collections: those from the source, plus one scaffolded for each collection id items referred to. */
async function writeCollections(run: RebuildRun): Promise<void> {
  const ids = new Set([...run.sourceCollections.keys(), ...run.itemExtents.ids()]);
  for (const id of ids) {
    let collection = run.sourceCollections.get(id);
    if (!collection) {
      collection = run.itemExtents.scaffold(id)!;
      run.counter.notes.push(scaffoldedCollectionNote(id));
    }
    const result = runCollectionStages(run.stages, collection);
    if (!result.ok) {
      await fail(run, result.failure);
      continue;
    }
    await run.output.sinks.writeCollection(result.value);
    run.counter.collections += 1;
  }
}

/**
 * Runs a whole workflow, stage by stage as ARCHITECTURE.md draws it: open
 * the source, map and scaffold non-STAC records, apply extensions, validate,
 * write the sinks with a failures file, and end with `summary.json`. A full
 * rebuild writes into a staging folder and swaps it into place at the end,
 * so an interrupted run leaves the previous catalog untouched. Per-item
 * problems never stop the run.
 */
export async function rebuildCatalog(
  config: WorkflowConfig,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const logger = (options.logger ?? noopLogger).child('workflow');
  const dryRun = options.dryRun ?? false;
  assertRunnable(config, options);
  const counter = startSummary('rebuild-catalog', options.mode);
  // Everything that can reject the configuration runs before anything is written.
  const stages = await prepareStages(config, options.cliDir, logger);
  const output = await openRebuildOutput(config, { dryRun, overwrite: options.overwrite, logger });
  const run: RebuildRun = {
    counter,
    logger,
    output,
    stages,
    sourceCollections: new Map(),
    sourceCatalog: undefined,
    itemExtents: createCollectionExtents(),
  };
  await guardStaging(output, async () => {
    const source = openRebuildSource(config, options, counter, logger);
    const validator = openBatchValidator({
      level: config.validation?.level ?? 'strict',
      schemaDirs: config.validation?.schema_dirs ?? [],
      loaded: stages.extensions,
      workers: options.workers ?? config.validation?.workers,
    });
    try {
      const progress = options.progress ?? noopProgress;
      await processSource(run, source, validator, { progress, signal: options.signal });
    } finally {
      await validator.close();
    }
    await writeCollections(run);
    await closeRebuildOutput(output, counter, run.sourceCatalog, (failure) => fail(run, failure));
  });
  const summary = finishSummary(counter);
  await publishRebuildOutput(output, summary, options.mode);
  logger.info('rebuild finished', {
    processed: summary.processed,
    succeeded: summary.succeeded,
    failed: summary.failed,
  });
  return {
    summary,
    outputDir: output.finalDir,
    failuresFile: join(output.finalDir, output.failuresName),
    summaryFile: join(output.finalDir, 'summary.json'),
  };
}
