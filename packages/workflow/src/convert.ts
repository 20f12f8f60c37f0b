import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  createChannel,
  createFailure,
  type Failure,
  isFailure,
  type JsonObject,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  ScmError,
  type SourceRecord,
  type StacCollection,
  type StacItem,
  stacTypeOf,
} from '@scm/core';
import { type OpenSourceOptions, openSource } from '@scm/input';
import { createJsonTreeWriter, createNdjsonWriter, readJsonTree, readNdjsonDir } from '@scm/output-json';
import { readGeoParquet, readGeoParquetMetadata, writeCollectionsParquet } from '@scm/output-parquet';
import { createCollectionExtents, scaffoldedCollectionNote } from './collection-extents.js';
import { FAILURES_FILE, type FailuresFile, openFailuresFile } from './failures-file.js';
import { type BytesReport, geoParquetItemsCounted, InputBytes } from './input-bytes.js';
import { assertReplaceable, createStagingDir, promoteStagingDir, writeMarker } from './output-dir.js';
import { UNCOLLECTED_PARQUET } from './sinks.js';
import { sourceWarnings } from './source-warnings.js';
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
  /** Replace a non-empty output folder this tool did not write (default false: `SCM_OUTPUT_EXISTS`). */
  overwrite?: boolean | undefined;
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
  /** Objects that could not be read or converted; each is a line of `failed_items.ndjson` in the output folder. */
  failed: number;
  /** Where those failures are (written only when there are some, and not in a dry run). */
  failuresPath: string;
  /** Ids of the collections the input lacked, scaffolded from their items' extents. */
  scaffoldedCollections: string[];
  /** Lines for people. */
  text: string;
}

/** What kind of catalog input a path holds. */
export type InputKind = 'json-tree' | 'ndjson-dir' | 'parquet' | 'records';

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

