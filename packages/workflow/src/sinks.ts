import { join } from 'node:path';
import type { Logger, StacCatalog, StacCollection, StacItem } from '@scm/core';
import type { WorkflowConfig } from '@scm/config';
import { createJsonTreeWriter, createNdjsonWriter } from '@scm/output-json';

/** The outputs of one run, written together. */
export interface RunSinks {
  writeItem(item: StacItem): Promise<void>;
  writeCollection(collection: StacCollection): Promise<void>;
  /** Finishes every output; returns the files worth listing in the summary (item files are not listed one by one). */
  finish(sourceCatalog?: StacCatalog): Promise<string[]>;
}

/** Output formats this version can write. */
export const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(['json', 'ndjson']);

/**
 * Opens the configured outputs under `root`: the JSON tree at the root, NDJSON
 * under `ndjson/` (pgstac-ready: `collections.ndjson` and one `items.ndjson`
 * per collection).
 */
export async function openSinks(
  root: string,
  config: WorkflowConfig,
  options: { dryRun: boolean; logger: Logger },
): Promise<RunSinks> {
  const formats = new Set(config.output.formats);
  if (options.dryRun) {
    return {
      async writeItem() {},
      async writeCollection() {},
      async finish() {
        return [];
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
  const ndjson = formats.has('ndjson') ? createNdjsonWriter({ root: join(root, 'ndjson') }) : undefined;
  return {
    async writeItem(item) {
      if (tree) await tree.writeItem(item);
      if (ndjson) await ndjson.writeItem(item);
    },
    async writeCollection(collection) {
      if (tree) await tree.writeCollection(collection);
      if (ndjson) await ndjson.writeCollection(collection);
    },
    async finish() {
      const files: string[] = [];
      if (tree) {
        const result = await tree.finish();
        files.push(...result.files.filter((f) => f === 'catalog.json' || f.endsWith('/collection.json')));
      }
      if (ndjson) {
        const result = await ndjson.finish();
        files.push(...result.files.map((f) => `ndjson/${f}`));
        if (result.duplicates && result.duplicates.length > 0) {
          options.logger.warn('duplicate item ids dropped from NDJSON', { count: result.duplicates.length });
        }
      }
      return files;
    },
  };
}
