import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type Failure,
  type JsonObject,
  ScmError,
  type Source,
  type SourceRecord,
  type StreamOptions,
} from '@scm/core';
import { type CsvOptions, readCsv } from './csv.js';
import {
  type DetectedFormat,
  detectFormat,
  FORMAT_EXTENSIONS,
  formatFromExtension,
  type InputFormat,
} from './detect.js';
import { fileError, statInput, throwIfAborted } from './file-access.js';
import { type JsonOptions, readJson } from './json.js';
import { type NdjsonOptions, readNdjson } from './ndjson.js';
import { type ParquetOptions, readParquet } from './parquet.js';
import { readStaticCatalog, type StaticCatalogOptions } from './static-catalog.js';

/** Options of {@link openSource}. Give `path` or `paths` (or both: `path` is read first). */
export interface OpenSourceOptions {
  /** One file or folder. Default: none. */
  path?: string;
  /** Several files or folders, read in the given order. Default: none. */
  paths?: string[];
  /**
   * How to read each path. `auto` decides per path with {@link detectFormat}
   * (a folder without a catalog is read file by file). An explicit format on a
   * folder reads the folder's files with that format's extensions
   * (`stac` reads the folder's catalog.json / collection.json). Default `'auto'`.
   */
  format?: InputFormat | 'auto';
  /** Options for CSV files (without `signal`, which `records()` supplies). Default: the {@link readCsv} defaults. */
  csv?: Omit<CsvOptions, 'signal'>;
  /** Options for JSON files. Default: the {@link readJson} defaults. */
  json?: Omit<JsonOptions, 'signal'>;
  /** Options for NDJSON files. Default: the {@link readNdjson} defaults. */
  ndjson?: Omit<NdjsonOptions, 'signal'>;
  /** Options for Parquet files. Default: the {@link readParquet} defaults. */
  parquet?: Omit<ParquetOptions, 'signal'>;
  /** Options for static catalogs. Default: the {@link readStaticCatalog} defaults. */
  stac?: Omit<StaticCatalogOptions, 'signal'>;
  /**
   * Receives non-fatal notes from every reader (skipped remote links, renamed
   * CSV columns, skipped folder entries) unless a reader's own `onWarning` is set,
   * and `no records in <path>` (context `{ file, empty: true }`) for each path that
   * yields neither a record nor a Failure (an empty file, a header-only CSV, `[]`,
   * an empty folder). Default: ignored.
   */
  onWarning?: (message: string, context: { file: string; [key: string]: unknown }) => void;
  /** Called as each file starts being read, with the format it is read as (for debug logs). Default: none. */
  onFileOpened?: (file: string, format: InputFormat) => void;
  /**
   * Told, as the files are read, how many of their bytes have been read so far and the size of them all
   * (summed once, from the file system, before the first record), for a progress bar's percentage and ETA.
   * Parquet files advance by row slices (their share of the file). Never called when a path is a static
   * catalog, whose size is only known once its links have been followed. Default: none.
   */
  onBytesRead?: (read: number, total: number) => void;
}

const FORMATS: readonly (InputFormat | 'auto')[] = ['auto', 'stac', 'ndjson', 'json', 'csv', 'parquet'];

/**
 * Opens files, folders or static catalogs as one {@link Source}. Nothing is
 * read until `records()` is iterated; paths are then read in order, each
 * with the reader its format calls for, and records keep their own origin.
 *
 * @param options - See {@link OpenSourceOptions}.
 * @throws `SCM_CONFIG_INVALID` (at once) when no path is given; `SCM_INPUT_UNSUPPORTED` for an unknown format.
 * Reading errors (missing file, unreadable container) surface from `records()`.
 */
export function openSource(options: OpenSourceOptions): Source<JsonObject> {
  const paths = [...(options.path !== undefined ? [options.path] : []), ...(options.paths ?? [])];
  if (paths.length === 0) {
    throw new ScmError('SCM_CONFIG_INVALID', 'openSource needs a path or paths');
  }
  const format = options.format ?? 'auto';
  if (!FORMATS.includes(format)) {
    throw new ScmError(
      'SCM_INPUT_UNSUPPORTED',
      `unknown input format "${format}"; use one of ${FORMATS.join(', ')}`,
    );
  }
  const first = basename(paths[0]!) || paths[0]!;
  const name = paths.length === 1 ? `${format}:${first}` : `${format}:${first} (+${paths.length - 1} more)`;
  return {
    name,
    async *records(streamOptions: StreamOptions = {}) {
      const counted = await countBytesRead(paths, format, options);
      yield* readAll(paths, format, counted, streamOptions.signal);
    },
  };
}

