import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowConfig } from '@scm/config';
import {
  type Failure,
  isFailure,
  type Logger,
  type StacCatalog,
  type StacCollection,
  type StacItem,
} from '@scm/core';
import { createJsonTreeWriter, createNdjsonWriter, readNdjsonDir } from '@scm/output-json';
import { type ItemWithText, writeCollectionsParquetTexts } from '@scm/output-parquet';

/** Folder, beside the collections' folders, of the stac-geoparquet of items without a collection. */
export const UNCOLLECTED_PARQUET = 'items';

/** The outputs of one run, written together. */
export interface RunSinks {
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
 * Parquet is written last, from the run's NDJSON: a stac-geoparquet file
 * carries its collection in its metadata and derives its schema from the
 * collection's `item_assets`, and collections are only final once every item
 * has been seen. When NDJSON was not asked for, it goes to a hidden folder
 * that is removed afterwards.
 */
export async function openSinks(
  root: string,
  config: Pick<WorkflowConfig, 'output'>,
  options: { dryRun: boolean; logger: Logger },
): Promise<RunSinks> {
  const formats = new Set(config.output.formats);
  if (options.dryRun) {
    return {
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
  const collections: StacCollection[] = [];
  return {
    async writeItem(item, line) {
      if (tree) await tree.writeItem(item);
      if (ndjson) await ndjson.writeItem(item, line);
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
      if (parquet) {
        const result = await writeCollectionsParquetTexts(itemsOf(ndjsonDir), {
          root: join(root, 'parquet'),
          collections,
          uncollected: UNCOLLECTED_PARQUET,
          partitionBy: config.output.parquet_partition ?? 'none',
        });
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

/** The run's items read back from its NDJSON, each with its line: the Parquet writer spills that line as it is. */
async function* itemsOf(dir: string): AsyncGenerator<ItemWithText> {
  for await (const entry of readNdjsonDir(dir)) {
    if (!isFailure(entry) && entry.kind === 'item') yield { item: entry.value, text: entry.text };
  }
}
