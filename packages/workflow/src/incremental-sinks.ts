import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import type { Failure, StacCollection, StacItem } from '@scm/core';
import { topLevelString } from '@scm/core/stac-item';
import {
  COLLECTIONS_NDJSON,
  createJsonTreeWriter,
  createNdjsonWriter,
  ITEMS_NDJSON,
  safePathSegment,
  writeTextAtomic,
} from '@scm/output-json';
import { partitionOfItem } from '@scm/output-parquet';
import {
  type ChangedParquetCollection,
  PartitionsToRewrite,
  rewriteCollectionParquet,
} from './incremental-parquet.js';
import { mergeItemsFile } from './ndjson-merge.js';
import { extentItem, STATE_DIR, type StateRecord } from './rebuild-state.js';
import type { RunSinks } from './sinks.js';

/** The outputs of an incremental run: the sinks of a full run, plus items kept or removed as they are. */
export interface IncrementalSinks extends RunSinks {
  /** An item an earlier run wrote and this run keeps: its files are not touched, its collection still links it. */
  keepItem(record: StateRecord): void;
  /** An item an earlier run wrote that is gone from the source: its files and lines are removed. */
  removeItem(record: StateRecord): Promise<void>;
  /**
   * Merges the items written so far into the catalog's `items.ndjson` files, before the deletes are known:
   * with a STAC API they come from an ids listing that may still be running, and this copy of the largest
   * files runs meanwhile. Items removed after it, and stac-geoparquet, are merged by `finish`. No item may
   * be written after it.
   */
  mergeWritten(): Promise<void>;
}

/** What the NDJSON side of an incremental run gathers: the changed collections and the ids they lose. */
interface NdjsonDelta {
  dir: string;
  removed: Map<string, Set<string>>;
  touched: Set<string>;
}

/** File, in the state folder, of the Parquet partitions still to rewrite (see {@link PartitionsToRewrite}). */
const PARQUET_TO_REWRITE = 'parquet-to-rewrite.json';

/** The NDJSON file of a collection (`''`: items without one), relative to the NDJSON folder. */
function itemsFileOf(collection: string): string {
  return collection === '' ? ITEMS_NDJSON : `${safePathSegment(collection)}/${ITEMS_NDJSON}`;
}

/** The id of an NDJSON line, or undefined for a line that is not a JSON object with one. */
function lineId(line: string): string | undefined {
  return topLevelString(line, 'id');
}

async function readLines(path: string): Promise<Map<string, string>> {
  const lines = new Map<string, string>();
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const id = line === '' ? undefined : lineId(line);
    if (id !== undefined) lines.set(id, line);
  }
  return lines;
}

/**
 * Merges the run's NDJSON (in the state folder) into the catalog's; returns the collections whose file
 * changed. With `rewrite`, the partitions of the lines that changed, came or went are added to it and
 * saved before each file is replaced.
 */
async function mergeNdjson(
  ndjsonDir: string,
  delta: NdjsonDelta,
  rewrite: PartitionsToRewrite | undefined,
): Promise<Set<string>> {
  const changedCollections = new Set([...delta.touched, ...delta.removed.keys()]);
  for (const collection of changedCollections) {
    const file = itemsFileOf(collection);
    const changed = await readLines(join(delta.dir, file));
    for (const line of changed.values()) rewrite?.addLine(collection, line);
    await mergeItemsFile(join(ndjsonDir, file), {
      changed,
      removed: delta.removed.get(collection) ?? new Set(),
      ...(rewrite
        ? {
            onDropped: (line: string) => rewrite.addLine(collection, line),
            beforeReplace: () => rewrite.save(),
          }
        : {}),
    });
  }
  delta.touched.clear();
  delta.removed.clear();
  return changedCollections;
}

/** Copies the run's `collections.ndjson` (in the state folder) over the catalog's when its bytes differ. */
async function copyCollections(ndjsonDir: string, deltaDir: string): Promise<void> {
  const collections = await readFile(join(deltaDir, COLLECTIONS_NDJSON), 'utf8').catch(() => undefined);
  if (collections !== undefined)
    await writeTextAtomic(join(ndjsonDir, COLLECTIONS_NDJSON), collections, false, true);
}

/** Rewrites the listed partitions of each changed collection's stac-geoparquet, then forgets them. */
async function rewriteParquet(
  root: string,
  rewrite: PartitionsToRewrite,
  collections: Map<string, StacCollection>,
): Promise<{ files: string[]; failures: Failure[] }> {
  const files: string[] = [];
  const failures: Failure[] = [];
  for (const [id, partitions] of rewrite.byCollection) {
    const collection: ChangedParquetCollection = {
      id,
      collection: collections.get(id),
      itemsFile: join(root, 'ndjson', itemsFileOf(id)),
      partitions,
    };
    const result = await rewriteCollectionParquet(join(root, 'parquet'), collection, rewrite.by);
    files.push(...result.files.map((f) => `parquet/${f}`));
    failures.push(...result.reported);
  }
  await rewrite.clear();
  return { files, failures };
}