async function* readAll(
  paths: string[],
  format: InputFormat | 'auto',
  options: ReadOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  for (const path of paths) {
    throwIfAborted(signal);
    let seen = 0;
    for await (const entry of readPath(path, format, options, signal)) {
      seen += 1;
      yield entry;
    }
    // Empty files, header-only CSVs, empty arrays and empty folders all end here, with the same words.
    if (seen === 0) options.onWarning?.(`no records in ${path}`, { file: path, empty: true });
  }
}

async function* readPath(
  path: string,
  format: InputFormat | 'auto',
  options: ReadOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const detected: DetectedFormat = format === 'auto' ? await detectFormat(path) : format;
  if (detected === 'folder' || (detected !== 'stac' && (await statInput(path)).isDirectory())) {
    const wanted = detected === 'folder' ? undefined : detected;
    for (const file of await folderFiles(path, wanted, options)) {
      throwIfAborted(signal);
      const fileFormat = wanted ?? (await detectFormat(file));
      if (fileFormat === 'folder') continue;
      options.onFileOpened?.(file, fileFormat);
      yield* readOne(file, fileFormat, options, signal);
    }
    return;
  }
  options.onFileOpened?.(path, detected);
  yield* readOne(path, detected, options, signal);
}

/** Data files directly inside `folder` (not recursive), sorted by name. */
async function folderFiles(
  folder: string,
  format: Exclude<InputFormat, 'stac'> | undefined,
  options: OpenSourceOptions,
): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw fileError(error, folder);
  }
  const extensions = format ? FORMAT_EXTENSIONS[format] : Object.values(FORMAT_EXTENSIONS).flat();
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const ext = formatFromExtension(entry.name);
    if (ext && extensions.some((e) => entry.name.toLowerCase().endsWith(e))) files.push(entry.name);
    else if (!entry.name.startsWith('.')) {
      options.onWarning?.(`skipping ${join(folder, entry.name)}: not a data file`, {
        file: join(folder, entry.name),
      });
    }
  }
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return files.map((name) => join(folder, name));
}

/** What {@link readOne} passes to each file reader: the options, and where to count the bytes read. */
type ReadOptions = OpenSourceOptions & { onBytes?: (bytes: number) => void };

/**
 * The options with `onBytes` set when `onBytesRead` is: the size of every file to read is summed first
 * (stat and folder listings only, no data read), then each chunk read adds to the count.
 */
async function countBytesRead(
  paths: readonly string[],
  format: InputFormat | 'auto',
  options: OpenSourceOptions,
): Promise<ReadOptions> {
  const report = options.onBytesRead;
  if (!report) return options;
  const total = await inputBytes(paths, format, options).catch(() => undefined);
  if (total === undefined) return options;
  let read = 0;
  return {
    ...options,
    onBytes: (bytes) => {
      read = Math.min(total, read + bytes);
      report(read, total);
    },
  };
}

/** The summed size of the files `paths` stand for, or undefined when one of them is a static catalog. */
async function inputBytes(
  paths: readonly string[],
  format: InputFormat | 'auto',
  options: OpenSourceOptions,
): Promise<number | undefined> {
  let total = 0;
  for (const path of paths) {
    const detected: DetectedFormat = format === 'auto' ? await detectFormat(path) : format;
    if (detected === 'stac') return undefined;
    const info = await statInput(path);
    if (!info.isDirectory()) {
      total += info.size;
      continue;
    }
    const wanted = detected === 'folder' ? undefined : detected;
    const quiet = { ...options, onWarning: undefined };
    for (const file of await folderFiles(path, wanted, quiet)) total += (await statInput(file)).size;
  }
  return total;
}

function readOne(
  path: string,
  format: InputFormat,
  options: ReadOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { onWarning, onBytes } = options;
  const counted = onBytes ? { onBytes } : {};
  switch (format) {
    case 'csv':
      return readCsv(path, { onWarning, ...options.csv, ...counted, signal });
    case 'json':
      return readJson(path, { onWarning, ...options.json, ...counted, signal });
    case 'ndjson':
      return readNdjson(path, { onWarning, ...options.ndjson, ...counted, signal });
    case 'parquet':
      return readParquet(path, { ...options.parquet, ...counted, signal });
    case 'stac':
      return readStaticCatalog(path, { onWarning, ...options.stac, signal });
  }
}
