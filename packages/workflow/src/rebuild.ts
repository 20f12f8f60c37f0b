import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import {
  countFailure,
  createFailure,
  type Failure,
  finishSummary,
  isFailure,
  isScmError,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RecordOrigin,
  type RunSummary,
  ScmError,
  type SourceRecord,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  type SummaryCounter,
  startSummary,
  stacTypeOf,
} from '@scm/core';
import type { Selection } from '@scm/update';
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
import {
  type ChangeCounts,
  classify,
  type Delta,
  noteWritten,
  perCollectionSummary,
  planDelta,
  settleDelta,
  totalChanges,
} from './rebuild-incremental.js';
import { rebuildRecords } from './rebuild-source.js';
import { extentItem } from './rebuild-state.js';
import { prepareStages, type RecordStages, runCollectionStages, runRecordStages } from './rebuild-stages.js';
import type { ShardRun } from './shard-source.js';
import { sourceWarnings } from './source-warnings.js';

export { describeReport } from './rebuild-stages.js';

/** Options of {@link rebuildCatalog}. */
export interface RebuildOptions {
  /**
   * `full` rebuilds everything; `incremental` rebuilds only the records that
   * are new or changed since the run that wrote the output folder, and removes
   * the items gone from the source; `targeted` rebuilds only the records
   * `selection` picks. Without a usable state in the output folder an
   * incremental run is a full rebuild (the notes say why) and a targeted one
   * is refused (`SCM_USAGE`).
   */
  mode: 'full' | 'incremental' | 'targeted';
  /** Targeted mode: which records to rebuild (ids, collection, datetime range, bbox, properties); default: the config's `targeted`. */
  selection?: Selection;
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
  /** Environment for Earthdata Login (`EARTHDATA_TOKEN`, `EARTHDATA_USERNAME`/`EARTHDATA_PASSWORD`); default process.env. */
  env?: Record<string, string | undefined>;
  /** Run only one shard's partitions (set by {@link rebuildShard}; see shard-plan.ts). */
  shard?: ShardRun | undefined;
}

/** The summary of a rebuild: the run's counts, with the change counts of each collection. */
export interface RebuildSummary extends RunSummary {
  /** What was compared with what, and why (see the notes when an incremental run ran as full). */
  strategy: string;
  /** Per collection id (`(none)` for items without one): added, modified, deleted, unchanged. */
  per_collection: Record<string, ChangeCounts>;
}

/** What a rebuild produced. */
export interface RebuildResult {
  /** Counts and timings, with the change counts per collection. */
  summary: RebuildSummary;
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
  /** What this run compares against and what it changed (state of the output folder). */
  delta: Delta;
}

/** Rejects, before anything is read or written, what this version cannot run. */
function assertRunnable(config: WorkflowConfig, options: RebuildOptions): void {
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
    shard: options.shard,
  });
}

/** Sinks: writes a valid item; a path the output cannot take fails the item, anything else stops the run. */
async function writeItem(run: RebuildRun, item: StacItem, source: unknown, hash: string): Promise<void> {
  try {
    await run.output.sinks.writeItem(item);
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
  noteWritten(run.delta, item, hash, source);
}

/** One record: map -> scaffold -> extend -> validate -> sinks. */
async function processRecord(run: RebuildRun, value: unknown, origin: RecordOrigin): Promise<void> {
  const next = classify(run.delta, value);
  if (next.action === 'skip') {
    run.counter.skipped += 1;
    return;
  }
  if (next.action === 'keep') {
    run.output.sinks.keepItem?.(next.record);
    run.itemExtents.add(extentItem(next.record));
    return;
  }
  const result = runRecordStages(run.stages, value, origin);
  if (!result.ok) return fail(run, result.failure);
  await writeItem(run, result.value, value, next.hash);
}

/** Routes each entry of the source: failures are counted, catalogs and collections kept, records processed. */
async function processSource(
  run: RebuildRun,
  source: AsyncIterable<SourceRecord | Failure>,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  progress.start('items');
  for await (const entry of source) {
    if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was interrupted');
    if (isFailure(entry)) {
      run.counter.processed += 1;
      run.delta.listingComplete = false;
      await fail(run, entry);
      // Counted on the bar, not ticked: a record the reader could not parse never reached the item stage.
      progress.failed?.();
      continue;
    }
    const kind = stacTypeOf(entry.value);
    if (kind === 'Catalog') run.sourceCatalog ??= entry.value as StacCatalog;
    else if (kind === 'Collection') {
      const collection = entry.value as StacCollection;
      run.sourceCollections.set(collection.id, collection);
    } else {
      run.counter.processed += 1;
      const failedBefore = run.counter.failed;
      await processRecord(run, entry.value, entry.origin);
      progress.tick();
      if (run.counter.failed > failedBefore) progress.failed?.(run.counter.failed - failedBefore);
    }
  }
  progress.done();
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
  const delta = await planDelta(config, options.mode, counter.notes, options.selection);
  const inPlace = delta.mode !== 'full';
  const output = await openRebuildOutput(config, { dryRun, overwrite: options.overwrite, logger, inPlace });
  const run: RebuildRun = {
    counter,
    logger,
    output,
    stages,
    sourceCollections: new Map(),
    sourceCatalog: undefined,
    itemExtents: createCollectionExtents(),
    delta,
  };
  await guardStaging(output, async () => {
    const source = openRebuildSource(config, options, counter, logger);
    const progress = output.recorder.wrapProgress(options.progress ?? noopProgress);
    await processSource(run, source, progress, options.signal);
    await settleDelta(delta, output.sinks, (record) => run.itemExtents.add(extentItem(record)));
    totalChanges(delta, counter);
    await writeCollections(run);
    await closeRebuildOutput(output, counter, run.sourceCatalog, (failure) => fail(run, failure));
  });
  const summary: RebuildSummary = {
    ...finishSummary(counter),
    strategy: delta.strategy,
    per_collection: perCollectionSummary(delta),
  };
  await publishRebuildOutput(output, summary, delta.mode, delta.next);
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
