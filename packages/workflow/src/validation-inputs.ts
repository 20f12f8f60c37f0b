import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Failure,
  isBlankLine,
  type LineBlock,
  linesOfBlock,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import {
  type DetectedFormat,
  detectFormat,
  FORMAT_EXTENSIONS,
  type OpenSourceOptions,
  openSource,
  readNdjsonBlocks,
} from '@scm/input';
import { LinesToValidate } from './batch-validator.js';
import { type BytesReport, geoParquetItemsCounted, InputBytes } from './input-bytes.js';

/** What `validate` reads, for its messages. */
export const VALIDATE_ACCEPTS =
  'JSON or NDJSON files of STAC objects, stac-geoparquet files, static catalogs, or folders of those';

/** The format of a data file from its name, when it has a data file extension. */
function formatByName(name: string): keyof typeof FORMAT_EXTENSIONS | undefined {
  const lower = name.toLowerCase();
  const formats = Object.keys(FORMAT_EXTENSIONS) as (keyof typeof FORMAT_EXTENSIONS)[];
  return formats.find((format) => FORMAT_EXTENSIONS[format].some((ext) => lower.endsWith(ext)));
}

function refuseCsv(path: string): ScmError {
  return new ScmError(
    'SCM_USAGE',
    `validate: ${path} is CSV, which holds records, not STAC objects; validate reads ${VALIDATE_ACCEPTS} ` +
      '(turn CSV records into Items first with scaffold-items)',
    { location: { file: path } },
  );
}

/**
 * Data files in a folder that is not a static catalog and in its subfolders (a `parquet/<collection>/`
 * layout), sorted by path; hidden files and folders are left out. Each file is read on its own, a JSON
 * Collection as one object (its links are not followed, since its items are files of the walk too).
 */
async function dataFilesUnder(folder: string): Promise<{ path: string; format: DetectedFormat }[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: { path: string; format: DetectedFormat }[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    const format = formatByName(entry.name);
    if (entry.isDirectory()) files.push(...(await dataFilesUnder(path)));
    else if (entry.isFile() && format) files.push({ path, format });
  }
  return files;
}

/**
 * The Items of a stac-geoparquet file, rows read back into Items, with their
 * 1-based row as `line`. (The collection in its metadata is not repeated: our
 * layout writes it as `collection.json` beside the file.) A Parquet file
 * without GeoParquet metadata is read as plain records.
 */
async function* parquetObjects(
  path: string,
  signal: AbortSignal | undefined,
  onBytesRead: OpenSourceOptions['onBytesRead'],
): AsyncGenerator<SourceRecord | Failure> {
  // Loaded here, not at the top, so that validating JSON or NDJSON never loads the Parquet writers.
  const { readGeoParquetMetadata } = await import('@scm/output-parquet');
  const meta = await readGeoParquetMetadata(path);
  if (!meta.geo && !meta.stacGeoparquet) {
    yield* openSource({ path, format: 'parquet', ...(onBytesRead ? { onBytesRead } : {}) }).records({
      signal,
    });
    return;
  }
  let row = 0;
  for await (const item of geoParquetItemsCounted(path, meta.rows, signal, onBytesRead)) {
    row += 1;
    yield { value: item, origin: { file: path, line: row } };
  }
}

/** Whether a block holds a line that is not blank (decoding its lines only up to the first such). */
function holdsRecord(block: LineBlock): boolean {
  for (const { text } of linesOfBlock(block)) if (!isBlankLine(text)) return true;
  return false;
}

/**
 * The blocks of lines of an NDJSON file, with its bytes counted as read; a file with no line to read gets
 * the warning the readers give (`no records in <path>`).
 */
async function* ndjsonBlocks(
  path: string,
  signal: AbortSignal | undefined,
  hooks: { counted: BytesReport | undefined; onWarning: OpenSourceOptions['onWarning'] },
): AsyncGenerator<LinesToValidate> {
  const { counted, onWarning } = hooks;
  let read = 0;
  let records = false;
  // A file's report takes its own count; the total it is given is ignored (see InputBytes.file).
  const onBytes = counted
    ? (bytes: number) => {
        read += bytes;
        counted(read, read);
      }
    : undefined;
  const options = { ...(signal ? { signal } : {}), ...(onBytes ? { onBytes } : {}) };
  for await (const block of readNdjsonBlocks(path, options)) {
    records ||= holdsRecord(block); // before the block is handed to a thread (its bytes go with it)
    yield new LinesToValidate(path, block);
  }
  if (!records) onWarning?.(`no records in ${path}`, { file: path, empty: true });
}

/** A file or static catalog `validate` reads, and its format. */
export interface ValidationInput {
  /** Absolute path. */
  path: string;
  /** What {@link detectFormat} found (from the name, for a file found in a folder); never `folder` or `csv`. */
  format: Exclude<DetectedFormat, 'folder' | 'csv'>;
}

/**
 * Looks at every input, and every data file of the folders given, before
 * anything is read or written, so a CSV file is refused at once (`SCM_USAGE`,
 * naming the file and what `validate` reads).
 */
export async function planValidationInputs(
  paths: readonly string[],
  onWarning?: OpenSourceOptions['onWarning'],
): Promise<ValidationInput[]> {
  const inputs: ValidationInput[] = [];
  for (const path of paths) {
    const format = await detectFormat(path);
    const files = format === 'folder' ? await dataFilesUnder(path) : [{ path, format }];
    // An empty folder is an empty input like any other (the file readers say so for empty files).
    if (files.length === 0) onWarning?.(`no records in ${path}`, { file: path, empty: true });
    for (const file of files) {
      if (file.format === 'csv') throw refuseCsv(file.path);
      if (file.format !== 'folder') inputs.push({ path: file.path, format: file.format });
    }
  }
  return inputs;
}

/**
 * Every object `validate` checks in its inputs, with its origin: JSON, NDJSON
 * and static catalogs as they are, stac-geoparquet read back into Items.
 * `ndjsonLines`: NDJSON files come as blocks of lines, not read here (see
 * {@link LinesToValidate}).
 */
export async function* validationObjects(
  inputs: readonly ValidationInput[],
  hooks: Pick<OpenSourceOptions, 'onWarning' | 'onFileOpened' | 'onBytesRead'>,
  signal?: AbortSignal,
  ndjsonLines = false,
): AsyncGenerator<SourceRecord | Failure | LinesToValidate> {
  const { onBytesRead, ...fileHooks } = hooks;
  // A static catalog's size is that of the files its links lead to: then no position is told.
  const catalog = inputs.some((input) => input.format === 'stac');
  const bytes = catalog
    ? undefined
    : await InputBytes.of(
        inputs.map((input) => input.path),
        onBytesRead,
      );
  for (const { path, format } of inputs) {
    const counted = bytes?.file();
    if (format === 'parquet') {
      fileHooks.onFileOpened?.(path, 'parquet');
      yield* parquetObjects(path, signal, counted);
    } else if (format === 'ndjson' && ndjsonLines) {
      fileHooks.onFileOpened?.(path, 'ndjson');
      yield* ndjsonBlocks(path, signal, { counted, onWarning: fileHooks.onWarning });
    } else
      yield* openSource({
        path,
        format,
        ...fileHooks,
        ...(counted ? { onBytesRead: counted } : {}),
      }).records({ signal });
    await bytes?.passed(path);
  }
}
