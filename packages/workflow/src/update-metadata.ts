import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  createFailure,
  type Failure,
  isFailure,
  isPlainObject,
  isScmError,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  ScmError,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  type ValidationReport,
} from '@scm/core';
import type { RunRecorder } from '@scm/report';
import { parseUpdates, type UpdateChange, type UpdateRule, updateObject } from '@scm/update';
import { createValidator, type StacValidator } from '@scm/validate';
import { checkingExtensions } from './builtins.js';
import { collectionsOf, detect, type InputKind, objectsOf } from './convert.js';
import { AUDIT_FILE, FAILURES_FILE, type FailuresFile, openFailuresFile } from './failures-file.js';
import {
  assertNewFiles,
  assertReplaceable,
  createStagingDir,
  promoteStagingDir,
  readJsonIfExists,
  sideFilePath,
  writeMarker,
} from './output-dir.js';
import { readSafeYamlDocument } from './readers.js';
import { describeReport } from './rebuild-stages.js';
import { REPORT_OUTPUTS, startRunRecorder, writeRunReportFiles } from './run-report.js';
import { type FileOutput, openFileOutput } from './file-output.js';
import type { BytesReport } from './input-bytes.js';
import { openUpdateSink, type UpdateSink, writeJsonFile } from './update-sinks.js';
import { WORKFLOW_VERSION } from './version.js';

/** Options of {@link updateMetadata}. */
export interface UpdateMetadataOptions {
  /** A JSON tree (catalog.json), an NDJSON folder, stac-geoparquet, or an NDJSON/JSON items file. */
  input: string;
  /** The updates document (YAML or JSON; see `@scm/update`). */
  updatesPath: string;
  /** A folder for folder inputs (the input folder itself to update in place), a file for a file input. */
  outputPath: string;
  /** Base of relative paths (default process.cwd()). */
  cwd?: string;
  /** Print the changes, write nothing (default false). */
  dryRun?: boolean;
  /** Replace output this tool did not write (default false: `SCM_OUTPUT_EXISTS`). */
  overwrite?: boolean | undefined;
  /** The time stamped into changed Items' `properties.updated` (default now). */
  now?: Date;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal | undefined;
}

/** How many objects each outcome had. */
export interface UpdateCounts {
  updated: number;
  unchanged: number;
  deleted: number;
  /** Unreadable, or made invalid by an update (then kept as it was). */
  failed: number;
}

/** What {@link updateMetadata} did. */
export interface UpdateMetadataResult extends UpdateCounts {
  inputFormat: InputKind;
  /** How many changes were made (each is a line of the audit log). */
  changeCount: number;
  /** The first {@link PREVIEW_CHANGES} changes, in input order; the audit log has them all. */
  preview: UpdateChange[];
  failuresPath: string;
  auditPath: string;
  summaryPath: string;
  /** Lines for people. */
  text: string;
}

/** How many changes a result (and a dry run's listing) shows. */
export const PREVIEW_CHANGES = 1000;

interface UpdatePaths {
  input: string;
  kind: InputKind;
  finalPath: string;
  /** Where the run writes: a staging folder for folder kinds, the output file for a file. */
  target: string;
  side(name: string): string;
  finalSide(name: string): string;
}

interface UpdateRun {
  rules: UpdateRule[];
  validator: StacValidator;
  failures: FailuresFile;
  sink: UpdateSink | undefined;
  counts: UpdateCounts;
  /** The audit log, streamed: a large update must not hold every change in memory (absent in a dry run). */
  audit: FileOutput | undefined;
  changeCount: number;
  preview: UpdateChange[];
  now: Date;
  progress: Progress;
  /** Sees each item an update changed, for `report.html`'s map. */
  recorder: RunRecorder;
}

/**
 * A rebuild's output folder holds its NDJSON and Parquet beside the tree;
 * replacing the folder with the updated tree alone would lose them, and
 * keeping them would leave them stale.
 */
async function refuseSideFormats(folder: string): Promise<void> {
  const others = ['ndjson', 'parquet'].filter((name) => existsSync(join(folder, name)));
  if (others.length === 0) return;
  throw new ScmError(
    'SCM_USAGE',
    `${folder} also holds ${others.join(' and ')}/ beside the JSON tree; update it in place format by format (--input ${join(folder, others[0]!)}), or write the updated tree to another folder`,
    { location: { file: folder } },
  );
}

