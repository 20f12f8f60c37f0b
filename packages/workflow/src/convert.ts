import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  createChannel,
  isFailure,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  ScmError,
  type StacCollection,
  type StacItem,
  stacTypeOf,
} from '@scm/core';
import { openSource } from '@scm/input';
import { createJsonTreeWriter, createNdjsonWriter, readJsonTree, readNdjsonDir } from '@scm/output-json';
import { readGeoParquet, readGeoParquetMetadata, writeCollectionsParquet } from '@scm/output-parquet';
import { createCollectionExtents, scaffoldedCollectionNote } from './collection-extents.js';
import { assertReplaceable, createStagingDir, promoteStagingDir, writeMarker } from './output-dir.js';
import { WORKFLOW_VERSION } from './version.js';

/** Formats `output` converts between. */
export type CatalogFormat = 'json' | 'ndjson' | 'parquet';

/** Options of {@link convertCatalog}. */
export interface ConvertCatalogOptions {
  /** A JSON tree (folder with catalog.json), an NDJSON folder (collections.ndjson), Parquet files or folders, or JSON/NDJSON item files. */
  input: string;
  /** Target format. */
  outputFormat: CatalogFormat;
  /** Output folder; replaced in one swap (it must be empty, new, or written by this tool). */
  outputPath: string;
  /** Base of relative paths (default process.cwd()). */
  cwd?: string;
  /** Write nothing (default false). */
  dryRun?: boolean;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal | undefined;
}

/** What {@link convertCatalog} did. */
export interface ConvertCatalogResult {
  inputFormat: string;
  collections: number;
  items: number;
  files: string[];
  /** Ids of the collections the input lacked, scaffolded from their items' extents. */
  scaffoldedCollections: string[];
  /** Lines for people. */
  text: string;
}

type InputKind = 'json-tree' | 'ndjson-dir' | 'parquet' | 'records';

async function parquetFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await parquetFiles(child)));
    else if (entry.name.endsWith('.parquet')) out.push(child);
  }
  return out;
}

async function detect(input: string): Promise<InputKind> {
  if (!existsSync(input)) throw new ScmError('SCM_INPUT_NOT_FOUND', `${input} does not exist`);
  const info = await stat(input);
  if (info.isDirectory()) {
    if (existsSync(join(input, 'catalog.json'))) return 'json-tree';
    if (existsSync(join(input, 'collections.ndjson'))) return 'ndjson-dir';
    if ((await parquetFiles(input)).length > 0) return 'parquet';
    return 'records';
  }
  return input.endsWith('.parquet') ? 'parquet' : 'records';
}

/** Collections of the input, read before any item (Parquet output needs them up front). */
async function collectionsOf(
  kind: InputKind,
  input: string,
  signal?: AbortSignal,
): Promise<StacCollection[]> {
  const found = new Map<string, StacCollection>();
  if (kind === 'ndjson-dir') {
    for await (const entry of readNdjsonDir(input, { signal })) {
      if (!isFailure(entry) && entry.kind === 'collection') found.set(entry.value.id, entry.value);
    }
  } else if (kind === 'json-tree') {
    for await (const entry of readJsonTree(input, { signal })) {
      if (!isFailure(entry) && entry.kind === 'collection') found.set(entry.value.id, entry.value);
    }
  } else if (kind === 'parquet') {
    for (const file of await parquetFiles(input)) {
      const meta = await readGeoParquetMetadata(file);
      for (const [id, collection] of Object.entries(meta.collections)) found.set(id, collection);
    }
  }
  return [...found.values()];
}

/** Every Item of the input, with Collections interleaved where the input has them. */
async function* objectsOf(
  kind: InputKind,
  input: string,
  signal?: AbortSignal,
): AsyncGenerator<StacItem | StacCollection> {
  if (kind === 'json-tree') {
    for await (const entry of readJsonTree(input, { signal })) {
      if (!isFailure(entry) && entry.kind !== 'catalog') yield entry.value;
    }
  } else if (kind === 'ndjson-dir') {
    for await (const entry of readNdjsonDir(input, { signal })) if (!isFailure(entry)) yield entry.value;
  } else if (kind === 'parquet') {
    for (const file of await parquetFiles(input)) yield* readGeoParquet(file, { signal });
  } else {
    for await (const entry of openSource({ path: input, format: 'auto' }).records({ signal })) {
      if (isFailure(entry)) continue;
      const type = stacTypeOf(entry.value);
      if (type === 'Item' || type === 'Collection') yield entry.value as StacItem | StacCollection;
    }
  }
}

/** What the conversion steps report. */
interface Written {
  items: number;
  /** Collections written, scaffolded ones included. */
  collections: number;
  files: string[];
  /** Ids of the collections scaffolded from their items' extents. */
  scaffolded: string[];
}

interface ConvertStep {
  kind: InputKind;
  input: string;
  work: string;
  dryRun: boolean;
  collections: StacCollection[];
  progress: Progress;
  signal?: AbortSignal | undefined;
}

/**
 * A first pass over the input for Parquet output, which needs every
 * collection before the first row (a stac-geoparquet file carries its
 * collection in its metadata): the collections found among the records, and
 * one scaffolded from its items' extent for each id the input lacks.
 */