/**
 * Opens the outputs of an incremental run in the output folder itself: the
 * JSON tree is updated in place (files whose bytes do not change are left
 * alone), the changed items go to a scratch NDJSON folder that is merged
 * into each changed collection's `items.ndjson` at the end, and of the
 * changed collections' stac-geoparquet only the files of the partitions
 * (`output.parquet_partition`) whose items changed, came or went are
 * rewritten from those (the writer infers a schema per file, so a file is
 * the unit of rewrite). Needs `ndjson` among the formats when `parquet` is.
 */
export async function openIncrementalSinks(root: string, config: WorkflowConfig): Promise<IncrementalSinks> {
  const formats = new Set(config.output.formats);
  const tree = formats.has('json')
    ? createJsonTreeWriter({
        root,
        catalog: config.output.catalog ?? {},
        organizeBy: config.output.organize_by ?? 'collection',
        keepIdentical: true,
        ...(config.output.base_url ? { baseUrl: config.output.base_url } : {}),
      })
    : undefined;
  const ndjson = formats.has('ndjson') ? await openNdjsonSide(root, config) : undefined;
  const collections = new Map<string, StacCollection>();
  return {
    // The NDJSON side serialises each item again (it takes no line).
    wholeItems: true,
    async writeItem(item) {
      if (tree) await tree.writeItem(item);
      await ndjson?.writeItem(item);
    },
    keepItem(record) {
      tree?.keepItem(record);
    },
    async removeItem(record) {
      await tree?.removeItem(record);
      ndjson?.removeItem(record);
    },
    async writeCollection(collection) {
      collections.set(collection.id, collection);
      if (tree) await tree.writeCollection(collection);
      if (ndjson) await ndjson.collectionsWriter.writeCollection(collection);
    },
    async mergeWritten() {
      await ndjson?.merge();
    },
    async finish() {
      const files: string[] = [];
      const failures: Failure[] = [];
      if (tree) {
        const result = await tree.finish();
        files.push(...result.files.filter((f) => f === 'catalog.json' || f.endsWith('/collection.json')));
      }
      if (ndjson) {
        const merged = await ndjson.finish(collections);
        files.push(...merged.files);
        failures.push(...merged.failures);
      }
      return { files, failures };
    },
  };
}

/**
 * The NDJSON and stac-geoparquet side of an incremental run: changed items go to a scratch NDJSON folder
 * in the state folder, collections to another, and each merge folds what came since the last one into the
 * catalog's files.
 */
async function openNdjsonSide(root: string, config: WorkflowConfig) {
  const ndjsonDir = join(root, 'ndjson');
  const delta: NdjsonDelta = {
    dir: join(root, STATE_DIR, 'ndjson-delta'),
    removed: new Map(),
    touched: new Set(),
  };
  const collectionsDir = join(root, STATE_DIR, 'ndjson-delta-collections');
  for (const dir of [delta.dir, collectionsDir]) await rm(dir, { recursive: true, force: true });
  const itemsWriter = createNdjsonWriter({ root: delta.dir });
  const collectionsWriter = createNdjsonWriter({ root: collectionsDir });
  const rewrite = config.output.formats.includes('parquet')
    ? new PartitionsToRewrite(
        join(root, STATE_DIR, PARQUET_TO_REWRITE),
        config.output.parquet_partition ?? 'none',
      )
    : undefined;
  await rewrite?.addLeftover();
  // The collections whose items.ndjson a merge replaced, for the summary's files.
  const merged = new Set<string>();
  let itemsClosed = false;
  const merge = async () => {
    if (!itemsClosed) await itemsWriter.finish();
    itemsClosed = true;
    for (const id of await mergeNdjson(ndjsonDir, delta, rewrite)) merged.add(id);
    await rm(delta.dir, { recursive: true, force: true });
  };
  return {
    collectionsWriter,
    merge,
    async writeItem(item: StacItem) {
      await itemsWriter.writeItem(item);
      delta.touched.add(typeof item.collection === 'string' ? item.collection : '');
    },
    removeItem(record: StateRecord) {
      // Where the item was, should its line be gone already (a killed run merged it).
      rewrite?.add(record.collection, partitionOfItem(extentItem(record), rewrite.by));
      const ids = delta.removed.get(record.collection) ?? new Set<string>();
      ids.add(record.id);
      delta.removed.set(record.collection, ids);
    },
    /** The last merge, then stac-geoparquet: its files carry their collection, final only now. */
    async finish(
      collections: Map<string, StacCollection>,
    ): Promise<{ files: string[]; failures: Failure[] }> {
      await merge();
      const parquet = rewrite
        ? await rewriteParquet(root, rewrite, collections)
        : { files: [], failures: [] };
      await collectionsWriter.finish();
      await copyCollections(ndjsonDir, collectionsDir);
      await rm(collectionsDir, { recursive: true, force: true });
      const ndjsonFiles = [COLLECTIONS_NDJSON, ...[...merged].map(itemsFileOf)].map((f) => `ndjson/${f}`);
      return { files: [...ndjsonFiles, ...parquet.files], failures: parquet.failures };
    },
  };
}
