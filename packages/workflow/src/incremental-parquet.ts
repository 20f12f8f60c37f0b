import { createReadStream } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParquetPartition } from '@scm/config';
import { readLines, type StacCollection, type StacItem } from '@scm/core';
import { writeTextAtomic } from '@scm/output-json';
import {
  type CollectionsParquetResult,
  collectionDirName,
  isPartitionOf,
  type ItemWithText,
  partitionOfFileName,
  partitionOfItem,
  partitionOfItemText,
  removeStaleParts,
  UNDATED_PARTITION,
  writeCollectionsParquetTexts,
} from '@scm/output-parquet';
import { UNCOLLECTED_PARQUET } from './sinks.js';

/** The partition of one of our NDJSON lines: read from its text, else (rarely) from the parsed line. */
export function partitionOfLine(line: string, by: ParquetPartition): string {
  const fromText = partitionOfItemText(line, by);
  if (fromText !== undefined) return fromText;
  try {
    return partitionOfItem(JSON.parse(line) as StacItem, by);
  } catch {
    return UNDATED_PARTITION;
  }
}

/**
 * Whether the collection's Parquet folder already has the layout `by` makes, so that rewriting only the
 * changed partitions is enough. A folder written with another `parquet_partition` (or none yet) is
 * rewritten whole, which also removes the files of the old layout.
 */
async function hasLayout(folder: string, by: ParquetPartition): Promise<boolean> {
  const names = await readdir(folder).catch(() => undefined);
  if (names === undefined) return false;
  return names.every((name) => {
    const partition = partitionOfFileName(name);
    return partition === undefined || isPartitionOf(partition, by);
  });
}

/** The lines of an items file that fall in `partitions` (every line when undefined), parsed once. */
async function* itemsIn(
  file: string,
  by: ParquetPartition,
  partitions: ReadonlySet<string> | undefined,
): AsyncGenerator<ItemWithText> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    for await (const { text } of readLines(stream, { file })) {
      if (text === '' || (partitions && !partitions.has(partitionOfLine(text, by)))) continue;
      const item = JSON.parse(text) as StacItem;
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) yield { item, text };
    }
  } catch (error) {
    // A collection with no items file has no items: its partitions' files go.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    stream.destroy();
  }
}

/** What the Parquet side of an incremental run knows of one changed collection. */
export interface ChangedParquetCollection {
  /** Collection id (`''`: items without one). */
  id: string;
  /** The collection, when the run wrote it. */
  collection: StacCollection | undefined;
  /** Its merged `items.ndjson`. */
  itemsFile: string;
  /** Partitions of the lines that changed, came or went. */
  partitions: ReadonlySet<string>;
}

/**
 * Rewrites the stac-geoparquet of one changed collection from its merged NDJSON: only the partitions whose
 * items changed, came or went (`output.parquet_partition`), unless the folder has another layout; the
 * other partitions' files keep their bytes. Only the lines of those partitions are parsed.
 */
export async function rewriteCollectionParquet(
  parquetRoot: string,
  changed: ChangedParquetCollection,
  by: ParquetPartition,
): Promise<CollectionsParquetResult> {
  const dirName = collectionDirName(changed.id === '' ? UNCOLLECTED_PARQUET : changed.id);
  const folder = join(parquetRoot, dirName);
  const only = (await hasLayout(folder, by)) ? changed.partitions : undefined;
  const result = await writeCollectionsParquetTexts(itemsIn(changed.itemsFile, by, only), {
    root: parquetRoot,
    collections: changed.collection ? [changed.collection] : [],
    uncollected: UNCOLLECTED_PARQUET,
    partitionBy: by,
    ...(only ? { onlyPartitions: only } : {}),
  });
  await removeEmptied(folder, dirName, only, result.files);
  return result;
}

/**
 * Removes the files of rewritten partitions that got no rows. The writer does so in the folders it
 * writes; a collection the run did not write (no items left, not in the run's collections) is not one.
 */
async function removeEmptied(
  folder: string,
  dirName: string,
  only: ReadonlySet<string> | undefined,
  written: string[],
): Promise<void> {
  const kept = new Set(
    written.filter((f) => f.startsWith(`${dirName}/`)).map((f) => f.slice(dirName.length + 1)),
  );
  await removeStaleParts(folder, kept, only);
}

/**
 * The partitions of each collection an incremental run has to rewrite. They are saved in the state folder
 * before the first NDJSON file is replaced and dropped once the Parquet is rewritten: the lines that tell
 * where a moved or deleted item was are gone after the merge, so a run killed in between leaves its
 * partitions for the next run to rewrite.
 */
export class PartitionsToRewrite {
  readonly byCollection = new Map<string, Set<string>>();

  constructor(
    private readonly file: string,
    readonly by: ParquetPartition,
  ) {}

  add(collection: string, partition: string): void {
    const set = this.byCollection.get(collection) ?? new Set<string>();
    set.add(partition);
    this.byCollection.set(collection, set);
  }

  /** Adds the partition of one of the collection's NDJSON lines. */
  addLine(collection: string, line: string): void {
    this.add(collection, partitionOfLine(line, this.by));
  }

  /** Adds what a killed run left (nothing when it finished). */
  async addLeftover(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    for (const [collection, partitions] of JSON.parse(text) as [string, string[]][])
      for (const partition of partitions) this.add(collection, partition);
  }

  async save(): Promise<void> {
    const entries = [...this.byCollection].map(([collection, set]) => [collection, [...set]]);
    await writeTextAtomic(this.file, JSON.stringify(entries), false, true);
  }

  /** Forgets the partitions (they are rewritten), here and on disk. */
  async clear(): Promise<void> {
    this.byCollection.clear();
    await rm(this.file, { force: true });
  }
}
