import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputConfig, WorkflowConfig } from '@scm/config';
import type { RunSummary } from '@scm/core';
import { COLLECTIONS_NDJSON, writeJsonAtomic } from '@scm/output-json';
import { isS3Url } from '@scm/object-store/url';
import { scaffoldedCollectionNote } from './collection-extents.js';
import { rebuildShardToObjectStore } from './object-store-output.js';
import { type RebuildOptions, type RebuildResult, rebuildCatalog } from './rebuild.js';
import type { ShardSpec } from './shard-plan.js';
import type { ShardPlanRecord, ShardRun } from './shard-source.js';

/** Folder of the output that holds the shards' parts: `shards/<K>/`. */
export const SHARDS_DIR = 'shards';

/** The record a finished shard leaves in its folder; {@link mergeShards} reads it. */
export const SHARD_MANIFEST = 'shard.json';

/** What a finished shard records for the merge. */
export interface ShardManifest {
  version: 1;
  /** Which shard of how many. */
  shard: ShardSpec;
  /** Its share of the plan and the fingerprint of the whole plan. */
  plan: ShardPlanRecord;
  /** The output settings the merge writes with (the shard itself writes NDJSON parts only). */
  output: Pick<OutputConfig, 'formats' | 'organize_by' | 'base_url' | 'catalog' | 'failures_file'>;
  /** Collections the shard scaffolded from its own items (the merge widens their extents over every shard). */
  scaffolded: string[];
  /** False when some harvest window stopped on a failure: the shard must be run again (with --resume). */
  complete: boolean;
  /** RFC 3339 time the shard finished. */
  finished_at: string;
}

/** The folder of shard `index` under an output folder. */
export function shardDir(outputPath: string, index: number): string {
  return join(outputPath, SHARDS_DIR, String(index));
}

/** Options of {@link rebuildShard}: a rebuild's, with the shard to run. */
export interface RebuildShardOptions extends Omit<RebuildOptions, 'shard'> {
  shard: ShardSpec;
}

/** What a shard run produced: the rebuild's result and the manifest it left (none in a dry run). */
export interface RebuildShardResult extends RebuildResult {
  manifest: ShardManifest | undefined;
}

async function collectionIdsIn(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, 'ndjson', COLLECTIONS_NDJSON), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => String((JSON.parse(line) as { id?: unknown }).id));
}

/**
 * Removes what a killed run of shard `index` left beside its folder: the
 * staging folder it was writing (`shards/.K.staging-*`) and a previous
 * folder it was swapping out (`shards/.K.previous-*`). A shard runs once at a
 * time, so a rerun may take them as dead.
 */
async function removeLeftovers(outputPath: string, index: number): Promise<void> {
  const root = join(outputPath, SHARDS_DIR);
  const names = await readdir(root).catch(() => [] as string[]);
  const dead = names.filter((n) => n.startsWith(`.${index}.staging-`) || n.startsWith(`.${index}.previous-`));
  await Promise.all(dead.map((n) => rm(join(root, n), { recursive: true, force: true })));
}

function isComplete(summary: RunSummary): boolean {
  return !summary.notes.some((note) => note.startsWith('incomplete window:'));
}

/**
 * Runs one shard of a rebuild: only the partitions that fall to it (see
 * `shard-plan.ts`), written as NDJSON parts with their failures file,
 * `summary.json` and checkpoint under `shards/<K>/` of the output folder, then
 * `shard.json`, which marks the shard as finished. The manifest is removed
 * first, so a shard that fails on a re-run counts as failed, not as its older
 * self. `merge-shards` builds the configured formats from the parts. With an
 * `s3://` output the shard writes locally and uploads its folder to
 * `<prefix>/shards/<K>/`, `shard.json` last.
 */
export async function rebuildShard(
  config: WorkflowConfig,
  options: RebuildShardOptions,
): Promise<RebuildShardResult> {
  if (isS3Url(config.output.path)) {
    const remote = {
      ...options,
      index: options.shard.index,
      shardsDir: SHARDS_DIR,
      manifest: SHARD_MANIFEST,
    };
    return rebuildShardToObjectStore(config, remote, (local, o) =>
      rebuildShardLocal(local, { ...options, ...o }),
    );
  }
  return rebuildShardLocal(config, options);
}

/** {@link rebuildShard} into a local output folder. */
async function rebuildShardLocal(
  config: WorkflowConfig,
  options: RebuildShardOptions,
): Promise<RebuildShardResult> {
  const dir = shardDir(config.output.path, options.shard.index);
  const manifestPath = join(dir, SHARD_MANIFEST);
  if (!options.dryRun) {
    await rm(manifestPath, { force: true });
    await removeLeftovers(config.output.path, options.shard.index);
  }
  const shardConfig: WorkflowConfig = {
    ...config,
    output: { ...config.output, path: dir, formats: ['ndjson'] },
  };
  const shard: ShardRun = { spec: options.shard };
  const result = await rebuildCatalog(shardConfig, { ...options, shard });
  if (options.dryRun || !shard.plan) return { ...result, manifest: undefined };
  const ids = await collectionIdsIn(dir);
  const { formats, organize_by, base_url, catalog, failures_file } = config.output;
  const manifest: ShardManifest = {
    version: 1,
    shard: options.shard,
    plan: shard.plan,
    output: {
      formats,
      organize_by,
      ...(base_url !== undefined ? { base_url } : {}),
      ...(catalog !== undefined ? { catalog } : {}),
      failures_file,
    },
    scaffolded: ids.filter((id) => result.summary.notes.includes(scaffoldedCollectionNote(id))),
    complete: isComplete(result.summary),
    finished_at: new Date().toISOString(),
  };
  await writeJsonAtomic(manifestPath, manifest);
  return { ...result, manifest };
}
