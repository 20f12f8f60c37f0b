import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Failure, ScmError, type SourceRecord } from '@scm/core';
import { type DetectedFormat, detectFormat, FORMAT_EXTENSIONS, openSource } from '@scm/input';
import { readGeoParquet, readGeoParquetMetadata } from '@scm/output-parquet';

/** What `validate` reads, for its messages. */
export const VALIDATE_ACCEPTS =
  'JSON or NDJSON files of STAC objects, stac-geoparquet files, static catalogs, or folders of those';

const DATA_EXTENSIONS = Object.values(FORMAT_EXTENSIONS).flat();

function refuseCsv(path: string): ScmError {
  return new ScmError(
    'SCM_USAGE',
    `validate: ${path} is CSV, which holds records, not STAC objects; validate reads ${VALIDATE_ACCEPTS} ` +
      '(turn CSV records into Items first with scaffold-items)',
    { location: { file: path } },
  );
}

/** Data files directly inside a folder that is not a static catalog, sorted by name. */
async function dataFilesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && DATA_EXTENSIONS.some((ext) => e.name.toLowerCase().endsWith(ext)))
    .map((e) => e.name)
    .sort()
    .map((name) => join(folder, name));
}

/**
 * The Items of a stac-geoparquet file (rows read back into Items, with their
 * 1-based row as `line`), then the Collections its metadata carries. A
 * Parquet file without GeoParquet metadata is read as plain records.
 */
async function* parquetObjects(path: string, signal?: AbortSignal): AsyncGenerator<SourceRecord | Failure> {
  const meta = await readGeoParquetMetadata(path);
  if (!meta.geo && !meta.stacGeoparquet) {
    yield* openSource({ path, format: 'parquet' }).records({ signal });
    return;
  }
  let row = 0;
  for await (const item of readGeoParquet(path, { signal })) {
    row += 1;
    yield { value: item, origin: { file: path, line: row } };
  }
  for (const collection of Object.values(meta.collections))
    yield { value: collection, origin: { file: path } };
}

async function* objectsOfFormat(
  path: string,
  format: DetectedFormat,
  signal?: AbortSignal,
): AsyncGenerator<SourceRecord | Failure> {
  if (format === 'csv') throw refuseCsv(path);
  if (format === 'parquet') {
    yield* parquetObjects(path, signal);
  } else if (format === 'folder') {
    for (const file of await dataFilesIn(path))
      yield* objectsOfFormat(file, await detectFormat(file), signal);
  } else {
    yield* openSource({ path, format }).records({ signal });
  }
}

/** An input of `validate` and the format it was found to have. */
export interface ValidationInput {
  /** Absolute path. */
  path: string;
  /** What {@link detectFormat} found. */
  format: DetectedFormat;
}

/**
 * Looks at every input before anything is read or written, so a CSV input is
 * refused at once (`SCM_USAGE`, naming the file and what `validate` reads).
 */
export async function planValidationInputs(paths: readonly string[]): Promise<ValidationInput[]> {
  const inputs: ValidationInput[] = [];
  for (const path of paths) {
    const format = await detectFormat(path);
    if (format === 'csv') throw refuseCsv(path);
    inputs.push({ path, format });
  }
  return inputs;
}

/**
 * Every object `validate` checks in its inputs, with its origin: JSON, NDJSON
 * and static catalogs as they are, stac-geoparquet read back into Items.
 */
export async function* validationObjects(
  inputs: readonly ValidationInput[],
  signal?: AbortSignal,
): AsyncGenerator<SourceRecord | Failure> {
  for (const { path, format } of inputs) yield* objectsOfFormat(path, format, signal);
}