async function collectionsUpFront(
  step: ConvertStep,
): Promise<{ found: StacCollection[]; scaffolded: StacCollection[] }> {
  const found = new Map(step.collections.map((c) => [c.id, c]));
  const extents = createCollectionExtents();
  for await (const object of objectsOf(step.kind, step.input, step.signal)) {
    if (object.type === 'Feature') extents.add(object);
    else if (!found.has(object.id)) found.set(object.id, object);
  }
  const scaffolded = extents.ids().filter((id) => !found.has(id));
  return {
    found: [...found.values()].slice(step.collections.length),
    scaffolded: scaffolded.map((id) => extents.scaffold(id)!),
  };
}

async function toParquet(step: ConvertStep): Promise<Written> {
  const { found, scaffolded } = await collectionsUpFront(step);
  const collections = [...step.collections, ...found, ...scaffolded];
  const channel = createChannel<StacItem>(256);
  const writing = step.dryRun
    ? (async () => {
        for await (const _ of channel) {
          // drain
        }
        return undefined;
      })()
    : writeCollectionsParquet(channel, { root: step.work, collections, uncollected: 'items' });
  let items = 0;
  for await (const object of objectsOf(step.kind, step.input, step.signal)) {
    if (object.type !== 'Feature') continue;
    await channel.push(object);
    items += 1;
    step.progress.tick();
  }
  channel.close();
  const result = await writing;
  return {
    items,
    collections: collections.length,
    files: result?.files ?? [],
    scaffolded: scaffolded.map((c) => c.id),
  };
}

async function toTree(step: ConvertStep, format: 'json' | 'ndjson'): Promise<Written> {
  const writer = step.dryRun
    ? undefined
    : format === 'json'
      ? createJsonTreeWriter({ root: step.work })
      : createNdjsonWriter({ root: step.work });
  const seen = new Set(step.collections.map((c) => c.id));
  const extents = createCollectionExtents();
  for (const collection of step.collections) await writer?.writeCollection(collection);
  let items = 0;
  for await (const object of objectsOf(step.kind, step.input, step.signal)) {
    if (object.type === 'Collection') {
      if (!seen.has(object.id)) await writer?.writeCollection(object);
      seen.add(object.id);
      continue;
    }
    await writer?.writeItem(object);
    extents.add(object);
    items += 1;
    step.progress.tick();
  }
  const scaffolded = extents.ids().filter((id) => !seen.has(id));
  for (const id of scaffolded) await writer?.writeCollection(extents.scaffold(id)!);
  const result = await writer?.finish();
  const files = (result?.files ?? []).filter(
    (f) => format !== 'json' || f === 'catalog.json' || f.endsWith('/collection.json'),
  );
  return { items, collections: seen.size + scaffolded.length, files, scaffolded };
}

/**
 * `output`: converts a catalog between a JSON tree, pgstac-ready NDJSON and
 * stac-geoparquet, in any direction. Items pass through unchanged (links are
 * rewritten only by the JSON tree, which owns its link structure). A
 * collection that items name but the input lacks is scaffolded from their
 * extent, as `rebuild-catalog` does, and the result says which.
 */
export async function convertCatalog(options: ConvertCatalogOptions): Promise<ConvertCatalogResult> {
  const cwd = options.cwd ?? process.cwd();
  const logger = (options.logger ?? noopLogger).child('output');
  const progress = options.progress ?? noopProgress;
  const input = isAbsolute(options.input) ? options.input : resolve(cwd, options.input);
  const finalDir = isAbsolute(options.outputPath) ? options.outputPath : resolve(cwd, options.outputPath);
  const kind = await detect(input);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) await assertReplaceable(finalDir);
  const collections = await collectionsOf(kind, input, options.signal);
  const work = dryRun ? finalDir : await createStagingDir(finalDir);
  const step: ConvertStep = { kind, input, work, dryRun, collections, progress, signal: options.signal };
  let written: Written;
  try {
    progress.start('items');
    written =
      options.outputFormat === 'parquet' ? await toParquet(step) : await toTree(step, options.outputFormat);
    progress.done();
    if (!dryRun) {
      await writeMarker(work, WORKFLOW_VERSION, `output:${options.outputFormat}`);
      await promoteStagingDir(work, finalDir);
    }
  } catch (error) {
    if (!dryRun) await import('node:fs/promises').then((fs) => fs.rm(work, { recursive: true, force: true }));
    throw error;
  }
  const { items, collections: total, files, scaffolded } = written;
  for (const id of scaffolded) logger.info(scaffoldedCollectionNote(id, 'the input'), { collection: id });
  logger.info('conversion finished', { input: kind, output: options.outputFormat, items });
  const lines = [
    `output: ${kind} -> ${options.outputFormat}: ${total} collection(s), ${items} item(s)${dryRun ? ' (dry run)' : ''}`,
    ...scaffolded.map((id) => scaffoldedCollectionNote(id, 'the input')),
  ];
  if (!dryRun) lines.push(`written to ${finalDir}`);
  return {
    inputFormat: kind,
    collections: total,
    items,
    files,
    scaffoldedCollections: scaffolded,
    text: lines.join('\n'),
  };
}
