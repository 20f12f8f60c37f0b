import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkflowConfig } from '@scm/config';
import {
  countFailure,
  type Failure,
  fileSystemError,
  finishSummary,
  isFailure,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RunSummary,
  ScmError,
  type StacCollection,
  type SummaryCounter,
  startSummary,
  stripForbiddenKeys,
} from '@scm/core';
import { isS3Url } from '@scm/object-store/url';
import { readNdjsonDir } from '@scm/output-json';
import { mergeToObjectStore } from './object-store-output.js';
import { type CollectionExtents, createCollectionExtents } from './collection-extents.js';
import { type FailuresFile, openFailuresFile } from './failures-file.js';
import {
  createStagingDir,
  OUTPUT_MARKER,
  promoteStagingDir,
  readJsonIfExists,
  writeMarker,
} from './output-dir.js';
import { SHARD_MANIFEST, SHARDS_DIR, type ShardManifest, shardDir } from './rebuild-shard.js';
import { openSinks, type RunSinks } from './sinks.js';
import { WORKFLOW_VERSION } from './version.js';

/** Options of {@link mergeShards}. */
export interface MergeShardsOptions {
  /**
   * The output folder the shards wrote under (`<output>/shards/<K>/`); the merged catalog goes there.
   * May be `s3://bucket/prefix` (the shards' uploads are under `<prefix>/shards/`).
   */
  outputPath: string;
  /** Environment of the S3 client for an `s3://` output (`AWS_ENDPOINT_URL`, `AWS_REGION`, keys). Default process.env. */
  env?: Record<string, string | undefined>;
  /** Publish even when shards are missing or failed (they are named in the summary). Default false. */
  partial?: boolean;
  /** How an `s3://` output is published (see `output.publish`): `in_place` (default) or `snapshot`. */
  publish?: 'in_place' | 'snapshot';
  /** Replace an output folder this tool did not write (default false: `SCM_OUTPUT_EXISTS`). */
  overwrite?: boolean;
  /** Check the shards and count, but write nothing (default false). */
  dryRun?: boolean;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal | undefined;
}

/** What a merge did. */
export interface MergeShardsResult {
  /** Counts over every merged shard (their processed, failed, …), notes naming any shard left out. */
  summary: RunSummary;
  outputDir: string;
  /** How many shards the rebuild was cut into. */
  count: number;
  /** Shards merged, missing (no `shard.json`), and failed (a harvest window stopped on a failure). */
  merged: number[];
  missing: number[];
  failed: number[];
}

/** The shards found under an output folder, checked against each other. */
interface ShardSet {
  count: number;
  manifests: Map<number, ShardManifest>;
  merged: number[];
  missing: number[];
  failed: number[];
}

async function readManifests(outputPath: string): Promise<Map<number, ShardManifest>> {
  const root = join(outputPath, SHARDS_DIR);
  const names = await readdir(root).catch((error: unknown) => {
    throw fileSystemError(error, root, 'read');
  });
  const manifests = new Map<number, ShardManifest>();
  for (const name of names.filter((n) => /^\d+$/.test(n))) {
    const manifest = await readJsonIfExists<ShardManifest>(join(root, name, SHARD_MANIFEST));
    if (manifest?.version === 1) manifests.set(Number(name), manifest);
  }
  return manifests;
}

/** Finds the shards, refuses shards of different plans, and sorts them into merged, missing and failed. */
async function findShards(outputPath: string): Promise<ShardSet> {
  const manifests = await readManifests(outputPath);
  const first = [...manifests.values()][0];
  if (!first) {
    throw new ScmError('SCM_SHARD_MISSING', `no finished shard under ${join(outputPath, SHARDS_DIR)}`, {
      location: { file: outputPath },
    });
  }
  const { count } = first.shard;
  const odd = [...manifests].filter(
    ([, m]) => m.shard.count !== count || m.plan.fingerprint !== first.plan.fingerprint,
  );
  if (odd.length > 0) {
    throw new ScmError(
      'SCM_USAGE',
      `shards ${odd.map(([k]) => k).join(', ')} were planned differently from shard ${first.shard.index} (another shard count, source or day); run them again with the same config`,
      { details: { shards: odd.map(([k]) => k) } },
    );
  }
  const set: ShardSet = { count, manifests, merged: [], missing: [], failed: [] };
  for (let k = 0; k < count; k += 1) {
    const manifest = manifests.get(k);
    if (!manifest) set.missing.push(k);
    else if (!manifest.complete) set.failed.push(k);
    else set.merged.push(k);
  }
  return set;
}

function refuseIncomplete(set: ShardSet, outputPath: string): void {
  const parts = [
    ...(set.missing.length > 0 ? [`missing (not finished): ${set.missing.join(', ')}`] : []),
    ...(set.failed.length > 0 ? [`failed (incomplete harvest): ${set.failed.join(', ')}`] : []),
  ];
  throw new ScmError(
    'SCM_SHARD_MISSING',
    `merge-shards: ${parts.join('; ')} of ${set.count} shards under ${join(outputPath, SHARDS_DIR)}; run them (again), or pass --partial to publish without them`,
    { details: { missing: set.missing, failed: set.failed, count: set.count } },
  );
}