/** The kind of catalog at `input`; `SCM_INPUT_NOT_FOUND` when nothing is there. */
export async function detect(input: string): Promise<InputKind> {
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
export async function collectionsOf(
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

/**
 * Every Item of the input, with Collections interleaved where the input has them, and what could not be
 * read. `onBytesRead` is told the bytes read so far of the input's files (NDJSON folders, Parquet files
 * by rows, record files), for progress; a JSON tree, whose size is its links', tells it nothing.
 */
export async function* objectsOf(
  kind: InputKind,
  input: string,
  signal: AbortSignal | undefined,
  onWarning: OpenSourceOptions['onWarning'],
  onBytesRead?: BytesReport,
): AsyncGenerator<StacItem | StacCollection | Failure> {
  const counted = onBytesRead ? { onBytesRead } : {};
  if (kind === 'json-tree') {
    for await (const entry of readJsonTree(input, { signal })) {
      if (isFailure(entry)) yield entry;
      else if (entry.kind !== 'catalog') yield entry.value;
    }
  } else if (kind === 'ndjson-dir') {
    for await (const entry of readNdjsonDir(input, { signal, ...counted }))
      yield isFailure(entry) ? entry : entry.value;
  } else if (kind === 'parquet') {
    yield* parquetItems(await parquetFiles(input), signal, onBytesRead);
  } else {
    const source = openSource({
      path: input,
      format: 'auto',
      onWarning,
      ...counted,
    });
    for await (const entry of source.records({ signal })) {
      // A catalog is the tree's structure, which the target format rebuilds; it is not a lost record.
      if (!isFailure(entry) && stacTypeOf(entry.value) === 'Catalog') continue;
      yield isFailure(entry) ? entry : stacObjectOf(entry);
    }
  }
}

/** The Items of Parquet files in turn, each row counted as its share of its file when `onBytesRead` is set. */
async function* parquetItems(
  files: readonly string[],
  signal: AbortSignal | undefined,
  onBytesRead: BytesReport | undefined,
): AsyncGenerator<StacItem> {
  const bytes = await InputBytes.of(files, onBytesRead);
  for (const file of files) {
    if (!bytes) {
      yield* readGeoParquet(file, { signal });
      continue;
    }
    const { rows } = await readGeoParquetMetadata(file);
    yield* geoParquetItemsCounted(file, rows, signal, bytes.file());
    await bytes.passed(file);
  }
}

/** A record that is an Item or a Collection, or the Failure that says it is neither. */
function stacObjectOf(entry: SourceRecord<JsonObject>): StacItem | StacCollection | Failure {
  const type = stacTypeOf(entry.value);
  if (type === 'Item' || type === 'Collection') return entry.value as StacItem | StacCollection;
  const { file, line } = entry.origin;
  return createFailure({
    itemId: typeof entry.value.id === 'string' ? entry.value.id : `${file}:${line ?? entry.origin.index}`,
    errorType: 'other',
    step: 'read',
    message: `${file}${line !== undefined ? `:${line}` : ''}: not a STAC Item or Collection (${
      type ?? 'no STAC type'
    }); it was not converted`,
    sourceData: entry.value,
    ...(file !== undefined ? { file } : {}),
    ...(line !== undefined ? { line } : {}),
  });
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
  const input = isAbsolute(options.input) ? options.input : resolve(cwd, options.input);
  const finalDir = isAbsolute(options.outputPath) ? options.outputPath : resolve(cwd, options.outputPath);
  const kind = await detect(input);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) await assertReplaceable(finalDir, { overwrite: options.overwrite });
  const collections = await collectionsOf(kind, input, options.signal);
  const work = dryRun ? finalDir : await createStagingDir(finalDir);
  const notes = { notes: [] as string[] };
  const run: ConvertRun = {
    kind,
    input,
    work,
    dryRun,
    collections,
    seen: new Set(collections.map((c) => c.id)),
    failures: await openFailuresFile(join(work, FAILURES_FILE), { dryRun }),
    progress: options.progress ?? noopProgress,
    signal: options.signal,
    onWarning: sourceWarnings(logger, notes),
    files: [],
    items: 0,
    scaffolded: [],
  };
  try {
    run.progress.start('items');
    if (options.outputFormat === 'parquet') await convertToParquet(run);
    else await convertToTree(run, options.outputFormat);
    run.progress.done();
    await run.failures.close();
    if (run.failures.count === 0 && !dryRun) await rm(join(work, FAILURES_FILE), { force: true });
    if (!dryRun) {
      await writeMarker(work, WORKFLOW_VERSION, `output:${options.outputFormat}`);
      await promoteStagingDir(work, finalDir);
    }
  } catch (error) {
    await run.failures.close().catch(() => undefined);
    if (!dryRun) await rm(work, { recursive: true, force: true });
    throw error;
  }
  const failed = run.failures.count;
  for (const id of run.scaffolded) logger.info(scaffoldedCollectionNote(id, 'the input'), { collection: id });
  logger.info('conversion finished', {
    input: kind,
    output: options.outputFormat,
    items: run.items,
    failed,
  });
  const failuresPath = join(finalDir, FAILURES_FILE);
  const lines = [
    `output: ${kind} -> ${options.outputFormat}: ${
      run.seen.size
    } collection(s), ${run.items} item(s), ${failed} failed${
      dryRun ? ' (dry run)' : `\nwritten to ${finalDir}`
    }`,
    ...run.scaffolded.map((id) => scaffoldedCollectionNote(id, 'the input')),
    ...notes.notes.map((note) => `  note: ${note}`),
  ];
  if (failed > 0) lines.push(`failures: ${dryRun ? '(dry run, not written)' : failuresPath}`);
  return {
    inputFormat: kind,
    collections: run.seen.size,
    items: run.items,
    files: run.files,
    failed,
    failuresPath,
    scaffoldedCollections: run.scaffolded,
    text: lines.join('\n'),
  };
}

/** One conversion in progress: where it reads and writes, and what it has counted. */
interface ConvertRun {
  kind: InputKind;
  input: string;
  work: string;
  dryRun: boolean;
  collections: StacCollection[];
  /** Ids of the collections written so far. */
  seen: Set<string>;
  failures: FailuresFile;
  progress: Progress;
  signal: AbortSignal | undefined;
  onWarning: OpenSourceOptions['onWarning'];
  files: string[];
  items: number;
  /** Ids of the collections scaffolded from their items' extents. */
  scaffolded: string[];
}

/**
 * A first pass over the input for Parquet output, which needs every
 * collection before the first row (a stac-geoparquet file carries its
 * collection in its metadata): the collections found among the records, and
 * one scaffolded from its items' extent for each id the input lacks. What
 * cannot be read is reported by the second pass, once.
 */
async function collectionsUpFront(run: ConvertRun): Promise<StacCollection[]> {
  const found = new Map(run.collections.map((c) => [c.id, c]));
  const extents = createCollectionExtents();
  for await (const object of objectsOf(run.kind, run.input, run.signal, undefined)) {
    if (isFailure(object)) continue;
    if (object.type === 'Feature') extents.add(object);
    else if (!found.has(object.id)) found.set(object.id, object);
  }
  const missing = extents.ids().filter((id) => !found.has(id));
  run.scaffolded.push(...missing);
  return [...found.values(), ...missing.map((id) => extents.scaffold(id)!)];
}

/** stac-geoparquet needs every collection up front; items stream through a bounded channel. */
async function convertToParquet(run: ConvertRun): Promise<void> {
  const collections = await collectionsUpFront(run);
  for (const collection of collections) run.seen.add(collection.id);
  const channel = createChannel<StacItem>(256);
  const writing = run.dryRun
    ? (async () => {
        for await (const _ of channel) {
          // drain
        }
        return undefined;
      })()
    : writeCollectionsParquet(channel, {
        root: run.work,
        collections,
        uncollected: UNCOLLECTED_PARQUET,
      });
  for await (const object of objectsOf(run.kind, run.input, run.signal, run.onWarning, (read, total) =>
    run.progress.position?.(read, total, 'bytes'),
  )) {
    if (isFailure(object)) {
      await run.failures.write(object);
      continue;
    }
    if (object.type !== 'Feature') continue;
    await channel.push(object);
    run.items += 1;
    run.progress.tick();
  }
  channel.close();
  const result = await writing;
  if (result) run.files.push(...result.files);
  for (const refused of result?.reported ?? []) {
    run.items -= 1;
    await run.failures.write(refused);
  }
}

/** A JSON tree or an NDJSON folder: collections and items are written as they come. */
async function convertToTree(run: ConvertRun, format: 'json' | 'ndjson'): Promise<void> {
  const writer = run.dryRun
    ? undefined
    : format === 'json'
      ? createJsonTreeWriter({ root: run.work })
      : createNdjsonWriter({ root: run.work });
  for (const collection of run.collections) await writer?.writeCollection(collection);
  const extents = createCollectionExtents();
  for await (const object of objectsOf(run.kind, run.input, run.signal, run.onWarning, (read, total) =>
    run.progress.position?.(read, total, 'bytes'),
  )) {
    if (isFailure(object)) {
      await run.failures.write(object);
      continue;
    }
    if (object.type === 'Collection') {
      if (!run.seen.has(object.id)) {
        run.seen.add(object.id);
        await writer?.writeCollection(object);
      }
      continue;
    }
    await writer?.writeItem(object);
    extents.add(object);
    run.items += 1;
    run.progress.tick();
  }
  const missing = extents.ids().filter((id) => !run.seen.has(id));
  for (const id of missing) {
    run.seen.add(id);
    await writer?.writeCollection(extents.scaffold(id)!);
  }
  run.scaffolded.push(...missing);
  if (writer) {
    const result = await writer.finish();
    run.files.push(
      ...result.files.filter(
        (f) => format !== 'json' || f === 'catalog.json' || f.endsWith('/collection.json'),
      ),
    );
  }
}
