import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import type { Failure, Logger, StacCatalog, StacCollection, StacItem } from '@scm/core';
import { createJsonTreeWriter, createNdjsonWriter, type NdjsonWriter } from '@scm/output-json';
import { type CollectionsParquetStream, openCollectionsParquet } from '@scm/output-parquet';

/** Folder, beside the collections' folders, of the stac-geoparquet of items without a collection. */
export const UNCOLLECTED_PARQUET = 'items';

/** The outputs of one run, written together. */
export interface RunSinks {
  /**
   * Whether {@link writeItem} needs the whole item. When false (NDJSON alone, or with stac-geoparquet that
   * observes items from their lines), an item that comes with its line may be only its outline (`type`,
   * `id`, `collection`, `geometry`, `bbox` and its datetimes), which is all the NDJSON writer, the run's
   * extents, its state and its report read.
   */
  readonly wholeItems: boolean;
  /** `line`: the item's NDJSON line when the caller already made it (see `ndjsonLine`). */
  writeItem(item: StacItem, line?: string): Promise<void>;
  writeCollection(collection: StacCollection): Promise<void>;
  /**
   * Finishes every output; returns the files worth listing in the summary
   * (item files are not listed one by one) and the items the Parquet writer
   * could not take.
   */
  finish(sourceCatalog?: StacCatalog): Promise<{ files: string[]; failures: Failure[] }>;
}

/**
 * Opens the configured outputs under `root`: the JSON tree at the root, NDJSON
 * under `ndjson/` (pgstac-ready: `collections.ndjson` and one `items.ndjson`
 * per collection), stac-geoparquet under `parquet/<collection>/` (one file, or
 * one per year or month with `output.parquet_partition`).
 *
 * Parquet is written last: a stac-geoparquet file carries its collection in
 * its metadata and derives its schema from the collection's `item_assets`,
 * and collections are only final once every item has been seen. Its schema
 * is inferred from each item as the NDJSON writer takes it, and the rows are
 * read back from the run's NDJSON (spilled by partition with
 * `parquet_partition`). When NDJSON was not asked for, it goes to a hidden
 * folder that is removed afterwards.
 */
export async function openSinks(
  root: string,
  config: Pick<WorkflowConfig, 'output'>,
  options: { dryRun: boolean; logger: Logger },
): Promise<RunSinks> {
  const formats = new Set(config.output.formats);
  if (options.dryRun) {
    return {
      wholeItems: false,
      async writeItem() {},
      async writeCollection() {},
      async finish() {
        return { files: [], failures: [] };
      },
    };
  }
  const catalogMeta = config.output.catalog ?? {};
  const tree = formats.has('json')
    ? createJsonTreeWriter({
        root,
        catalog: catalogMeta,
        organizeBy: config.output.organize_by ?? 'collection',
        ...(config.output.base_url ? { baseUrl: config.output.base_url } : {}),
      })
    : undefined;
  const parquet = formats.has('parquet');
  const ndjsonDir = join(root, formats.has('ndjson') ? 'ndjson' : '.ndjson-for-parquet');
  const ndjson = formats.has('ndjson') || parquet ? createNdjsonWriter({ root: ndjsonDir }) : undefined;
  const rows = ndjson && parquet ? await openParquet(root, config) : undefined;
  const collections: StacCollection[] = [];
  return {
    // The Parquet rows take an outline with its line when they observe items from their texts.
    wholeItems: tree !== undefined || (rows !== undefined && !rows.observesText),
    async writeItem(item, line) {
      if (tree) await tree.writeItem(item);
      if (ndjson) await writeNdjsonAndRow(ndjson, rows, item, line);
    },
    async writeCollection(collection) {
      collections.push(collection);
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
        const result = await ndjson.finish();
        if (formats.has('ndjson')) files.push(...result.files.map((f) => `ndjson/${f}`));
        if (result.duplicates && result.duplicates.length > 0) {
          options.logger.warn('duplicate item ids dropped', { count: result.duplicates.length });
        }
      }
      if (rows) {
        const result = await rows.finish(collections);
        files.push(...result.files.map((f) => `parquet/${f}`));
        failures.push(...result.reported);
        for (const widened of result.widened)
          options.logger.info('parquet column widened', { column: widened });
        if (!formats.has('ndjson')) await rm(ndjsonDir, { recursive: true, force: true });
      }
      return { files, failures };
    },
  };
}

/** The stac-geoparquet output of a run: pass two reads each collection's rows from its NDJSON file. */
function openParquet(
  root: string,
  config: Pick<WorkflowConfig, 'output'>,
): Promise<CollectionsParquetStream> {
  return openCollectionsParquet({
    root: join(root, 'parquet'),
    uncollected: UNCOLLECTED_PARQUET,
    partitionBy: config.output.parquet_partition ?? 'none',
    replay: true,
  });
}

/** One item to NDJSON and, when the NDJSON writer took it (not a duplicate id), to the Parquet rows. */
async function writeNdjsonAndRow(
  ndjson: NdjsonWriter,
  rows: CollectionsParquetStream | undefined,
  item: StacItem,
  line: string | undefined,
): Promise<void> {
  const collection = typeof item.collection === 'string' ? item.collection : undefined;
  const before = ndjson.itemsFile(collection)?.items ?? 0;
  await ndjson.writeItem(item, line);
  const after = ndjson.itemsFile(collection);
  if (rows && after && after.items > before)
    await rows.add(item, line, { file: after.path, line: after.items });
}
