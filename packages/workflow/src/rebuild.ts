import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  countFailure,
  createFailure,
  type Failure,
  finishSummary,
  isFailure,
  isPlainObject,
  isScmError,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RecordOrigin,
  type RunSummary,
  ScmError,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  startSummary,
  stacTypeOf,
  type ValidationReport,
} from '@scm/core';
import type { WorkflowConfig } from '@scm/config';
import { applyExtensions, type LoadedExtension, loadExtensions } from '@scm/extensions';
import { scaffoldItem } from '@scm/scaffold';
import { applyMapping, loadMapping, type Mapping, parseMapping } from '@scm/transform';
import { createValidator } from '@scm/validate';
import { builtinExtensions, checkingExtensions } from './builtins.js';
import { createCollectionExtents, scaffoldedCollectionNote } from './collection-extents.js';
import { logOpenedFiles } from './debug-log.js';
import { openFailuresFile } from './failures-file.js';
import { assertReplaceable, createStagingDir, promoteStagingDir, writeMarker } from './output-dir.js';
import { MAPPING_READERS } from './readers.js';
import { rebuildRecords } from './rebuild-source.js';
import { openSinks } from './sinks.js';
import { sourceWarnings } from './source-warnings.js';
import { WORKFLOW_VERSION } from './version.js';

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

/** A short message from a validation report: the first few errors with their paths. */
export function describeReport(report: ValidationReport, max = 5): string {
  const parts = report.errors.slice(0, max).map((e) => `${e.path || '/'}: ${e.message}`);
  const more = report.errors.length > max ? ` (+${report.errors.length - max} more)` : '';
  return `${parts.join('; ')}${more}`;
}

