import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import type { Failure, Logger, StacCollection } from '@scm/core';
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
  const collections = await readFile(join(delta.dir, COLLECTIONS_NDJSON), 'utf8').catch(() => undefined);
  if (collections !== undefined)
    await writeTextAtomic(join(ndjsonDir, COLLECTIONS_NDJSON), collections, false, true);
  return changedCollections;
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
export async function openIncrementalSinks(
  root: string,
  config: WorkflowConfig,
  options: { logger: Logger },
): Promise<IncrementalSinks> {
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
  const ndjsonDir = join(root, 'ndjson');
  const delta: NdjsonDelta = {
    dir: join(root, STATE_DIR, 'ndjson-delta'),
    removed: new Map(),
    touched: new Set(),
  };
  await rm(delta.dir, { recursive: true, force: true });
  const ndjson = formats.has('ndjson') ? createNdjsonWriter({ root: delta.dir }) : undefined;
  const rewrite = formats.has('parquet')
    ? new PartitionsToRewrite(
        join(root, STATE_DIR, PARQUET_TO_REWRITE),
        config.output.parquet_partition ?? 'none',
      )
    : undefined;
  await rewrite?.addLeftover();
  const collections = new Map<string, StacCollection>();
  return {
    async writeItem(item) {
      if (tree) await tree.writeItem(item);
      if (ndjson) await ndjson.writeItem(item);
      delta.touched.add(typeof item.collection === 'string' ? item.collection : '');
    },
    keepItem(record) {
      tree?.keepItem(record);
    },
    async removeItem(record) {
      await tree?.removeItem(record);
      // Where the item was, should its line be gone already (a killed run merged it).
      rewrite?.add(record.collection, partitionOfItem(extentItem(record), rewrite.by));
      const ids = delta.removed.get(record.collection) ?? new Set<string>();
      ids.add(record.id);
      delta.removed.set(record.collection, ids);
    },
    async writeCollection(collection) {
      collections.set(collection.id, collection);
      if (tree) await tree.writeCollection(collection);
      if (ndjson) await ndjson.writeCollection(collection);
    },
    async finish() {
      const files: string[] = [];
      const failures: Failure[] = [];
      if (tree) {
        const result = await tree.finish();
        files.push(...result.files.filter((f) => f === 'catalog.json' || f.endsWith('/collection.json')));
      }
      if (ndjson) {
        await ndjson.finish();
        const changed = await mergeNdjson(ndjsonDir, delta, rewrite);
        files.push(`ndjson/${COLLECTIONS_NDJSON}`, ...[...changed].map((c) => `ndjson/${itemsFileOf(c)}`));
        if (rewrite) {
          const parquet = await rewriteParquet(root, rewrite, collections);
          files.push(...parquet.files);
          failures.push(...parquet.failures);
        }
      }
      await rm(delta.dir, { recursive: true, force: true });
      return { files, failures };
    },
  };
}