/** The folder may hold the shards and hidden files; anything else must be ours (the marker) or `overwrite`. */
async function assertMergeTarget(outputPath: string, overwrite: boolean): Promise<void> {
  const entries = await readdir(outputPath);
  const foreign = entries.filter((name) => name !== SHARDS_DIR && !name.startsWith('.'));
  if (foreign.length === 0 || entries.includes(OUTPUT_MARKER) || overwrite) return;
  throw new ScmError(
    'SCM_OUTPUT_EXISTS',
    `output folder ${outputPath} holds files that stac-catalog-manager did not write (no ${OUTPUT_MARKER}); pass --overwrite to replace them`,
    { location: { file: outputPath } },
  );
}

/** The state of one merge while it writes. */
interface MergeRun {
  counter: SummaryCounter;
  sinks: RunSinks;
  failures: FailuresFile;
  extents: CollectionExtents;
  /** Each collection as the first shard that had it from the source wrote it, else as one scaffolded it. */
  collections: Map<string, { value: StacCollection; scaffolded: boolean }>;
  progress: Progress;
  signal: AbortSignal | undefined;
}

function keepCollection(run: MergeRun, collection: StacCollection, scaffolded: boolean): void {
  const known = run.collections.get(collection.id);
  if (!known || (known.scaffolded && !scaffolded))
    run.collections.set(collection.id, { value: collection, scaffolded });
}

/** Streams one shard's NDJSON parts into the sinks; keeps its collections for the end. */
async function mergeParts(run: MergeRun, dir: string, manifest: ShardManifest): Promise<void> {
  const scaffolded = new Set(manifest.scaffolded);
  const parts = join(dir, 'ndjson');
  // A shard that had nothing to read (no file group or window fell to it) wrote no parts.
  if (!(await stat(parts).catch(() => undefined))) return;
  for await (const entry of readNdjsonDir(parts, { signal: run.signal })) {
    if (isFailure(entry)) {
      countFailure(run.counter, entry.error_type);
      await run.failures.write(entry);
    } else if (entry.kind === 'collection') {
      keepCollection(run, entry.value, scaffolded.has(entry.value.id));
    } else {
      await run.sinks.writeItem(entry.value);
      run.counter.succeeded += 1;
      run.extents.add(entry.value);
      run.progress.tick();
    }
  }
}

