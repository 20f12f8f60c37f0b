import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import { isS3Url } from '@scm/object-store/url';
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
import type { Selection } from '@scm/update';
import {
  type CollectionExtents,
  createCollectionExtents,
  scaffoldedCollectionNote,
} from './collection-extents.js';
import { logOpenedFiles } from './debug-log.js';
import { rebuildToObjectStore } from './object-store-output.js';
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
import { type BatchValidator, openBatchValidator } from './batch-validator.js';
import { type KeptSource, processSourceInBatches, type RecordPlan, wholeSource } from './rebuild-batches.js';
import { rebuildRecords } from './rebuild-source.js';
import { extentItem, STATE_DIR } from './rebuild-state.js';
import { prepareStages, type RecordStages, runCollectionStages } from './rebuild-stages.js';
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
  /**
   * Validation worker threads (0: validate in this thread); overrides the config's `validation.workers`.
   * Default: the config's, else the number of cores minus one, at least 1.
   */
  workers?: number | undefined;
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
function assertRunnable(config: WorkflowConfig): void {
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
  run: RebuildRun,
  progress: Progress,
): AsyncIterable<SourceRecord | Failure> {
  const { counter, logger } = run;
  return rebuildRecords(config, counter, {
    delta: run.delta,
    progress,
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
async function writeItem(
  run: RebuildRun,
  item: StacItem,
  source: KeptSource,
  line: string | undefined,
  hash: string,
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
      sourceData: wholeSource(source),
    });
    return fail(run, failure);
  }
  run.counter.succeeded += 1;
  run.itemExtents.add(item);
  noteWritten(run.delta, item, hash, source.value);
}

/** Plans one record: an incremental run keeps the item an earlier run made of an unchanged record. */
function planRecord(run: RebuildRun, value: unknown): RecordPlan {
  const next = classify(run.delta, value);
  if (next.action === 'process') return next;
  const settle =
    next.action === 'skip'
      ? () => {
          run.counter.skipped += 1;
        }
      : () => {
          run.output.sinks.keepItem?.(next.record);
          run.itemExtents.add(extentItem(next.record));
        };
  return { action: 'settled', settle };
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
  const { progress } = options;
  progress.start('items');
  await processSourceInBatches(
    source,
    run.stages,
    validator,
    {
      fail: async (failure) => {
        await fail(run, failure);
        progress.failed?.();
      },
      write: (item, record, line, hash) => writeItem(run, item, record, line, hash),
      plan: (record) => planRecord(run, record),
      unreadable: () => {
        run.delta.listingComplete = false;
      },
      catalog: (catalog) => {
        run.sourceCatalog ??= catalog;
      },
      collection: (collection) => {
        run.sourceCollections.set(collection.id, collection);
      },
      processed: () => {
        run.counter.processed += 1;
      },
      wholeItems: run.output.sinks.wholeItems,
    },
    options,
  );
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
 * problems never stop the run. An `s3://bucket/prefix` output path is
 * written into a local work folder, then published to the prefix (changed
 * objects only, the root `catalog.json` last; full mode only): see
 * `@scm/object-store`.
 */
export async function rebuildCatalog(
  config: WorkflowConfig,
  options: RebuildOptions,
): Promise<RebuildResult> {
  if (isS3Url(config.output.path)) {
    return rebuildToObjectStore(config, options, (local, o) => rebuildLocal(local, { ...options, ...o }));
  }
  return rebuildLocal(config, options);
}

/** {@link rebuildCatalog} into a local output folder. */
async function rebuildLocal(config: WorkflowConfig, options: RebuildOptions): Promise<RebuildResult> {
  const logger = (options.logger ?? noopLogger).child('workflow');
  const dryRun = options.dryRun ?? false;
  assertRunnable(config);
  const counter = startSummary('rebuild-catalog', options.mode);
  // Everything that can reject the configuration runs before anything is written.
  const stages = await prepareStages(config, options.cliDir, logger);
  const delta = await planDelta(config, options.mode, counter.notes, options.selection);
  const inPlace = delta.mode !== 'full';
  const output = await openRebuildOutput(config, { dryRun, overwrite: options.overwrite, logger, inPlace });
  delta.next.entries.spillTo(dryRun ? undefined : join(output.workDir, STATE_DIR));
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
    const progress = output.recorder.wrapProgress(options.progress ?? noopProgress);
    const source = openRebuildSource(config, options, run, progress);
    const validator = openBatchValidator({
      level: config.validation?.level ?? 'strict',
      schemaDirs: config.validation?.schema_dirs ?? [],
      loaded: stages.extensions,
      workers: options.workers ?? config.validation?.workers,
    });
    try {
      await processSource(run, source, validator, { progress, signal: options.signal });
    } finally {
      await validator.close();
    }
    // Runs while an incremental run's ids listing may still be running; settling waits for it.
    await output.sinks.mergeWritten?.();
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
