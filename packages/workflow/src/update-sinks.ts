import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createChannel,
  type Failure,
  fileSystemError,
  type StacCatalog,
  type StacCollection,
  type StacItem,
} from '@scm/core';
import { createJsonTreeWriter, createNdjsonWriter } from '@scm/output-json';
import { partitioningOfFiles, writeCollectionsParquet } from '@scm/output-parquet';
import type { InputKind } from './convert.js';
import { UNCOLLECTED_PARQUET } from './sinks.js';
import { type FileOutputFormat, formatFromPath, openFileOutput } from './file-output.js';

/** Where `update-metadata` writes the objects it keeps, in the input's own format. */
export interface UpdateSink {
  write(object: StacItem | StacCollection): Promise<void>;
  /** Finishes the output; returns the objects the writer refused (Parquet). */
  finish(): Promise<Failure[]>;
  /** Drops a partial single-file output. */
  abort(): Promise<void>;
}

/** What opening a sink needs: the input kind, where to write, the collections (Parquet needs them first) and the root catalog (JSON tree). */
export interface UpdateSinkOptions {
  kind: InputKind;
  /** The staging folder (folder kinds) or the output file (records). */
  target: string;
  collections: readonly StacCollection[];
  catalog: StacCatalog | undefined;
  /** The folder read (Parquet: its files' layout, one file or one per year or month, is kept). */
  input: string;
}

/** The file names in the collection folders of a stac-geoparquet folder. */
async function parquetFileNames(root: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) names.push(...(await readdir(join(root, entry.name)).catch(() => [])));
  }
  return names;
}

function treeSink(options: UpdateSinkOptions, format: 'json' | 'ndjson'): UpdateSink {
  const catalog = options.catalog;
  const writer =
    format === 'json'
      ? createJsonTreeWriter({
          root: options.target,
          ...(catalog
            ? {
                catalog: {
                  id: catalog.id,
                  description: catalog.description,
                  ...(catalog.title ? { title: catalog.title } : {}),
                },
              }
            : {}),
        })
      : createNdjsonWriter({ root: options.target });
  return {
    async write(object) {
      if (object.type === 'Collection') await writer.writeCollection(object);
      else await writer.writeItem(object);
    },
    async finish() {
      await writer.finish();
      return [];
    },
    async abort() {},
  };
}

async function parquetSink(options: UpdateSinkOptions): Promise<UpdateSink> {
  const channel = createChannel<StacItem>(256);
  const writing = writeCollectionsParquet(channel, {
    root: options.target,
    collections: [...options.collections],
    uncollected: UNCOLLECTED_PARQUET,
    partitionBy: partitioningOfFiles(await parquetFileNames(options.input)),
  });
  return {
    async write(object) {
      // The collections travel in each file's metadata, given up front.
      if (object.type === 'Feature') await channel.push(object);
    },
    async finish() {
      channel.close();
      return (await writing).reported;
    },
    async abort() {
      channel.close();
      await writing.catch(() => undefined);
    },
  };
}

async function fileSink(options: UpdateSinkOptions): Promise<UpdateSink> {
  const format = formatFromPath(options.target) as FileOutputFormat;
  const output = await openFileOutput(options.target, format, { items: true });
  const refused: Failure[] = [];
  return {
    async write(object) {
      const failure = await output.write(object as unknown as Record<string, unknown>);
      if (failure) refused.push(failure);
    },
    async finish() {
      await output.close();
      return refused;
    },
    abort: () => output.abort(),
  };
}

/** Opens the writer for the input's format: a JSON tree, an NDJSON folder, stac-geoparquet files, or one items file. */
export async function openUpdateSink(options: UpdateSinkOptions): Promise<UpdateSink> {
  if (options.kind === 'json-tree') return treeSink(options, 'json');
  if (options.kind === 'ndjson-dir') return treeSink(options, 'ndjson');
  if (options.kind === 'parquet') return parquetSink(options);
  return fileSink(options);
}

/** Writes a JSON side file (audit, summary). */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`).catch((error: unknown) => {
    throw fileSystemError(error, path, 'write');
  });
}
