import { createHash } from 'node:crypto';
import { ScmError, type StacCollection } from '@scm/core';
import {
  collectionTimeRange,
  harvestRange,
  makeWindow,
  parseDatetimeFilter,
  splitWindow,
  type WindowState,
} from '@scm/ingest';

/** One shard of a sharded rebuild: shard `index` (0-based) of `count`. */
export interface ShardSpec {
  /** 0-based shard number, below `count`. */
  index: number;
  /** How many shards the rebuild is cut into. */
  count: number;
}

/** Where a shard setting can come from: the command line, or the environment of an orchestrator. */
export interface ShardSources {
  /** `--shard K/N`. */
  shard?: string | undefined;
  /** `--shard-count N`, used with `JOB_COMPLETION_INDEX`. */
  shardCount?: string | number | undefined;
  /** Environment: `SCM_SHARD=K/N`, or a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` (with `SCM_SHARD_COUNT`). */
  env?: Record<string, string | undefined>;
}

/** Windows each shard gets per collection: enough for an even share when items are not spread evenly in time. */
export const SHARD_WINDOWS_PER_SHARD = 8;

const WHOLE = /^\d+$/;

function wholeNumber(text: string, what: string): number {
  if (!WHOLE.test(text.trim())) throw new ScmError('SCM_USAGE', `${what} "${text}" is not a whole number`);
  return Number(text.trim());
}

function checkedSpec(index: number, count: number, from: string): ShardSpec {
  if (count < 1) throw new ScmError('SCM_USAGE', `${from}: the shard count must be at least 1`);
  if (index >= count) {
    throw new ScmError(
      'SCM_USAGE',
      `${from}: shard ${index} does not exist among ${count} (0 to ${count - 1})`,
    );
  }
  return { index, count };
}

/** Parses `K/N` (shard K of N, K from 0 to N-1); `from` names where the text came from in errors. */
export function parseShardSpec(text: string, from = '--shard'): ShardSpec {
  const parts = text.split('/');
  if (parts.length !== 2) throw new ScmError('SCM_USAGE', `${from} "${text}" must be K/N, e.g. 0/4`);
  return checkedSpec(wholeNumber(parts[0]!, from), wholeNumber(parts[1]!, `${from} count`), from);
}

/**
 * The shard this process runs, or undefined for a whole rebuild. `--shard`
 * wins over `SCM_SHARD`, which wins over `JOB_COMPLETION_INDEX` (set by a
 * Kubernetes Indexed Job); the index needs the count from `--shard-count`
 * or `SCM_SHARD_COUNT`. A `--shard-count` with no index anywhere is an error.
 */
export function resolveShardSpec(sources: ShardSources): ShardSpec | undefined {
  const env = sources.env ?? {};
  if (sources.shard !== undefined) return parseShardSpec(sources.shard);
  if (env.SCM_SHARD) return parseShardSpec(env.SCM_SHARD, 'SCM_SHARD');
  const count = sources.shardCount ?? env.SCM_SHARD_COUNT;
  const index = env.JOB_COMPLETION_INDEX;
  if (count === undefined || count === '') return undefined;
  const total = wholeNumber(String(count), '--shard-count');
  if (index === undefined || index === '') {
    throw new ScmError(
      'SCM_USAGE',
      '--shard-count needs the shard index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it); or pass --shard K/N',
    );
  }
  return checkedSpec(wholeNumber(index, 'JOB_COMPLETION_INDEX'), total, 'JOB_COMPLETION_INDEX');
}

/** A stable unsigned 32-bit hash of a text (the first bytes of its SHA-256). */
export function stableHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** The shard of a file group: a hash of its path, so adding a file moves no other file. */
export function shardOfFile(path: string, count: number): number {
  return stableHash(path) % count;
}

/**
 * The shard of a collection's `position`-th window: consecutive windows go
 * to consecutive shards, starting from a shard given by the collection id's
 * hash, so each shard gets an even share of every collection's time range
 * and small collections do not all land on shard 0.
 */
export function shardOfWindow(collection: string, position: number, count: number): number {
  return (stableHash(collection) + position) % count;
}

/** Start of the UTC day of `now`: the end of the plan for a collection whose extent is open. */
export function planDay(now = Date.now()): number {
  return Math.floor(now / 86_400_000) * 86_400_000;
}

/**
 * Cuts a collection's time range into fixed windows every shard computes
 * alike: the collection's temporal extent, within the `datetime` filter,
 * cut into `count × SHARD_WINDOWS_PER_SHARD` equal windows. The harvest's own
 * cutting is adaptive (it follows the server's counts, which a shard started
 * later may see differently), so it is not used for the plan; within its
 * windows each shard still cuts finer by counts. An open extent end is
 * planned to the start of the current UTC day (`planDayMs`), and the last
 * window asks the server with an open end. A collection without a start gets
 * one window; one whose extent the filter misses gets none.
 */
export function planCollectionWindows(
  collection: StacCollection,
  datetime: string | undefined,
  count: number,
  planDayMs: number,
): WindowState[] {
  const filter = datetime ? parseDatetimeFilter(datetime) : undefined;
  const range = harvestRange(collectionTimeRange(collection), filter, planDayMs);
  if (range.empty) return [];
  const root = makeWindow(collection.id, range, true, true);
  return splitWindow(root, count * SHARD_WINDOWS_PER_SHARD) ?? [root];
}

/** The windows of `collectionWindows` that fall to `shard`. */
export function shardWindows(collectionWindows: readonly WindowState[], shard: ShardSpec): WindowState[] {
  return collectionWindows.filter((w, i) => shardOfWindow(w.collection, i, shard.count) === shard.index);
}

/** A fingerprint of a whole plan (every shard's partitions): shards of one rebuild must agree on it. */
export function planFingerprint(count: number, partitions: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`${count}\n`);
  for (const id of partitions) hash.update(`${id}\n`);
  return hash.digest('hex').slice(0, 32);
}
