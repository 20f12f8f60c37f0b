import { readdir, stat, writeFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemError, type HttpClient, type StacCollection } from '@scm/core';
import {
  type HarvestCheckpoint,
  harvestFingerprint,
  type HarvestOptions,
  loadCheckpoint,
  makeWindow,
  readCollection,
  readLanding,
  type WindowState,
} from '@scm/ingest';
import { detectFormat, FORMAT_EXTENSIONS } from '@scm/input';
import { writeJsonAtomic } from '@scm/output-json';
import type { HarvestStateDir } from './harvest-run.js';
import { readJsonIfExists } from './output-dir.js';
import {
  planCollectionWindows,
  planDay,
  planFingerprint,
  type ShardSpec,
  shardOfFile,
  shardWindows,
} from './shard-plan.js';

/** What a shard ran: its share of the plan, and the fingerprint of the whole plan. */
export interface ShardPlanRecord {
  /** Fingerprint of every shard's partitions; the shards of one rebuild must agree on it. */
  fingerprint: string;
  /** Partitions of the whole plan. */
  total: number;
  /** This shard's partitions: window ids (`<collection> <start>/<end>`) or file paths. */
  partitions: string[];
  /** The start of the UTC day open extents were planned to (stac_api sources). */
  plan_day?: string;
}

/** A shard of a rebuild as the source sees it: which one, and (once the source planned it) its plan. */
export interface ShardRun {
  spec: ShardSpec;
  /** Set by the source once the plan is known. */
  plan?: ShardPlanRecord;
}

/** File name of the plan record kept in a shard's harvest state folder, for a resume. */
const PLAN_FILE = 'shard-plan.json';

const DATA_EXTENSIONS = Object.values(FORMAT_EXTENSIONS).flat();

/** The data files of a plain folder (not a static catalog), sorted, as `openSource` reads them. */
async function folderDataFiles(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch((error: unknown) => {
    throw fileSystemError(error, folder, 'read');
  });
  const files = names.filter(
    (name) => !name.startsWith('.') && DATA_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e)),
  );
  return files.sort().map((name) => join(folder, name));
}

/**
 * The file groups of a local source and the ones that fall to `shard`: a
 * plain folder counts as its data files, a file or a static catalog as one
 * group. A group goes to the shard its path hashes to.
 */
export async function shardLocalPaths(
  paths: readonly string[],
  format: string,
  shard: ShardRun,
): Promise<string[]> {
  const groups: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: unknown) => {
      throw fileSystemError(error, path, 'read');
    });
    const plain = info.isDirectory() && format !== 'stac' && (await detectFormat(path)) === 'folder';
    groups.push(...(plain ? await folderDataFiles(path) : [path]));
  }
  const mine = groups.filter((path) => shardOfFile(path, shard.spec.count) === shard.spec.index);
  shard.plan = {
    fingerprint: planFingerprint(shard.spec.count, groups),
    total: groups.length,
    partitions: mine,
  };
  return mine;
}

/** What {@link seedShardHarvest} needs: the harvest as it will run, and where its state goes. */
export interface SeedShardOptions {
  harvest: Pick<
    HarvestOptions,
    'catalogUrl' | 'collections' | 'datetime' | 'bbox' | 'endpoint' | 'method' | 'partition'
  >;
  client: HttpClient;
  state: HarvestStateDir;
  shard: ShardRun;
  /** Continue the shard's own checkpoint when there is one. */
  resume: boolean;
  signal?: AbortSignal | undefined;
}

/** Reads every collection (an unreadable one gets one window; the harvest reports it as a failure). */
async function planAll(options: SeedShardOptions, day: number): Promise<Map<string, WindowState[]>> {
  const { harvest, client, signal } = options;
  const endpoints = await readLanding(client, harvest.catalogUrl, signal);
  const plan = new Map<string, WindowState[]>();
  for (const id of [...harvest.collections].sort()) {
    let collection: StacCollection | undefined;
    try {
      collection = await readCollection(client, endpoints, id, signal);
    } catch {
      collection = undefined;
    }
    const windows = collection
      ? planCollectionWindows(collection, harvest.datetime, options.shard.spec.count, day)
      : [makeWindow(id, {}, true, true)];
    plan.set(id, windows);
  }
  return plan;
}

/**
 * Prepares a shard's harvest: plans every collection's fixed windows, keeps
 * this shard's, and writes them as the checkpoint of a harvest that has not
 * started, so the ordinary resume path pages exactly those windows (and cuts
 * them finer by counts). A resumed shard with a checkpoint keeps its own plan.
 * Always returns true: the harvest is then started as a resume.
 */
export async function seedShardHarvest(options: SeedShardOptions): Promise<true> {
  const { state, shard } = options;
  const planPath = join(state.dir, PLAN_FILE);
  if (options.resume && (await loadCheckpoint(state.checkpoint))) {
    const kept = await readJsonIfExists<ShardPlanRecord>(planPath);
    if (kept) {
      shard.plan = kept;
      return true;
    }
  }
  const day = planDay();
  const plan = await planAll(options, day);
  const all = [...plan.values()].flat();
  const mine = [...plan.values()].flatMap((windows) => shardWindows(windows, shard.spec));
  shard.plan = {
    fingerprint: planFingerprint(
      shard.spec.count,
      all.map((w) => w.id),
    ),
    total: all.length,
    partitions: mine.map((w) => w.id),
    plan_day: new Date(day).toISOString(),
  };
  const checkpoint: HarvestCheckpoint = {
    version: 1,
    fingerprint: harvestFingerprint({ ...options.harvest, client: options.client }),
    planned: [...plan.keys()],
    windows: mine,
    updated_at: new Date().toISOString(),
  };
  await rm(state.dir, { recursive: true, force: true });
  await mkdir(state.dir, { recursive: true });
  await writeFile(state.items, '');
  await writeJsonAtomic(planPath, shard.plan);
  await writeJsonAtomic(state.checkpoint, checkpoint, { pretty: false });
  return true;
}
