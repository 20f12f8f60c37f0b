/**
 * @scm/input: streaming readers that turn CSV, JSON, NDJSON, Parquet files
 * and local static STAC catalogs into records with their origin.
 *
 * @packageDocumentation
 */

export type { CsvDelimiter, CsvOptions } from './csv.js';
export { guessDelimiter, parseCsvText, readCsv, typeValue } from './csv.js';
export type { DetectedFormat, InputFormat } from './detect.js';
export { CATALOG_ROOT_NAMES, detectFormat, FORMAT_EXTENSIONS } from './detect.js';
export type { DroppedWarning } from './file-access.js';
export { warnDropped } from './file-access.js';
export type { JsonOptions } from './json.js';
export { readJson } from './json.js';
export type { NdjsonOptions } from './ndjson.js';
export { ndjsonLineRecord, readNdjson, readNdjsonBlocks } from './ndjson.js';
export type { ParquetOptions } from './parquet.js';
export { readParquet } from './parquet.js';
export type { BinaryEncoding } from './parquet-values.js';
export type { OpenSourceOptions } from './source.js';
export { openSource } from './source.js';
export type { StaticCatalogOptions } from './static-catalog.js';
export { readStaticCatalog } from './static-catalog.js';
