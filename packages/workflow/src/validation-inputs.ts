import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Failure, ScmError, type SourceRecord } from '@scm/core';
import {
  type DetectedFormat,
  detectFormat,
  FORMAT_EXTENSIONS,
  type OpenSourceOptions,
  openSource,
} from '@scm/input';
import { readGeoParquetMetadata } from '@scm/output-parquet';
import { geoParquetItemsCounted, InputBytes } from './input-bytes.js';

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
 * `ndjson`: options of the NDJSON reader (e.g. lines left unparsed).
 */
export async function* validationObjects(
  inputs: readonly ValidationInput[],
  hooks: Pick<OpenSourceOptions, 'onWarning' | 'onFileOpened' | 'onBytesRead'>,
  signal?: AbortSignal,
  ndjson?: OpenSourceOptions['ndjson'],
): AsyncGenerator<SourceRecord | Failure> {
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
    } else
      yield* openSource({
        path,
        format,
        ...fileHooks,
        ...(counted ? { onBytesRead: counted } : {}),
        ...(ndjson ? { ndjson } : {}),
      }).records({ signal });
    await bytes?.passed(path);
  }
}