function idOf(value: unknown, origin: RecordOrigin): string {
  if (isPlainObject(value) && (typeof value.id === 'string' || typeof value.id === 'number'))
    return String(value.id);
  return origin.file ? `${origin.file}:${origin.line ?? origin.index ?? '?'}` : 'unknown';
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/**
 * Runs a whole workflow: reads the source, maps and scaffolds non-STAC
 * records, applies extensions, validates, and writes the configured outputs
 * with a failures file and `summary.json`. A full rebuild writes into a
 * staging folder and swaps it into place at the end, so an interrupted run
 * leaves the previous catalog untouched. Per-item problems never stop the run.
 */
export async function rebuildCatalog(
  config: WorkflowConfig,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const logger = (options.logger ?? noopLogger).child('workflow');
  const progress = options.progress ?? noopProgress;
  const dryRun = options.dryRun ?? false;
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
  const finalDir = config.output.path;
  const counter = startSummary('rebuild-catalog', options.mode);

  // Everything that can reject the configuration runs before anything is written.
  const loaded: LoadedExtension[] = await loadExtensions({
    extensions: config.extensions,
    builtins: builtinExtensions(),
    ...(config.extensions_dir !== undefined ? { extensionsDir: config.extensions_dir } : {}),
    ...(options.cliDir !== undefined ? { cliDir: options.cliDir } : {}),
    logger,
  });
  let mapping: Mapping | undefined;
  const mappingSpec = config.transformation?.mapping_schema;
  if (typeof mappingSpec === 'string') mapping = await loadMapping(mappingSpec, MAPPING_READERS);
  else if (Array.isArray(mappingSpec) && mappingSpec.length > 0) {
    const tables = config.transformation?.lookup_tables;
    mapping = parseMapping(
      tables ? { mappings: mappingSpec, lookup_tables: tables } : mappingSpec,
      undefined,
      MAPPING_READERS,
    );
  }
  const validator = createValidator({
    level: config.validation?.level ?? 'strict',
    schemaDirs: config.validation?.schema_dirs ?? [],
    extensions: checkingExtensions(loaded.map((l) => l.extension)),
  });
  if (!dryRun) await assertReplaceable(finalDir, { overwrite: options.overwrite });

  const workDir = dryRun ? finalDir : await createStagingDir(finalDir);
  const failuresFile = join(workDir, config.output.failures_file ?? 'failed_items.ndjson');
  const failures = await openFailuresFile(failuresFile, { dryRun });
  const sinks = await openSinks(workDir, config, { dryRun, logger });
  const sourceCollections = new Map<string, StacCollection>();
  const itemExtents = createCollectionExtents();
  let sourceCatalog: StacCatalog | undefined;

  const fail = async (failure: Failure) => {
    countFailure(counter, failure.error_type);
    await failures.write(failure);
    logger.debug('item failed', {
      item_id: failure.item_id,
      step: failure.error_context.step,
      error: failure.error_message,
    });
  };

  const processRecord = async (value: unknown, origin: RecordOrigin): Promise<void> => {
    let record = value;
    if (mapping) {
      const mapped = applyMapping(record, mapping, origin);
      if (!mapped.ok) return fail(mapped.failure);
      record =
        stacTypeOf(record) === 'Item'
          ? deepMerge(record as Record<string, unknown>, mapped.value)
          : mapped.value;
    }
    let item: StacItem;
    if (stacTypeOf(record) === 'Item') {
      item = record as StacItem;
    } else if (isPlainObject(record)) {
      const scaffolded = scaffoldItem(record, {}, origin);
      if (!scaffolded.ok) return fail(scaffolded.failure);
      item = scaffolded.item;
    } else {
      return fail(
        createFailure({
          itemId: idOf(value, origin),
          errorType: 'other',
          message: 'record is not a JSON object',
          step: 'read',
          sourceData: value,
          ...origin,
        }),
      );
    }
    const extended = applyExtensions(
      item,
      loaded,
      origin.file !== undefined
        ? { file: origin.file, ...(origin.line !== undefined ? { line: origin.line } : {}) }
        : {},
    );
    if (!extended.ok) return fail(extended.failure);
    item = extended.value as StacItem;
    const report = validator.validate(item);
    if (!report.valid) {
      return fail(
        createFailure({
          itemId: item.id,
          errorType: 'validation_error',
          message: describeReport(report),
          step: 'validate',
          sourceData: value,
          details: report.errors,
          ...(origin.file !== undefined ? { file: origin.file } : {}),
          ...(origin.line !== undefined ? { line: origin.line } : {}),
        }),
      );
    }
    try {
      await sinks.writeItem(item);
    } catch (error) {
      if (!isScmError(error) || error.code !== 'SCM_OUTPUT_PATH') throw error;
      return fail(
        createFailure({
          itemId: item.id,
          errorType: 'other',
          message: error.message,
          step: 'output',
          sourceData: value,
        }),
      );
    }
    counter.succeeded += 1;
    itemExtents.add(item);
  };

  let completed = false;
  try {
    progress.start('items');
    const records = rebuildRecords(config, counter, {
      resume: options.resume ?? false,
      dryRun,
      sourceHooks: { onFileOpened: logOpenedFiles(logger), onWarning: sourceWarnings(logger, counter) },
      ...(options.env ? { env: options.env } : {}),
      logger,
      signal: options.signal,
    });
    for await (const entry of records) {
      if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was interrupted');
      if (isFailure(entry)) {
        counter.processed += 1;
        await fail(entry);
        continue;
      }
      const kind = stacTypeOf(entry.value);
      if (kind === 'Catalog') {
        sourceCatalog ??= entry.value as StacCatalog;
        continue;
      }
      if (kind === 'Collection') {
        const collection = entry.value as StacCollection;
        sourceCollections.set(collection.id, collection);
        continue;
      }
      counter.processed += 1;
      await processRecord(entry.value, entry.origin);
      progress.tick();
    }
    progress.done();

    // Collections: those from the source, plus one scaffolded for each collection id items referred to.
    const collectionIds = new Set([...sourceCollections.keys(), ...itemExtents.ids()]);
    for (const id of collectionIds) {
      let collection = sourceCollections.get(id);
      if (!collection) {
        collection = itemExtents.scaffold(id)!;
        counter.notes.push(scaffoldedCollectionNote(id));
      }
      const extended = applyExtensions(collection, loaded);
      if (!extended.ok) {
        await fail(extended.failure);
        continue;
      }
      const report = validator.validate(extended.value);
      if (!report.valid) {
        await fail(
          createFailure({
            itemId: id,
            errorType: 'validation_error',
            message: `collection: ${describeReport(report)}`,
            step: 'validate',
            sourceData: collection,
            details: report.errors,
          }),
        );
        continue;
      }
      await sinks.writeCollection(extended.value as StacCollection);
      counter.collections += 1;
    }

    const written = await sinks.finish(sourceCatalog);
    counter.outputs.push(...written.files);
    for (const failure of written.failures) {
      counter.succeeded -= 1;
      await fail(failure);
    }
    await failures.close();
    if (failures.count > 0) counter.outputs.push(config.output.failures_file ?? 'failed_items.ndjson');
    else if (!dryRun) await rm(failuresFile, { force: true });
    counter.outputs.push('summary.json');
    completed = true;
  } finally {
    if (!completed && !dryRun) {
      await failures.close().catch(() => undefined);
      await rm(workDir, { recursive: true, force: true });
    }
  }

  const summary = finishSummary(counter);
  const summaryFile = join(finalDir, 'summary.json');
  if (!dryRun) {
    await writeFile(join(workDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    await writeMarker(workDir, WORKFLOW_VERSION, options.mode);
    await promoteStagingDir(workDir, finalDir);
  }
  logger.info('rebuild finished', {
    processed: summary.processed,
    succeeded: summary.succeeded,
    failed: summary.failed,
  });
  return {
    summary,
    outputDir: finalDir,
    failuresFile: join(finalDir, config.output.failures_file ?? 'failed_items.ndjson'),
    summaryFile,
  };
}