/** Copies a shard's failures file into the merged one (each line is a failure record). */
async function mergeFailures(run: MergeRun, path: string): Promise<void> {
  const stream = createReadStream(path, 'utf8');
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      await run.failures.write(stripForbiddenKeys(JSON.parse(line)) as Failure);
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw fileSystemError(error, path, 'read');
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Adds a shard's counts to the merge's, with its notes prefixed by the shard. */
function addShardSummary(counter: SummaryCounter, index: number, summary: RunSummary | undefined): void {
  if (!summary) return;
  counter.processed += summary.processed;
  counter.skipped += summary.skipped;
  for (const [type, n] of Object.entries(summary.failures_by_type ?? {})) {
    counter.failuresByType[type] = (counter.failuresByType[type] ?? 0) + n;
  }
  counter.failed += summary.failed;
  counter.notes.push(...summary.notes.map((note) => `shard ${index}: ${note}`));
}

/** Collections: the source's as any shard read it; a scaffolded one with its extent over every shard's items. */
async function writeMergedCollections(run: MergeRun): Promise<void> {
  for (const [id, { value, scaffolded }] of run.collections) {
    const widened = scaffolded ? run.extents.scaffold(id) : undefined;
    await run.sinks.writeCollection(widened ? { ...value, extent: widened.extent } : value);
    run.counter.collections += 1;
  }
}

/** Writes the merged catalog into `workDir`: items, collections, failures; returns the run's counter. */
async function writeMerged(
  set: ShardSet,
  options: MergeShardsOptions,
  workDir: string,
  dryRun: boolean,
): Promise<SummaryCounter> {
  const logger = options.logger ?? noopLogger;
  const output = set.manifests.get(set.merged[0] ?? -1)?.output ?? [...set.manifests.values()][0]!.output;
  const counter = startSummary('merge-shards', 'full');
  const config = { output: { ...output, path: workDir } } as Pick<WorkflowConfig, 'output'>;
  const run: MergeRun = {
    counter,
    sinks: await openSinks(workDir, config, { dryRun, logger }),
    failures: await openFailuresFile(join(workDir, output.failures_file), { dryRun }),
    extents: createCollectionExtents(),
    collections: new Map(),
    progress: options.progress ?? noopProgress,
    signal: options.signal,
  };
  run.progress.start('items');
  for (const index of set.merged) {
    const dir = shardDir(options.outputPath, index);
    const manifest = set.manifests.get(index)!;
    await mergeParts(run, dir, manifest);
    await mergeFailures(run, join(dir, manifest.output.failures_file));
    addShardSummary(counter, index, await readJsonIfExists<RunSummary>(join(dir, 'summary.json')));
  }
  run.progress.done();
  await writeMergedCollections(run);
  const written = await run.sinks.finish();
  counter.outputs.push(...written.files);
  for (const failure of written.failures) {
    countFailure(counter, failure.error_type);
    await run.failures.write(failure);
  }
  await run.failures.close();
  if (run.failures.count > 0) counter.outputs.push(output.failures_file);
  else if (!dryRun) await rm(join(workDir, output.failures_file), { force: true });
  counter.outputs.push('summary.json', 'shards.json');
  counter.succeeded -= written.failures.length;
  return counter;
}

/** Notes naming the shards a partial merge left out. */
function leftOutNotes(set: ShardSet): string[] {
  return [
    ...set.missing.map(
      (k) => `shard ${k} of ${set.count} is missing (not finished): its items are not in this catalog`,
    ),
    ...set.failed.map(
      (k) => `shard ${k} of ${set.count} failed (incomplete harvest): its items are not in this catalog`,
    ),
  ];
}

/**
 * Combines the shards of a sharded rebuild (`rebuild-catalog --shard K/N`)
 * into one catalog at `outputPath`, in the formats the config asked for: the
 * JSON tree, NDJSON and stac-geoparquet are written by the same sinks as a
 * single-process rebuild, from every shard's NDJSON parts (so Parquet
 * schemas widen exactly as they do there), collections come from the source
 * (a scaffolded one gets the extent of every shard's items), failures files
 * are concatenated and counts summed into one `summary.json`, with
 * `shards.json` recording which shards went in. A missing or failed shard
 * stops the merge (`SCM_SHARD_MISSING`, naming it) unless `partial`. The
 * catalog is staged and swapped in whole, with `shards/` kept in it, so the
 * merge can be run again (after re-running a shard) with the same result.
 * An `s3://bucket/prefix` output path downloads `<prefix>/shards/`, merges
 * locally and publishes the catalog to the prefix (`@scm/object-store`:
 * changed objects only, the root `catalog.json` last, `shards/` kept).
 */
export async function mergeShards(options: MergeShardsOptions): Promise<MergeShardsResult> {
  if (isS3Url(options.outputPath)) {
    const remote = { ...options, shardsDir: SHARDS_DIR };
    return mergeToObjectStore(options.outputPath, remote, (local, o) =>
      mergeLocal({ ...options, ...o, outputPath: local }),
    );
  }
  return mergeLocal(options);
}

/** {@link mergeShards} in a local output folder. */
async function mergeLocal(options: MergeShardsOptions): Promise<MergeShardsResult> {
  const { outputPath } = options;
  const dryRun = options.dryRun ?? false;
  const set = await findShards(outputPath);
  if ((set.missing.length > 0 || set.failed.length > 0) && !options.partial)
    refuseIncomplete(set, outputPath);
  if (set.merged.length === 0) refuseIncomplete(set, outputPath);
  if (!dryRun) await assertMergeTarget(outputPath, options.overwrite ?? false);
  const workDir = dryRun ? outputPath : await createStagingDir(outputPath);
  let summary: RunSummary;
  try {
    const counter = await writeMerged(set, options, workDir, dryRun);
    counter.notes.push(...leftOutNotes(set));
    summary = finishSummary(counter);
    if (!dryRun) await publishMerged(workDir, outputPath, summary, set);
  } catch (error) {
    if (!dryRun) await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  (options.logger ?? noopLogger).info('shards merged', { merged: set.merged.length, count: set.count });
  const { count, merged, missing, failed } = set;
  return { summary, outputDir: outputPath, count, merged, missing, failed };
}

/** Writes the state files into the staging folder, moves `shards/` into it, and swaps it into place. */
async function publishMerged(
  workDir: string,
  outputPath: string,
  summary: RunSummary,
  set: ShardSet,
): Promise<void> {
  const record = {
    count: set.count,
    plan: set.manifests.get(set.merged[0]!)?.plan.fingerprint,
    merged: set.merged,
    missing: set.missing,
    failed: set.failed,
    merged_at: summary.finished_at,
  };
  await writeFile(join(workDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(workDir, 'shards.json'), `${JSON.stringify(record, null, 2)}\n`);
  await writeMarker(workDir, WORKFLOW_VERSION, 'full');
  // The parts stay with the catalog: a shard run again later is merged with the others kept here.
  await rename(join(outputPath, SHARDS_DIR), join(workDir, SHARDS_DIR));
  try {
    await promoteStagingDir(workDir, outputPath);
  } catch (error) {
    await rename(join(workDir, SHARDS_DIR), join(outputPath, SHARDS_DIR)).catch(() => undefined);
    throw error;
  }
}