/** Resolves the paths and refuses an output that may not be replaced. */
async function planPaths(options: UpdateMetadataOptions, dryRun: boolean): Promise<UpdatePaths> {
  const cwd = options.cwd ?? process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const input = abs(options.input);
  const finalPath = abs(options.outputPath);
  const kind = await detect(input);
  if (kind === 'records') {
    const side = (name: string) => sideFilePath(finalPath, name);
    const all = [
      finalPath,
      side(FAILURES_FILE),
      side(AUDIT_FILE),
      side('summary.json'),
      ...REPORT_OUTPUTS.map(side),
    ];
    if (!dryRun) await assertNewFiles(all, { overwrite: options.overwrite });
    return { input, kind, finalPath, target: finalPath, side, finalSide: side };
  }
  if (finalPath === input) await refuseSideFormats(input);
  if (!dryRun) await assertReplaceable(finalPath, { overwrite: options.overwrite });
  const target = dryRun ? finalPath : await createStagingDir(finalPath);
  return {
    input,
    kind,
    finalPath,
    target,
    side: (name) => join(target, name),
    finalSide: (name) => join(finalPath, name),
  };
}

function invalidFailure(
  original: StacItem | StacCollection,
  updated: object,
  report: ValidationReport,
): Failure {
  return createFailure({
    itemId: original.id,
    errorType: 'validation_error',
    step: 'validate',
    message: `the update made ${original.type === 'Feature' ? 'the item' : 'the collection'} invalid, so it was kept unchanged: ${describeReport(report)}`,
    sourceData: updated,
    details: report.errors,
  });
}

async function recordChanges(run: UpdateRun, changes: readonly UpdateChange[]): Promise<void> {
  for (const change of changes) {
    await run.audit?.write(change as unknown as Record<string, unknown>);
    if (run.preview.length < PREVIEW_CHANGES) run.preview.push(change);
    run.changeCount += 1;
  }
}

/** Updates and re-validates one object: what to write (the original when the update would make it invalid), or undefined when deleted. */
async function decide(
  run: UpdateRun,
  object: StacItem | StacCollection,
): Promise<StacItem | StacCollection | undefined> {
  const outcome = updateObject(object, run.rules, { now: run.now });
  run.progress.tick();
  if (outcome.status === 'deleted') {
    run.counts.deleted += 1;
    await recordChanges(run, outcome.changes);
    return undefined;
  }
  if (outcome.status === 'unchanged' || !outcome.object) {
    run.counts.unchanged += 1;
    return object;
  }
  const report = run.validator.validate(outcome.object);
  if (!report.valid) {
    run.counts.failed += 1;
    run.progress.failed?.();
    await run.failures.write(invalidFailure(object, outcome.object, report));
    return object;
  }
  run.counts.updated += 1;
  if (outcome.object.type === 'Feature') run.recorder.observeItem(outcome.object);
  await recordChanges(run, outcome.changes);
  return outcome.object;
}

/** Runs every object of the input through {@link decide}; collections first, for the outputs that need them up front. */
async function updateAll(
  run: UpdateRun,
  paths: UpdatePaths,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const collections: StacCollection[] = [];
  for (const collection of await collectionsOf(paths.kind, paths.input, signal)) {
    const kept = await decide(run, collection);
    if (kept) collections.push(kept as StacCollection);
  }
  const catalog =
    paths.kind === 'json-tree'
      ? await readJsonIfExists<StacCatalog>(join(paths.input, 'catalog.json'))
      : undefined;
  // Parquet carries the collections in each file's metadata, so the sink needs their updated form up front.
  if (!dryRun)
    run.sink = await openUpdateSink({
      kind: paths.kind,
      target: paths.target,
      input: paths.input,
      collections,
      catalog,
    });
  for (const collection of collections) await run.sink?.write(collection);
  const onBytesRead: BytesReport = (read, total) => run.progress.position?.(read, total, 'bytes');
  for await (const object of objectsOf(paths.kind, paths.input, signal, undefined, onBytesRead)) {
    if (isFailure(object)) {
      run.counts.failed += 1;
      run.progress.failed?.();
      await run.failures.write(object);
    } else if (object.type === 'Feature' || paths.kind === 'records') {
      const kept = await decide(run, object);
      if (kept) await run.sink?.write(kept);
    }
  }
  for (const refused of (await run.sink?.finish()) ?? []) {
    run.counts.failed += 1;
    run.progress.failed?.();
    await run.failures.write(refused);
  }
}

function describeChange(change: UpdateChange): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  if (change.op === 'delete') return `  ${change.id}: delete`;
  return `  ${change.id}: ${change.op} ${change.path}: ${show(change.before)} -> ${show(change.after)}`;
}

/** Writes the audit log, `summary.json` and the marker, then moves a staged folder into place. */
async function finishOutput(
  run: UpdateRun,
  paths: UpdatePaths,
  options: UpdateMetadataOptions,
  started: number,
): Promise<void> {
  await run.audit?.close();
  await writeJsonFile(paths.side('summary.json'), {
    command: 'update-metadata',
    input: paths.input,
    input_format: paths.kind,
    updates: options.updatesPath,
    generated_at: run.now.toISOString(),
    ...run.counts,
    changes: run.changeCount,
    duration_ms: Date.now() - started,
  });
  if (run.failures.count === 0) await rm(paths.side(FAILURES_FILE), { force: true });
  await writeRunReportFiles(dirname(paths.side('summary.json')), run.recorder, {
    prefix: basename(paths.side('summary.json')).slice(0, -'summary.json'.length),
  });
  if (paths.kind === 'records') return;
  await writeMarker(paths.target, WORKFLOW_VERSION, 'update-metadata');
  await promoteStagingDir(paths.target, paths.finalPath);
}

