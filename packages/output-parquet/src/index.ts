/**
 * @scm/output-parquet: stac-geoparquet writer and reader.
 *
 * @packageDocumentation
 */

/** Compression codecs: `SNAPPY`, `ZSTD` (default), `GZIP`, `UNCOMPRESSED`. */
export type { ParquetCodec } from './codec.js';
/** Folder names from collection ids, and the per-collection writer. */
export type {
  CollectionParquetOutput,
  CollectionsParquetOptions,
  CollectionsParquetResult,
  CollectionsParquetStream,
  CollectionsParquetStreamOptions,
  ItemWithText,
} from './collections.js';
export type { ReplayLine } from './replay-pass-one.js';
export {
  collectionDirName,
  createCollectionsParquetSink,
  openCollectionsParquet,
  removeStaleParts,
  writeCollectionsParquet,
  writeCollectionsParquetTexts,
} from './collections.js';
export type { ConvertNdjsonOptions } from './convert.js';
/** How a collection's files are cut by date, and which partition an item or file belongs to. */
export type { ParquetPartitioning } from './partition.js';
export {
  isPartitionOf,
  PARQUET_PARTITIONINGS,
  partitionFileName,
  partitionOfFileName,
  partitionOfItem,
  partitionOfItemText,
  partitioningOfFiles,
  UNDATED_PARTITION,
} from './partition.js';
export { convertNdjsonToGeoParquet } from './convert.js';
/** The round-trip side column's per-row record. */
export type { SideRecord } from './shred.js';
/** Name of the optional round-trip side column. */
export { SIDE_COLUMN as ROUNDTRIP_COLUMN } from './item-check.js';
export type { GeoColumnMetadata, GeoMetadata, StacGeoParquetMetadata } from './metadata.js';
export type { RoundtripMetadata, SchemaPath } from './plan.js';
/** Key of the round-trip file metadata. */
export { ROUNDTRIP_METADATA_KEY } from './plan.js';
export type { GeoParquetBatch, GeoParquetFileMetadata, ReadGeoParquetOptions } from './reader.js';
export { readGeoParquet, readGeoParquetMetadata } from './reader.js';
export type { PropertyTypeHint } from './shape.js';
export type {
  GeoParquetWriteOptions,
  GeoParquetWriter,
  GeoParquetWriterOptions,
  GeoParquetWriteResult,
  SchemaHints,
} from './writer.js';
export { createGeoParquetWriter, writeGeoParquet } from './writer.js';