/** `updates[2].select.bbox` as the key path `lineOf` takes; a bare list of rules has no `updates` key. */
function keyPathOf(path: string, wrapped: boolean): (string | number)[] {
  const segments = [...path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) =>
    m[1] !== undefined ? Number(m[1]) : m[2]!,
  );
  return wrapped ? segments : segments.slice(1);
}

/** Reads and parses the updates file; a problem in its rules is given with the file and line of the offending key. */
async function readUpdates(updatesPath: string, cwd: string): Promise<UpdateRule[]> {
  const document = await readSafeYamlDocument(resolve(cwd, updatesPath));
  try {
    return parseUpdates(document.data, { file: updatesPath });
  } catch (error) {
    const path = isScmError(error) ? error.location?.path : undefined;
    const line =
      path === undefined ? undefined : document.lineOf(keyPathOf(path, isPlainObject(document.data)));
    if (!isScmError(error) || path === undefined || line === undefined) throw error;
    const problem = String(error.details?.problem ?? error.message);
    throw new ScmError(error.code, `${updatesPath}:${line}: ${path}: ${problem}`, {
      location: { file: updatesPath, line, path },
      cause: error,
    });
  }
}

/**
 * `update-metadata`: applies an updates document (see `@scm/update`) to every
 * Item and Collection of a catalog, in the input's own format. A changed
 * object is re-validated with the checks `validate` runs; one the update made
 * invalid is written unchanged and reported in the failures file. Deleted
 * Items are left out (in a JSON tree: their file and their collection's
 * `item` link). The audit log lists every change; `summary.json` the counts.
 * A folder output is staged and swapped in whole, so updating a folder in
 * place is safe; a dry run writes nothing and lists the changes.
 */
export async function updateMetadata(options: UpdateMetadataOptions): Promise<UpdateMetadataResult> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const logger = (options.logger ?? noopLogger).child('update');
  const rules = await readUpdates(options.updatesPath, options.cwd ?? process.cwd());
  const paths = await planPaths(options, dryRun);
  const run: UpdateRun = {
    rules,
    validator: createValidator({ level: 'strict', extensions: checkingExtensions([]) }),
    failures: await openFailuresFile(paths.side(FAILURES_FILE), { dryRun }),
    sink: undefined,
    counts: { updated: 0, unchanged: 0, deleted: 0, failed: 0 },
    audit: dryRun ? undefined : await openFileOutput(paths.side(AUDIT_FILE), 'json', { items: false }),
    changeCount: 0,
    preview: [],
    now: options.now ?? new Date(),
    progress: options.progress ?? noopProgress,
    recorder: startRunRecorder(),
  };
  run.progress = run.recorder.wrapProgress(run.progress);
  try {
    run.progress.start('objects');
    await updateAll(run, paths, dryRun, options.signal);
    run.progress.done();
    await run.failures.close();
    if (!dryRun) await finishOutput(run, paths, options, started);
  } catch (error) {
    await run.failures.close().catch(() => undefined);
    await run.audit?.abort().catch(() => undefined);
    await run.sink?.abort().catch(() => undefined);
    if (!dryRun && paths.kind !== 'records') await rm(paths.target, { recursive: true, force: true });
    throw error;
  }
  logger.info('update finished', { input: paths.kind, ...run.counts, changes: run.changeCount });
  return resultOf(run, paths, dryRun);
}

function resultOf(run: UpdateRun, paths: UpdatePaths, dryRun: boolean): UpdateMetadataResult {
  const { updated, unchanged, deleted, failed } = run.counts;
  const lines = [
    `update-metadata: ${paths.kind}: ${updated} updated, ${unchanged} unchanged, ${deleted} deleted, ${failed} failed${dryRun ? ' (dry run, nothing written)' : `\nwritten to ${paths.finalPath}`}`,
  ];
  if (dryRun) lines.push(...run.preview.map(describeChange));
  if (dryRun && run.changeCount > run.preview.length)
    lines.push(`  … and ${run.changeCount - run.preview.length} more change(s)`);
  else lines.push(`audit: ${paths.finalSide(AUDIT_FILE)}`);
  if (failed > 0)
    lines.push(`failures: ${dryRun ? '(dry run, not written)' : paths.finalSide(FAILURES_FILE)}`);
  return {
    inputFormat: paths.kind,
    ...run.counts,
    changeCount: run.changeCount,
    preview: run.preview,
    failuresPath: paths.finalSide(FAILURES_FILE),
    auditPath: paths.finalSide(AUDIT_FILE),
    summaryPath: paths.finalSide('summary.json'),
    text: lines.join('\n'),
  };
}
